// The stored results of a round: its summary row (round_results), its rows
// (round_result_rows) and the round's finalize and publish marks.
import { and, asc, eq, getTableColumns, gt, inArray, isNotNull, lte, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { idleLimit, LOCK_HOLDER_IDLE_MS, rawRows, type Db } from '../../../../db/client';
import { roundResultRows, roundResults, rounds } from '../../../../db/schema/index';
import type { RankingFilter } from './judging.schemas';

/**
 * Serializes finalize, disqualification and publish of one round: its row lock, held to the
 * end of the transaction, which Postgres ends should its client fall silent for `idleMs`
 * (db/client.ts LOCK_HOLDER_IDLE_MS).
 */
export async function lockRound(db: Db, roundId: string, idleMs = LOCK_HOLDER_IDLE_MS): Promise<void> {
  await rawRows(db, sql`select ${idleLimit(idleMs)}, (select id from rounds where id = ${roundId} for update) as id`);
}

/** Sorted user ids of the prize winners of a round's current results ('' when none). */
export async function winnersFingerprint(db: Db, roundId: string): Promise<string> {
  const [r] = await rawRows<{ f: string | null }>(
    db,
    sql`select string_agg(user_id, ',' order by user_id collate "C") as f from round_result_rows where round_id = ${roundId} and prize is not null`,
  );
  return r?.f ?? '';
}

export async function upsertResults(db: Db, values: typeof roundResults.$inferInsert) {
  const [row] = await db
    .insert(roundResults)
    .values(values)
    .onConflictDoUpdate({
      target: roundResults.roundId,
      set: {
        actualCount: values.actualCount,
        participants: values.participants,
        ranked: values.ranked,
        checksum: values.checksum,
        finalizedAt: values.finalizedAt,
        finalizedBy: values.finalizedBy,
        stale: false,
        rules: values.rules,
        inputs: values.inputs,
      },
    })
    .returning();
  return row;
}

export async function markFinalized(db: Db, roundId: string, at: Date): Promise<void> {
  // A corrected list is withdrawn from the public until a judge publishes it again.
  await db.update(rounds).set({ finalizedAt: at, publishedAt: null, updatedAt: at }).where(eq(rounds.id, roundId));
}

export async function markPublished(db: Db, roundId: string, at: Date): Promise<void> {
  await db.update(rounds).set({ publishedAt: at, updatedAt: at }).where(eq(rounds.id, roundId));
}

/** Results of later rounds of the contest depend on this one's winners (onePrizePerPerson). */
export async function markLaterRoundsStale(db: Db, contestId: string, roundNumber: number): Promise<string[]> {
  const rows = await rawRows<{ round_id: string }>(
    db,
    sql`update round_results rr set stale = true from rounds r
        where r.id = rr.round_id and r.contest_id = ${contestId} and r.number > ${roundNumber} and not rr.stale
        returning rr.round_id`,
  );
  return rows.map((r) => r.round_id);
}

/**
 * Takes the published lists of these rounds back from the public, until a judge finalizes and
 * publishes again (a correction, a disqualification, an exclusion): the ids of those that were published.
 */
export async function withdrawPublication(db: Db, roundIds: readonly string[], at: Date): Promise<string[]> {
  if (roundIds.length === 0) return [];
  const rows = await db
    .update(rounds)
    .set({ publishedAt: null, updatedAt: at })
    .where(and(inArray(rounds.id, [...roundIds]), isNotNull(rounds.publishedAt)))
    .returning({ id: rounds.id });
  return rows.map((r) => r.id).sort();
}

/**
 * An account's role changed to or from resident: the results of every round it has an
 * attempt in read the old role (staff may not compete: ineligible 'not_resident'), so they are
 * marked stale, and the publications that name it as a winner are withdrawn until a judge
 * finalizes and publishes again. The rounds are locked first, as a finalize locks its round:
 * a finalize running meanwhile either reads the new role or is marked stale once it is done.
 */
export async function roleChanged(db: Db, userId: string, at: Date): Promise<{ staleRounds: string[]; withdrawnRounds: string[] }> {
  const locked = await rawRows<{ id: string }>(
    db,
    sql`select r.id, ${idleLimit()} from rounds r
        where r.id in (select a.round_id from attempts a where a.user_id = ${userId})
        order by r.id collate "C" for no key update`,
  );
  if (locked.length === 0) return { staleRounds: [], withdrawnRounds: [] };
  const ids = locked.map((r) => r.id);
  const stale = await db
    .update(roundResults)
    .set({ stale: true })
    .where(and(inArray(roundResults.roundId, ids), eq(roundResults.stale, false)))
    .returning({ roundId: roundResults.roundId });
  // A round's prize rows, a few dozen, through round_result_rows_prizes_idx.
  const named = await db
    .selectDistinct({ roundId: roundResultRows.roundId })
    .from(roundResultRows)
    .where(and(inArray(roundResultRows.roundId, ids), isNotNull(roundResultRows.prize), eq(roundResultRows.userId, userId)));
  return {
    staleRounds: stale.map((r) => r.roundId).sort(),
    withdrawnRounds: await withdrawPublication(
      db,
      named.map((r) => r.roundId),
      at,
    ),
  };
}

export async function markStale(db: Db, roundId: string): Promise<boolean> {
  const rows = await db.update(roundResults).set({ stale: true }).where(eq(roundResults.roundId, roundId)).returning({ roundId: roundResults.roundId });
  return rows.length > 0;
}

export async function findResults(db: Db, roundId: string) {
  return db.query.roundResults.findFirst({ where: eq(roundResults.roundId, roundId) });
}

export type ResultRow = typeof roundResultRows.$inferSelect;

/**
 * The stored rows of a round from position `after` + 1 to `upTo`, as a range of the primary
 * key. A round's positions run 1..participants without a gap: finalize numbers its rows
 * (row_number() in stageRankedRows), and finalizing again with fewer participants removes
 * the positions past the new count (mergeStagedRows). So a range is OFFSET/LIMIT's page, and
 * it reads the page's rows alone whatever the table's statistics say. They know nothing of
 * a round's rows until the table is analyzed again: right after the first finalize of a
 * 300k-row round, `position > n order by position limit 5000` read and sorted every row past
 * n (a 300k CSV's pages: 330k buffers, 21-22 s against 11k, 9-12 s).
 */
function positionsIn(roundId: string, after: number, upTo: number) {
  return and(eq(roundResultRows.roundId, roundId), gt(roundResultRows.position, after), lte(roundResultRows.position, upTo));
}

/** A page of the ranking: positions offset + 1 to offset + limit. */
export function listResultRows(db: Db, roundId: string, offset: number, limit: number): Promise<ResultRow[]> {
  return db
    .select()
    .from(roundResultRows)
    .where(positionsIn(roundId, offset, offset + limit))
    .orderBy(asc(roundResultRows.position));
}

/**
 * The rows of a filter (GET .../ranking?only=, ?flag=) in `t`, written as the predicates of
 * migration 0027's partial indexes are, so that Postgres proves an index covers them: the
 * flagged rows (round, position, flags) and the ineligible ones (round, position), at 300k
 * rows a few hundred and about a thousand. `flag` is read from the flagged index's entries.
 */
function filtered(t: Record<'roundId' | 'flags' | 'eligible', AnyPgColumn>, roundId: string, f: RankingFilter): SQL {
  const conds: SQL[] = [sql`${t.roundId} = ${roundId}`];
  if (f.only === 'flagged' || f.flag) conds.push(sql`cardinality(${t.flags}) > 0`);
  if (f.flag) conds.push(sql`${f.flag}::text = any(${t.flags})`);
  if (f.only === 'ineligible') conds.push(sql`not ${t.eligible}`);
  return sql.join(conds, sql` and `);
}

/**
 * The two statements of a filtered page (listFilteredRows), apart for the tests that read
 * their plans. The page's positions are OFFSET/LIMIT over the filter's index alone (an
 * index-only scan: once the round's rows are vacuumed, the entries skipped read no row),
 * then its rows are read by those positions. As `= any(array(...))` the positions are
 * found first and looked up in the primary key, whatever the plan: as `in (...)` a generic
 * plan (prepared statements, after five runs) joined them with a scan of the whole round.
 */
export function filteredQueries(db: Db, roundId: string, f: RankingFilter, offset: number, limit: number) {
  const m = alias(roundResultRows, 'm');
  const positions = db
    .select({ position: m.position })
    .from(m)
    .where(filtered(m, roundId, f))
    .orderBy(asc(m.position))
    .limit(limit)
    .offset(offset);
  return {
    page: db
      .select()
      .from(roundResultRows)
      .where(and(eq(roundResultRows.roundId, roundId), sql`${roundResultRows.position} = any(array${positions})`))
      .orderBy(asc(roundResultRows.position)),
    count: db
      .select({ total: sql<number>`count(*)::int` })
      .from(m)
      .where(filtered(m, roundId, f)),
  };
}

/**
 * A page of the rows that pass a filter, in position order, and how many pass it. 300k
 * rows, 7,533 flagged, vacuumed: the last page 235 buffers and the count 103, against
 * 27,184 each for OFFSET over the round's rows (figures: commit 4c4b1ad).
 */
export async function listFilteredRows(
  db: Db,
  roundId: string,
  f: RankingFilter,
  offset: number,
  limit: number,
): Promise<{ rows: ResultRow[]; total: number }> {
  const q = filteredQueries(db, roundId, f, offset, limit);
  const rows = await q.page;
  const [{ total }] = await q.count;
  return { rows, total };
}

/** A row as exported: the flags as one cell, names joined by `;`, null when none. */
export type ExportRow = Omit<ResultRow, 'flags'> & { flagsText: string | null };
const { flags: _flags, ...exportColumns } = getTableColumns(roundResultRows);

/**
 * A page of an export, which must not hold the whole list: the rows from position `after`
 * + 1 to `upTo`. The flags come as text, null for the many rows without any: reading an
 * array per row costs a 300,000-row export more than a second.
 */
export function resultRowsIn(db: Db, roundId: string, after: number, upTo: number): Promise<ExportRow[]> {
  return db
    .select({ ...exportColumns, flagsText: sql<string | null>`nullif(array_to_string(${roundResultRows.flags}, ';'), '')` })
    .from(roundResultRows)
    .where(positionsIn(roundId, after, upTo))
    .orderBy(asc(roundResultRows.position));
}

export function listWinnerRows(db: Db, roundId: string): Promise<ResultRow[]> {
  return db
    .select()
    .from(roundResultRows)
    .where(and(eq(roundResultRows.roundId, roundId), isNotNull(roundResultRows.prize)))
    .orderBy(asc(roundResultRows.position));
}

export async function lastPrizePosition(db: Db, roundId: string): Promise<number> {
  const [r] = await db
    .select({ p: sql<number>`coalesce(max(${roundResultRows.position}), 0)::int` })
    .from(roundResultRows)
    .where(and(eq(roundResultRows.roundId, roundId), isNotNull(roundResultRows.prize)));
  return r?.p ?? 0;
}
