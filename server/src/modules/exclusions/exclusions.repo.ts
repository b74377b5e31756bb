import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import { idleLimit, lockKey, rawRows, type Db } from '../../../../db/client';
import { exclusions } from '../../../../db/schema/index';
import type { ExclusionEntry } from '../../lib/exclusion-sheet';

/**
 * Entries a statement inserts, as one JSON parameter: a run of 10,000 is written to JSON in a
 * few ms. (Built by drizzle as a VALUES list, 5,000 rows took 130-150 ms each, all of it on
 * the event loop that answers starts and submits.)
 */
const BATCH = 10_000;

export function listExclusions(db: Db, contestId: string) {
  return db
    .select({ id: exclusions.id, nationalId: exclusions.nationalId, phone: exclusions.phone, note: exclusions.note, createdAt: exclusions.createdAt })
    .from(exclusions)
    .where(eq(exclusions.contestId, contestId))
    .orderBy(asc(exclusions.createdAt), asc(exclusions.nationalId), asc(exclusions.phone), asc(exclusions.id));
}

/**
 * sha256 (hex) of the contest's list as its audit records define it (audit.lists.ts
 * listDigest): a line "CCCD⇥phone⇥note" an entry (empty for none), the lines in the order of
 * their UTF-8 bytes (collate "C"), each ended by "\n". Taken by Postgres: 100,000 entries
 * made into lines, sorted and hashed on the server's thread held it for 1-2 s (measured here).
 */
export async function listDigest(db: Db, contestId: string): Promise<string> {
  const line = sql`coalesce(national_id, '') || E'\t' || coalesce(phone, '') || E'\t' || coalesce(note, '')`;
  const [r] = await rawRows<{ sha256: string }>(
    db,
    sql`select encode(sha256(convert_to(coalesce(string_agg(${line} || E'\n', '' order by (${line}) collate "C"), ''), 'UTF8')), 'hex') as sha256
        from exclusions where contest_id = ${contestId}`,
  );
  return r.sha256;
}

/** Two saves of one contest's list run one after the other, never interleaved. */
export async function lockList(db: Db, contestId: string) {
  await lockKey(db, 'exclusions:' + contestId);
}

/**
 * The entries of the list, in the order of listExclusions, as they are compared and saved:
 * rows as the driver reads them (drizzle's mapping of 100,000 rows took 0.1-0.2 s in one
 * piece of the event loop, as the driver hands them over all at once).
 */
export function listEntries(db: Db, contestId: string): Promise<ExclusionEntry[]> {
  return rawRows<ExclusionEntry>(
    db,
    sql`select national_id as "nationalId", phone, note from exclusions where contest_id = ${contestId}
        order by created_at, national_id, phone, id`,
  );
}

export async function replaceExclusions(db: Db, contestId: string, entries: ExclusionEntry[]) {
  await db.delete(exclusions).where(eq(exclusions.contestId, contestId));
  for (let i = 0; i < entries.length; i += BATCH) {
    const run = JSON.stringify(entries.slice(i, i + BATCH).map((e) => [e.nationalId, e.phone, e.note]));
    await db.execute(sql`insert into exclusions (contest_id, national_id, phone, note)
      select ${contestId}, x ->> 0, x ->> 1, x ->> 2 from jsonb_array_elements(${run}::jsonb) x`);
  }
}

/** Whether a person is on the contest's list: by national id or by phone (both stored normalized). */
export async function isExcluded(db: Db, contestId: string, who: { nationalId?: string | null; phone?: string | null }): Promise<boolean> {
  const conds: SQL[] = [];
  if (who.nationalId) conds.push(eq(exclusions.nationalId, who.nationalId));
  if (who.phone) conds.push(eq(exclusions.phone, who.phone));
  if (!conds.length) return false;
  const rows = await db
    .select({ id: exclusions.id })
    .from(exclusions)
    .where(and(eq(exclusions.contestId, contestId), or(...conds)))
    .limit(1);
  return rows.length > 0;
}

/**
 * Locks the contest's rounds (in id order, as a correction does) until the save commits:
 * a publish (which holds its round FOR UPDATE while it checks that the results still fit
 * the list) either committed before the save looks for published rounds, or waits and then
 * finds its results stale. NO KEY UPDATE, not UPDATE: starts go on meanwhile.
 */
export async function lockRoundsOfContest(db: Db, contestId: string): Promise<void> {
  // With the locks, the bound on the transaction's idle time (db/client.ts idleLimit).
  await rawRows(db, sql`select id, ${idleLimit()} from rounds where contest_id = ${contestId} order by id collate "C" for no key update`);
}

/**
 * The contest's published rounds whose prize list names someone the exclusion list now
 * excludes (by the national id or phone on the list's row): they must leave the public.
 */
export async function publishedRoundsNamingExcluded(db: Db, contestId: string): Promise<string[]> {
  const rows = await rawRows<{ id: string }>(
    db,
    sql`
      select r.id from rounds r
      where r.contest_id = ${contestId} and r.published_at is not null
        and exists (
          select 1 from round_result_rows rr
          join exclusions e on e.contest_id = ${contestId}
            and ((e.national_id is not null and e.national_id = rr.national_id) or (e.phone is not null and e.phone = rr.phone))
          where rr.round_id = r.id and rr.prize is not null)`,
  );
  return rows.map((r) => r.id);
}
