// The stored results of a round: its summary row (round_results), its rows
// (round_result_rows) and the round's finalize and publish marks.
import { and, asc, eq, getTableColumns, inArray, isNotNull, sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { roundResultRows, roundResults, rounds } from '../../../../db/schema/index';

/** Serializes finalize, disqualification and publish of one round. */
export async function lockRound(db: Db, roundId: string): Promise<void> {
  await rawRows(db, sql`select id from rounds where id = ${roundId} for update`);
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

export async function markStale(db: Db, roundId: string): Promise<boolean> {
  const rows = await db.update(roundResults).set({ stale: true }).where(eq(roundResults.roundId, roundId)).returning({ roundId: roundResults.roundId });
  return rows.length > 0;
}

export async function findResults(db: Db, roundId: string) {
  return db.query.roundResults.findFirst({ where: eq(roundResults.roundId, roundId) });
}

export type ResultRow = typeof roundResultRows.$inferSelect;

export function listResultRows(db: Db, roundId: string, offset: number, limit: number): Promise<ResultRow[]> {
  return db.select().from(roundResultRows).where(eq(roundResultRows.roundId, roundId)).orderBy(asc(roundResultRows.position)).offset(offset).limit(limit);
}

/** A row as exported: the flags as one cell, names joined by `;`, null when none. */
export type ExportRow = Omit<ResultRow, 'flags'> & { flagsText: string | null };
const { flags: _flags, ...exportColumns } = getTableColumns(roundResultRows);

/**
 * A page of the export: the rows at positions after `after`, up to `upTo`, in order, for
 * exports that must not hold the whole list. Bounded on both sides, so the plan stays an
 * index range whatever the statistics say: just after a finalize they still count the
 * round's rows as a few hundred, and an open-ended `position > n … limit` then read and
 * sorted every row after n for each page (1.3 s a page at 100,000 of 300,000).
 * The flags come as text, null for the many rows without any: reading an array per row
 * costs a 300,000-row export more than a second.
 */
export function resultRowsIn(db: Db, roundId: string, after: number, upTo: number): Promise<ExportRow[]> {
  return db
    .select({ ...exportColumns, flagsText: sql<string | null>`nullif(array_to_string(${roundResultRows.flags}, ';'), '')` })
    .from(roundResultRows)
    .where(and(eq(roundResultRows.roundId, roundId), sql`${roundResultRows.position} > ${after}`, sql`${roundResultRows.position} <= ${upTo}`))
    .orderBy(asc(roundResultRows.position));
}

/** The last position of the round's rows (0 when it has none). */
export async function lastResultPosition(db: Db, roundId: string): Promise<number> {
  const [r] = await db
    .select({ p: sql<number>`coalesce(max(${roundResultRows.position}), 0)::int` })
    .from(roundResultRows)
    .where(eq(roundResultRows.roundId, roundId));
  return r?.p ?? 0;
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
