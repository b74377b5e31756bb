import { and, asc, eq, getTableColumns, isNotNull, sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import {
  attempts,
  disqualifications,
  questions,
  roundQuestions,
  roundResultRows,
  roundResults,
  rounds,
  type StoredOption,
} from '../../../../db/schema/index';
import { FARM_MIN_ACCOUNTS, SAME_ADDRESS_MIN_OTHERS, SAME_DEVICE_MIN_OTHERS } from '../../lib/fairplay';
import type { PredictionTarget, PrizeTier } from '../../lib/ranking';

export { rawRows };

/**
 * Session settings for the big ranking statements of one transaction: sorts of a million
 * rows stay in memory instead of spilling to disk, and no JIT compile (it costs more than
 * it saves on these plans).
 */
export async function tuneForRanking(db: Db): Promise<void> {
  await rawRows(db, sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
}

/** Serializes finalize, disqualification and publish of one round. */
export async function lockRound(db: Db, roundId: string): Promise<void> {
  await rawRows(db, sql`select id from rounds where id = ${roundId} for update`);
}

export interface ParticipantCounts {
  participants: number;
  eligiblePeople: number;
  eligibleEntries: number;
  allCorrectPeople: number;
  allCorrectEntries: number;
}

// One reason per person, the first that applies (lib/ranking.ts ineligibleReason is the
// reference): not a resident, on the contest's exclusion list, disqualified in the round.
// Joins, not correlated subqueries: Postgres hashes the lists once for 300k participants.
// The exclusion lists are made distinct so that a duplicate entry cannot duplicate a row.
const eligibilityJoins = (roundId: string, contestId: string) => sql`
  left join (select distinct e.national_id from exclusions e where e.contest_id = ${contestId} and e.national_id is not null) xn on xn.national_id = u.national_id
  left join (select distinct e.phone from exclusions e where e.contest_id = ${contestId} and e.phone is not null) xp on xp.phone = u.phone
  left join disqualifications dq on dq.round_id = ${roundId} and dq.user_id = u.id`;
const reasonSql = sql`
  case
    when u.role <> 'resident' then 'not_resident'
    when xn.national_id is not null or xp.phone is not null then 'excluded'
    when dq.user_id is not null then 'disqualified: ' || dq.reason
  end`;

export async function countParticipants(db: Db, roundId: string, contestId: string): Promise<ParticipantCounts> {
  const [r] = await rawRows<ParticipantCounts>(
    db,
    sql`
    with per_user as (
      select s.user_id, count(*)::int as entries, (count(*) filter (where s.score = s.total))::int as correct
      from submissions s where s.round_id = ${roundId}
      group by s.user_id
    ), people as materialized (
      select p.entries, p.correct, ${reasonSql} as reason
      from per_user p join users u on u.id = p.user_id
      ${eligibilityJoins(roundId, contestId)}
    )
    select count(*)::int as "participants",
      (count(*) filter (where reason is null))::int as "eligiblePeople",
      coalesce(sum(entries) filter (where reason is null), 0)::int as "eligibleEntries",
      (count(*) filter (where reason is null and correct > 0))::int as "allCorrectPeople",
      coalesce(sum(correct) filter (where reason is null), 0)::int as "allCorrectEntries"
    from people`,
  );
  return r;
}

export function actualCountFor(target: PredictionTarget, c: ParticipantCounts): number {
  switch (target) {
    case 'all_correct_people':
      return c.allCorrectPeople;
    case 'all_correct_entries':
      return c.allCorrectEntries;
    case 'participants':
      return c.eligiblePeople;
    case 'entries':
      return c.eligibleEntries;
  }
}

/** Sorted user ids of the prize winners of a round's current results ('' when none). */
export async function winnersFingerprint(db: Db, roundId: string): Promise<string> {
  const [r] = await rawRows<{ f: string | null }>(
    db,
    sql`select string_agg(user_id, ',' order by user_id collate "C") as f from round_result_rows where round_id = ${roundId} and prize is not null`,
  );
  return r?.f ?? '';
}

export interface RankInput {
  roundId: string;
  contestId: string;
  roundNumber: number;
  onePrizePerPerson: boolean;
  actualCount: number;
  prizes: PrizeTier[];
}

/**
 * Ranks the round in one INSERT ... SELECT: each participant's best attempt (DISTINCT ON
 * over the order chain), the global order, ranks down the eligible rows, prizes down the
 * eligible rows that did not win earlier (onePrizePerPerson), identity snapshot.
 * attempt_id compares under "C": the order must not depend on the server's locale; user_id
 * too, where only the grouping matters, because byte comparison sorts a million rows
 * about twice as fast as a locale's.
 */
export async function stageRankedRows(db: Db, p: RankInput): Promise<void> {
  const prizes = JSON.stringify(p.prizes);
  // A temporary table first: no foreign key checks, indexes or WAL while ranking, and the
  // stored rows are then touched only where they change (see mergeStagedRows).
  await rawRows(db, sql`create temp table finalize_rows (like round_result_rows including defaults) on commit drop`);
  await rawRows(
    db,
    sql`
    insert into finalize_rows (round_id, position, rank, prize, user_id, attempt_id, attempt_no, score, total, prediction,
      prediction_error, duration_ms, submitted_at, eligible, ineligible_reason, full_name, national_id, phone, birth_year, locality, unit, category)
    with best as (
      select distinct on (s.user_id collate "C") s.attempt_id, s.user_id, s.score, s.total, s.prediction,
        abs(s.prediction - ${p.actualCount}::int) as err, s.duration_ms, date_trunc('milliseconds', s.submitted_at) as submitted_at
      from submissions s
      where s.round_id = ${p.roundId}
      -- Milliseconds, as every export shows them: the order must be reproducible from the file.
      order by s.user_id collate "C", s.score desc, abs(s.prediction - ${p.actualCount}::int), s.duration_ms, date_trunc('milliseconds', s.submitted_at), s.attempt_id collate "C"
    ), prior as (
      select distinct rr.user_id
      from round_result_rows rr join rounds r2 on r2.id = rr.round_id
      where ${p.onePrizePerPerson}::boolean and r2.contest_id = ${p.contestId} and r2.number < ${p.roundNumber} and rr.prize is not null
    ), ordered as (
      select b.*, u.full_name, u.national_id, u.phone, u.birth_year, u.category, l.name as locality, un.name as unit,
        ${reasonSql} as reason,
        (pr.user_id is not null) as won_before
      from best b
      join users u on u.id = b.user_id
      left join localities l on l.id = u.locality_id
      left join units un on un.id = u.unit_id
      left join prior pr on pr.user_id = b.user_id
      ${eligibilityJoins(p.roundId, p.contestId)}
    ), numbered as (
      -- One window, one sort: running counts down the order give the rank (eligible rows)
      -- and the prize sequence (eligible rows that did not win before). The chain is a
      -- total order (attemptId is unique), so a row never has peers.
      select o.*,
        row_number() over w as position,
        case when o.reason is null then sum((o.reason is null)::int) over w end as rank,
        case when o.reason is null and not o.won_before then sum((o.reason is null and not o.won_before)::int) over w end as prize_seq
      from ordered o
      window w as (order by o.score desc, o.err, o.duration_ms, o.submitted_at, o.attempt_id collate "C" rows between unbounded preceding and current row)
    ), tiers as materialized (
      select t.p ->> 'name' as name, (t.p ->> 'count')::int as cnt, sum((t.p ->> 'count')::int) over (order by t.ord) as up_to
      from jsonb_array_elements(${prizes}::jsonb) with ordinality as t(p, ord)
    )
    select ${p.roundId}, n.position, n.rank,
      (select t.name from tiers t where n.prize_seq > t.up_to - t.cnt and n.prize_seq <= t.up_to),
      n.user_id, n.attempt_id, a.attempt_no, n.score, n.total, n.prediction, n.err, n.duration_ms, n.submitted_at,
      n.reason is null, n.reason, n.full_name, n.national_id, n.phone, n.birth_year, n.locality, n.unit, n.category
    from numbered n join attempts a on a.id = n.attempt_id and a.round_id = ${p.roundId}`,
  );
}

/**
 * The fair-play flags of lib/fairplay.ts on the staged rows, in SQL, comparing the rows'
 * attempts (each participant's ranked one) with each other. Each answer list is read once
 * and reduced to two 64-bit hashes, without sorting or concatenating it: the sequence is
 * the XOR of each (questionId, optionId) pair's hash seeded with its position; the set is
 * the sum of the pairs' hashes (48 bits each, so twenty fit in a bigint; a sum keeps
 * repeated pairs, as the reference's sorted list does). Only hashes shared between
 * accounts go further, and only rows that get a flag are written. The flags are not in
 * the checksum.
 */
export async function stageFlags(db: Db, roundId: string, minMsPerQuestion: number): Promise<void> {
  // Statistics for the staged rows, so the join below hashes them (300k narrow rows) and
  // not the round's submissions with their answer lists.
  await rawRows(db, sql`analyze finalize_rows`);
  await rawRows(
    db,
    // The signatures were computed when each submission was written (migration 0007: null
    // below MIN_ANSWERS_TO_COMPARE answers), so no answer list is read here.
    sql`create temp table fairplay_sig on commit drop as
    select f.attempt_id, f.user_id, f.prediction, s.answers_seq as seq, s.answers_set as setk, s.client_ip as ip, s.device_id as device
    from finalize_rows f
    join submissions s on s.attempt_id = f.attempt_id and s.round_id = ${roundId}
    where s.answers_seq is not null`,
  );
  // Farm candidates: answer sets sent by enough accounts. Indexed by prediction, so each
  // window of near-identical predictions is one short range scan, stopped at the number of
  // accounts that makes a farm (one row per account: rows are people).
  await rawRows(
    db,
    sql`create temp table fairplay_farm on commit drop as
    select x.attempt_id, x.user_id, x.prediction, x.setk from fairplay_sig x
    where x.setk in (select setk from fairplay_sig group by setk having count(distinct user_id) >= ${FARM_MIN_ACCOUNTS}::int)`,
  );
  await rawRows(db, sql`create index on fairplay_farm (setk, prediction)`);
  // A window starts at each distinct prediction p of a set and holds the predictions near
  // it from above: 100·(q − p) <= max(200, q), i.e. q <= max(p + 2, floor(100·p / 99)).
  // An attempt is in a farm when a window with enough accounts reaches it: the running
  // maximum of the qualifying windows' upper ends, in prediction order.
  // lib/fairplay.ts predictionsNear: 100·|a − b| <= max(200, max(a, b)).
  const near = (a: SQL, b: SQL) => sql`100 * abs(${a}::bigint - ${b}::bigint) <= greatest(200, greatest(${a}, ${b}))`;
  const upTo = (p: SQL) => sql`greatest(${p}::bigint + 2, (100 * ${p}::bigint) / 99)`;
  await rawRows(
    db,
    sql`
    with same_order as (
      select x.attempt_id from fairplay_sig x
      where x.seq in (select seq from fairplay_sig group by seq having count(distinct user_id) >= 2)
    ), lows as (
      select l.setk, l.prediction,
        (select count(*) from (select 1 from fairplay_farm w
          where w.setk = l.setk and w.prediction >= l.prediction and w.prediction <= ${upTo(sql`l.prediction`)}
            and 100 * (w.prediction::bigint - l.prediction) <= greatest(200, w.prediction)
          limit ${FARM_MIN_ACCOUNTS}::int) z) = ${FARM_MIN_ACCOUNTS}::int as qualifies
      from (select distinct setk, prediction from fairplay_farm) l
    ), reach as (
      select l.setk, l.prediction,
        max(case when l.qualifies then ${upTo(sql`l.prediction`)} end) over (partition by l.setk order by l.prediction) as reach
      from lows l
    ), farm as (
      select c.attempt_id from fairplay_farm c join reach r on r.setk = c.setk and r.prediction = c.prediction
      where c.prediction <= r.reach
    ), shared as (
      -- Joined on (answer set, device) and (answer set, address): groups of one device or
      -- address, never a whole round's worth of identical answer sets.
      select x.attempt_id from fairplay_sig x join fairplay_sig y
        on y.setk = x.setk and y.device = x.device and y.user_id <> x.user_id and ${near(sql`x.prediction`, sql`y.prediction`)}
      group by x.attempt_id having count(distinct y.user_id) >= ${SAME_DEVICE_MIN_OTHERS}::int
      union
      select x.attempt_id from fairplay_sig x join fairplay_sig y
        on y.setk = x.setk and y.ip = x.ip and y.user_id <> x.user_id and ${near(sql`x.prediction`, sql`y.prediction`)}
      group by x.attempt_id having count(distinct y.user_id) >= ${SAME_ADDRESS_MIN_OTHERS}::int
    )
    update finalize_rows f set flags = array_remove(array[
        case when f.total > 0 and f.duration_ms::bigint < ${minMsPerQuestion}::bigint * f.total then 'too_fast' end,
        case when f.attempt_id in (select attempt_id from same_order) then 'same_answers_same_order' end,
        case when f.attempt_id in (select attempt_id from farm) then 'answer_farm' end,
        case when f.attempt_id in (select attempt_id from shared) then 'same_device_or_address' end
      ]::text[], null)
    where (f.total > 0 and f.duration_ms::bigint < ${minMsPerQuestion}::bigint * f.total)
      or f.attempt_id in (select attempt_id from same_order)
      or f.attempt_id in (select attempt_id from farm)
      or f.attempt_id in (select attempt_id from shared)`,
  );
}

const esc = (col: SQL) => sql`replace(replace(replace(replace(${col}, '\\', '\\\\'), E'\\t', '\\t'), E'\\n', '\\n'), E'\\r', '\\r')`;
const txt = (col: SQL) => sql`coalesce(${esc(col)}, '')`;
const num = (col: SQL) => sql`coalesce(${col}::text, '')`;

/**
 * The checksum of lib/ranking.ts checksumOf, in SQL: canonical lines in position order,
 * hashed where the rows are, so a large round never travels to Node for it.
 */
export async function stagedChecksum(db: Db): Promise<{ checksum: string; ranked: number; rows: number }> {
  const line = sql.join(
    [
      num(sql`position`),
      num(sql`rank`),
      txt(sql`prize`),
      txt(sql`user_id`),
      txt(sql`full_name`),
      txt(sql`national_id`),
      txt(sql`phone`),
      num(sql`birth_year`),
      txt(sql`locality`),
      txt(sql`unit`),
      txt(sql`category`),
      txt(sql`attempt_id`),
      num(sql`attempt_no`),
      num(sql`score`),
      num(sql`total`),
      num(sql`prediction`),
      num(sql`prediction_error`),
      num(sql`duration_ms`),
      sql`to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
      sql`eligible::text`,
      txt(sql`ineligible_reason`),
    ],
    sql` || E'\\t' || `,
  );
  const [r] = await rawRows<{ checksum: string; ranked: number; rows: number }>(
    db,
    sql`
    select encode(sha256(convert_to(coalesce(string_agg(line, '' order by position), ''), 'UTF8')), 'hex') as checksum,
      (count(*) filter (where eligible))::int as ranked, count(*)::int as rows
    from (select position, eligible, ${line} || E'\\n' as line from finalize_rows) x`,
  );
  return r;
}

export interface PrizeChange {
  userId: string;
  fullName: string | null;
  positionBefore: number | null;
  positionAfter: number | null;
  prizeBefore: string | null;
  prizeAfter: string | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
}

/** People whose prize differs between the staged ranking and the stored one, in the new order. */
export async function stagedPrizeChanges(db: Db, roundId: string): Promise<PrizeChange[]> {
  const rows = await rawRows<PrizeChange>(
    db,
    sql`select coalesce(n.user_id, o.user_id) as "userId", coalesce(n.full_name, o.full_name) as "fullName",
      o.position as "positionBefore", n.position as "positionAfter", o.prize as "prizeBefore", n.prize as "prizeAfter",
      o.score as "scoreBefore", n.score as "scoreAfter"
    from (select f.* from finalize_rows f where f.prize is not null) n
    full join (select r.* from round_result_rows r where r.round_id = ${roundId} and r.prize is not null) o on o.user_id = n.user_id
    where n.prize is distinct from o.prize
    order by coalesce(n.position, o.position), coalesce(o.position, n.position)`,
  );
  return rows.map((r) => ({
    ...r,
    positionBefore: r.positionBefore === null ? null : Number(r.positionBefore),
    positionAfter: r.positionAfter === null ? null : Number(r.positionAfter),
    scoreBefore: r.scoreBefore === null ? null : Number(r.scoreBefore),
    scoreAfter: r.scoreAfter === null ? null : Number(r.scoreAfter),
  }));
}

/** Drops what a preview staged, so another round can be staged in the same transaction. */
export async function dropStaged(db: Db): Promise<void> {
  await rawRows(db, sql`drop table if exists finalize_rows`);
}

const DATA_COLUMNS = [
  'rank', 'prize', 'user_id', 'attempt_id', 'attempt_no', 'score', 'total', 'prediction', 'prediction_error', 'duration_ms',
  'submitted_at', 'eligible', 'ineligible_reason', 'full_name', 'national_id', 'phone', 'birth_year', 'locality', 'unit', 'category', 'flags',
] as const;

/**
 * Makes the stored rows equal to the staged ones by updating only the rows that differ,
 * adding missing positions and removing surplus ones. Deleting and re-inserting 300k rows
 * in one transaction is several times slower: each new key meets its own deleted twin in
 * the primary key index.
 */
export async function mergeStagedRows(db: Db, roundId: string): Promise<void> {
  const cols = DATA_COLUMNS.map((c) => sql.raw(c));
  const set = sql.join(cols.map((c) => sql`${c} = f.${c}`), sql`, `);
  const stored = sql.join(cols.map((c) => sql`r.${c}`), sql`, `);
  const staged = sql.join(cols.map((c) => sql`f.${c}`), sql`, `);
  await rawRows(
    db,
    sql`update round_result_rows r set ${set} from finalize_rows f
        where r.round_id = ${roundId} and f.position = r.position and (${stored}) is distinct from (${staged})`,
  );
  await rawRows(
    db,
    sql`insert into round_result_rows select f.* from finalize_rows f
        where not exists (select 1 from round_result_rows r where r.round_id = ${roundId} and r.position = f.position)
        order by f.position`,
  );
  await rawRows(db, sql`delete from round_result_rows where round_id = ${roundId} and position > (select count(*) from finalize_rows)`);
}

export interface InputsScope {
  roundId: string;
  contestId: string;
  roundNumber: number;
  onePrizePerPerson: boolean;
}

/**
 * A digest of what the ranking reads besides users: the contest's exclusion list, the
 * round's disqualifications, the earlier winners (onePrizePerPerson) and the submissions
 * (count and latest time: late submissions within the grace land after closesAt). For
 * change detection, not security: md5 is enough.
 */
export async function inputsFingerprint(db: Db, p: InputsScope): Promise<string> {
  const [r] = await rawRows<{ f: string }>(
    db,
    sql`select md5(concat_ws('|',
      (select string_agg(coalesce(e.national_id, '') || ',' || coalesce(e.phone, ''), ';' order by e.national_id, e.phone) from exclusions e where e.contest_id = ${p.contestId}),
      (select string_agg(d.user_id || ',' || d.reason, ';' order by d.user_id) from disqualifications d where d.round_id = ${p.roundId}),
      (select string_agg(w.user_id, ';' order by w.user_id) from (
        select distinct rr.user_id from round_result_rows rr join rounds r2 on r2.id = rr.round_id
        where ${p.onePrizePerPerson}::boolean and r2.contest_id = ${p.contestId} and r2.number < ${p.roundNumber} and rr.prize is not null) w),
      (select count(*) || ',' || coalesce(max(s.submitted_at)::text, '') from submissions s where s.round_id = ${p.roundId})
    )) as f`,
  );
  return r.f;
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
 * Keyset page: rows after `afterPosition`, for exports that must not hold the whole list.
 * The flags come as text, null for the many rows without any: reading an array per row
 * costs a 300,000-row export more than a second.
 */
export function resultRowsAfter(db: Db, roundId: string, afterPosition: number, limit: number): Promise<ExportRow[]> {
  return db
    .select({ ...exportColumns, flagsText: sql<string | null>`nullif(array_to_string(${roundResultRows.flags}, ';'), '')` })
    .from(roundResultRows)
    .where(and(eq(roundResultRows.roundId, roundId), sql`${roundResultRows.position} > ${afterPosition}`))
    .orderBy(asc(roundResultRows.position))
    .limit(limit);
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

export async function userHasAttempt(db: Db, roundId: string, userId: string): Promise<boolean> {
  const rows = await db.select({ id: attempts.id }).from(attempts).where(and(eq(attempts.roundId, roundId), eq(attempts.userId, userId))).limit(1);
  return rows.length > 0;
}

export async function insertDisqualification(db: Db, values: typeof disqualifications.$inferInsert) {
  const [row] = await db.insert(disqualifications).values(values).onConflictDoNothing().returning();
  return row;
}

export async function deleteDisqualification(db: Db, roundId: string, userId: string) {
  const [row] = await db
    .delete(disqualifications)
    .where(and(eq(disqualifications.roundId, roundId), eq(disqualifications.userId, userId)))
    .returning();
  return row;
}

export function listDisqualifications(db: Db, roundId: string) {
  return db.select().from(disqualifications).where(eq(disqualifications.roundId, roundId)).orderBy(asc(disqualifications.createdAt));
}

export async function answerKey(db: Db, roundId: string) {
  return db
    .select({ id: questions.id, text: questions.text, options: questions.options, explanation: questions.explanation, voidedAt: questions.voidedAt })
    .from(roundQuestions)
    .innerJoin(questions, eq(questions.id, roundQuestions.questionId))
    .where(eq(roundQuestions.roundId, roundId))
    .orderBy(asc(roundQuestions.position)) as Promise<{ id: string; text: string; options: StoredOption[]; explanation: string | null; voidedAt: Date | null }[]>;
}

export interface CollectiveRow {
  id: string;
  name: string;
  headcount: number | null;
  participants: number;
}

/**
 * Eligible participants per locality or unit: residents not on the exclusion list with a
 * submitted attempt in the contest (or in one round), not disqualified in that round.
 */
export async function collectiveCounts(db: Db, contestId: string, by: 'locality' | 'unit', roundId: string | null): Promise<CollectiveRow[]> {
  const table = by === 'locality' ? sql`localities` : sql`units`;
  const fk = by === 'locality' ? sql`u.locality_id` : sql`u.unit_id`;
  return rawRows<CollectiveRow>(
    db,
    sql`
    with people as (
      select distinct s.user_id
      from submissions s join rounds r on r.id = s.round_id
      where r.contest_id = ${contestId} and (${roundId}::text is null or s.round_id = ${roundId}::text)
        and not exists (select 1 from disqualifications d where d.round_id = s.round_id and d.user_id = s.user_id)
    ), counted as (
      select ${fk} as group_id, count(*)::int as n
      from people p join users u on u.id = p.user_id
      where u.role = 'resident'
        and not (u.national_id is not null and u.national_id in (select e.national_id from exclusions e where e.contest_id = ${contestId} and e.national_id is not null))
        and u.phone not in (select e.phone from exclusions e where e.contest_id = ${contestId} and e.phone is not null)
      group by 1
    )
    select g.id, g.name, g.headcount, coalesce(c.n, 0) as participants
    from ${table} g left join counted c on c.group_id = g.id
    where g.contest_id = ${contestId}`,
  );
}
