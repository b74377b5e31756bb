// Finalize in SQL: the ranking of lib/ranking.ts staged in a table of its own, its checksum,
// the prize changes a correction would make, and the merge into the stored rows. The
// fair-play flags are in fairplay.sql.ts, the eligibility joins in eligibility.sql.ts.
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { copyOut, rawRows, type Db } from '../../../../db/client';
import { CANONICAL_COLUMNS, TARGET_COUNTS, type PredictionTarget, type PrizeTier } from '../../lib/ranking';
import { CanonicalCopyHash } from './canonical-copy';
import { eligibilityJoins, ineligibleUsers, reasonSql } from './eligibility.sql';

/**
 * Session settings for the big ranking statements of one transaction: sorts of a million
 * rows stay in memory instead of spilling to disk, and no JIT compile (it costs more than
 * it saves on these plans). Parallel workers are not charged for starting or for passing
 * rows: with the default costs Postgres ranks and hashes a round's 300k staged rows in one
 * process. Tables under min_parallel_table_scan_size (8 MB) are still read by one process,
 * so a small round's staged rows start no workers. A scan of a big table starts at its
 * first page, not where another scan of it happens to be (synchronize_seqscans): a round's
 * first rows are stored in the order the staged table is read (storeStagedRows).
 */
export async function tuneForRanking(db: Db): Promise<void> {
  await rawRows(
    db,
    sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true),
      set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true),
      set_config('synchronize_seqscans', 'off', true)`,
  );
}

/**
 * The tables a round's ranking is staged in (stageRankedRows) until it is merged into the
 * stored rows or, in a correction's dry run, compared with them. Unlogged tables rather than
 * temporary ones: Postgres's parallel workers cannot read a session's temporary tables, and
 * with two workers the ranking and its checksum over 1M submissions take about 0.7 s less
 * (bench:finalize). Named after the round: finalize and a correction's dry run stage a round
 * only under its row lock, so two transactions never stage the same round at once, and two
 * rounds never wait for each other's catalog entry. Their rows are not written to the WAL,
 * and they are never committed: dropStaged drops them before the transaction ends, and a
 * transaction that fails takes their CREATE with it. Should Postgres itself crash while they
 * exist, its recovery empties every unlogged table, so what is left on disk is a few empty
 * files (checked with a backend killed by signal 9), not a round's worth of rows.
 */
export interface Staging {
  /** One row per participant, ranked: the stored row's columns but the flags, and what fairplay.sql.ts compares. */
  rows: SQL;
  /** Each participant's best attempt, while the ranking is made. */
  best: SQL;
  /** The fair-play flags (fairplay.sql.ts stageFlags): position and flags of the rows that have any. */
  flags: SQL;
}

export function stagingOf(roundId: string): Staging {
  const tag = createHash('sha1').update(roundId).digest('hex').slice(0, 32);
  return {
    rows: sql`${sql.identifier(`finalize_rows_${tag}`)}`,
    best: sql`${sql.identifier(`finalize_best_${tag}`)}`,
    flags: sql`${sql.identifier(`finalize_flags_${tag}`)}`,
  };
}

/**
 * The actual count (lib/ranking.ts TARGET_COUNTS): the one count the round's prediction
 * target takes, over eligible participants. The round's total less that of the people the
 * rule turns away, who are few (ineligibleUsers), so the rule is not asked of 300k
 * people. The number of participants is not counted here: it is the number of staged rows
 * (one per person, counted with their checksum). With it, from the same read of the round's
 * submissions, their part of the inputs' digest (SUBMISSIONS_DIGEST).
 */
export async function actualCountIn(
  db: Db,
  roundId: string,
  contestId: string,
  target: PredictionTarget,
): Promise<{ actualCount: number; submissions: string }> {
  const { allCorrect, people } = TARGET_COUNTS[target];
  const counted = allCorrect ? sql`s.score = s.total` : sql`true`;
  const count = people ? sql`count(distinct s.user_id collate "C")` : sql`count(*)`;
  // One read of the round's submissions, in one process (a distinct count has no parallel
  // plan): the total, the part of it the rule turns away (the few ineligible people hashed
  // once) and the digest's part. It replaced three statements, two of them parallel: an
  // index-only scan for the digest, a scan grouping by person for the total, and index
  // lookups of the ineligible people's submissions. 1M submissions: 0.62-0.73 s against
  // 0.83-1.13 s warm (without the turned-away part: 0.36-0.38 against 0.44-0.79 s, and after
  // a restart with the OS's cache dropped 0.37-0.40 against 0.85-1.56 s). People are told apart under
  // "C": byte comparison sorts faster than a locale's (the participants target: 0.87 against
  // 1.8 s).
  const [r] = await rawRows<{ n: number; away: number; submissions: string }>(
    db,
    sql`select ${count} filter (where ${counted})::int as n,
        ${count} filter (where ${counted} and s.user_id in (select i.user_id from ${ineligibleUsers(roundId, contestId)} i))::int as away,
        ${SUBMISSIONS_DIGEST} as submissions
      from submissions s where s.round_id = ${roundId}`,
  );
  return { actualCount: Number(r.n) - Number(r.away), submissions: r.submissions };
}

/**
 * The order chain's first two keys, score descending then prediction error ascending, as one
 * bigint, sorted ascending: most comparisons of a sort end on its first key, which Postgres
 * keeps beside each row, without reading the row's other keys (1M submissions, each sort
 * alone in one process, alternated: the ranking's window over 300k wide rows 0.73-0.76 s
 * against 0.83-0.98 s, the best attempts' 3.00-3.19 s against 3.24-3.45 s). The error is
 * below 2^32 (a prediction is at most 10^8, the count is not negative), so it never reaches
 * the score's bits.
 */
const scoreThenError = (score: SQL, err: SQL) => sql`(-(${score}))::bigint * 4294967296 + (${err})`;

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
  const staging = stagingOf(p.roundId);
  const prizes = JSON.stringify(p.prizes);
  const prizeCount = p.prizes.reduce((n, t) => n + t.count, 0);
  // Staged first (Staging): no foreign key checks, indexes or WAL while ranking, and the
  // stored rows are then touched only where they change (see storeStagedRows).
  // Each participant's best attempt first, on its own: this sort of every submission of the
  // round is the largest part of a finalize (1M submissions: 1.8 s alone, 0.9 s with two
  // workers). CREATE TABLE AS, not INSERT ... SELECT: only the former runs its query in
  // parallel. The two ids are taken under "C" as the sort compares them, so that each is
  // one column of the rows being sorted, not two (the id and the id under "C"): 1M
  // submissions, this statement alone, 1.72-1.78 s against 1.96-2.19 s (about 22:20 UTC).
  // Equality is the same under either collation, and one that is not the default wins over
  // the default where they meet (the joins with users and the stored rows).
  await rawRows(
    db,
    sql`create unlogged table ${staging.best} as
      select distinct on (s.user_id collate "C") s.attempt_id collate "C" as attempt_id, s.user_id collate "C" as user_id, s.attempt_no, s.score, s.total, s.prediction,
        abs(s.prediction - ${p.actualCount}::int) as err, s.duration_ms, date_trunc('milliseconds', s.submitted_at) as submitted_at,
        s.answers_seq, s.answers_set, s.client_ip, s.device_id
      from submissions s
      where s.round_id = ${p.roundId}
      -- Milliseconds, as every export shows them: the order must be reproducible from the file.
      order by s.user_id collate "C", ${scoreThenError(sql`s.score`, sql`abs(s.prediction - ${p.actualCount}::int)`)}, s.duration_ms,
        date_trunc('milliseconds', s.submitted_at), s.attempt_id collate "C"`,
  );
  // Then the ranked rows, with the stored row's columns (storeStagedRows copies those) and
  // what the fair-play flags compare (fairplay.sql.ts), taken with the row: no second read of
  // the round's submissions.
  await rawRows(
    db,
    sql`
    create unlogged table ${staging.rows} (round_id, position, rank, prize, user_id, attempt_id, attempt_no, score, total, prediction,
      prediction_error, duration_ms, submitted_at, eligible, ineligible_reason, full_name, national_id, phone, birth_year, locality, unit, category,
      answers_seq, answers_set, client_ip, device_id) as
    with prior as (
      select distinct rr.user_id
      from round_result_rows rr join rounds r2 on r2.id = rr.round_id
      where ${p.onePrizePerPerson}::boolean and r2.contest_id = ${p.contestId} and r2.number < ${p.roundNumber} and rr.prize is not null
    ), ordered as (
      select b.*, u.full_name, u.national_id, u.phone, u.birth_year, u.category, l.name as locality, un.name as unit,
        ${reasonSql} as reason,
        (pr.user_id is not null) as won_before,
        ${scoreThenError(sql`b.score`, sql`b.err`)} as score_err
      from ${staging.best} b
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
      window w as (order by o.score_err, o.duration_ms, o.submitted_at, o.attempt_id collate "C" rows between unbounded preceding and current row)
    ), tiers as materialized (
      select t.p ->> 'name' as name, (t.p ->> 'count')::int as cnt, sum((t.p ->> 'count')::int) over (order by t.ord) as up_to
      from jsonb_array_elements(${prizes}::jsonb) with ordinality as t(p, ord)
    )
    -- Cast to the stored columns' types (a running count is a bigint).
    select ${p.roundId}::text, n.position::int, n.rank::int,
      -- The tiers are looked up for the prize-taking rows only, not for each of 300k rows.
      case when n.prize_seq <= ${prizeCount}::int then (select t.name from tiers t where n.prize_seq > t.up_to - t.cnt and n.prize_seq <= t.up_to) end,
      n.user_id, n.attempt_id, n.attempt_no, n.score, n.total, n.prediction, n.err, n.duration_ms, n.submitted_at,
      n.reason is null, n.reason, n.full_name, n.national_id, n.phone, n.birth_year, n.locality, n.unit, n.category,
      n.answers_seq, n.answers_set, n.client_ip, n.device_id
    from numbered n`,
  );
  await rawRows(db, sql`drop table ${staging.best}`);
}

/**
 * The canonical columns (lib/ranking.ts CANONICAL_COLUMNS) as COPY is to write them
 * (canonical-copy.ts), by their names in the staged rows and in the stored ones alike.
 */
const CANONICAL_SQL: Record<(typeof CANONICAL_COLUMNS)[number], SQL> = {
  position: sql`position`,
  rank: sql`rank`,
  prize: sql`prize`,
  userId: sql`user_id`,
  fullName: sql`full_name`,
  nationalId: sql`national_id`,
  phone: sql`phone`,
  birthYear: sql`birth_year`,
  locality: sql`locality`,
  unit: sql`unit`,
  category: sql`category`,
  attemptId: sql`attempt_id`,
  attemptNo: sql`attempt_no`,
  score: sql`score`,
  total: sql`total`,
  prediction: sql`prediction`,
  predictionError: sql`prediction_error`,
  durationMs: sql`duration_ms`,
  submittedAt: sql`to_char(submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  eligible: sql`eligible::text`,
  ineligibleReason: sql`ineligible_reason`,
};
/** COPY's text format as canonical-copy.ts reads it: NULL as the empty string. */
const COPY_TEXT = `(format text, null '')`;
const CANONICAL_LIST = sql.join(
  CANONICAL_COLUMNS.map((c) => CANONICAL_SQL[c]),
  sql`, `,
);

/** What a finalize stores with the rows: their checksum, how many are ranked, how many there are. */
export interface RowsSum {
  checksum: string;
  ranked: number;
  rows: number;
}

/**
 * The checksum of lib/ranking.ts checksumOf over the staged rows: COPY writes the canonical
 * columns in position order in its text format, whose lines are the canonical lines but for
 * three escapes that canonical-copy.ts undoes, and they are hashed in Node as they arrive
 * (never held whole on a Postgres server). The rows are first read as they lie, by one
 * process and unsorted: stageRankedRows wrote them in position order (see insertStagedRows
 * for why they stay in it), and the hash checks that the positions came 1, 2, 3, …; only if
 * they did not are they read again, sorted by position (parallel workers read and sort, the
 * leader formats). 1M submissions, the COPY alone: 0.62-0.66 s unsorted against 1.00-1.07 s
 * sorted (about 22:15 UTC).
 */
export async function stagedChecksum(db: Db, roundId: string): Promise<RowsSum> {
  const staging = stagingOf(roundId);
  const asStored = await withLocalSetting(db, 'max_parallel_workers_per_gather', '0', () => hashCopy(db, sql`select ${CANONICAL_LIST} from ${staging.rows}`));
  return asStored.ordered ? sumOf(asStored) : sortedChecksum(db, roundId);
}

/** stagedChecksum's second way: the staged rows sorted by position. */
async function sortedChecksum(db: Db, roundId: string): Promise<RowsSum> {
  return sumOf(await hashCopy(db, sql`select ${CANONICAL_LIST} from ${stagingOf(roundId).rows} order by position`));
}

/** COPY of `query` (the canonical columns) hashed as it arrives. */
async function hashCopy(db: Db, query: SQL): Promise<CanonicalCopyHash> {
  const hash = new CanonicalCopyHash();
  await copyOut(db, query, COPY_TEXT, (chunk) => hash.push(chunk));
  return hash;
}

const sumOf = (hash: CanonicalCopyHash): RowsSum => ({ checksum: hash.digest(), ranked: hash.ranked, rows: hash.rows });

/**
 * Runs `fn` with a planner setting changed for the transaction, then puts the setting back
 * as it was: for one statement whose plan the default settings get wrong. Should `fn` fail,
 * so does the transaction, and the setting ends with it.
 */
export async function withLocalSetting<T>(db: Db, name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const [{ was }] = await rawRows<{ was: string }>(db, sql`select current_setting(${name}) as was, set_config(${name}, ${value}, true)`);
  const result = await fn();
  await rawRows(db, sql`select set_config(${name}, ${was}, true)`);
  return result;
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

/**
 * People whose prize differs between the staged ranking and the stored one, in the new order,
 * with their place and score on both sides: someone who loses a prize is still ranked (null
 * only for who is in one ranking and not the other, e.g. disqualified since).
 */
export async function stagedPrizeChanges(db: Db, roundId: string): Promise<PrizeChange[]> {
  const staging = stagingOf(roundId);
  const rows = await rawRows<PrizeChange>(
    db,
    sql`with prized as (
      select f.user_id from ${staging.rows} f where f.prize is not null
      union
      select r.user_id from round_result_rows r where r.round_id = ${roundId} and r.prize is not null
    )
    select p.user_id as "userId", coalesce(n.full_name, o.full_name) as "fullName",
      o.position as "positionBefore", n.position as "positionAfter", o.prize as "prizeBefore", n.prize as "prizeAfter",
      o.score as "scoreBefore", n.score as "scoreAfter"
    from prized p
    left join ${staging.rows} n on n.user_id = p.user_id
    left join round_result_rows o on o.round_id = ${roundId} and o.user_id = p.user_id
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

/** Drops what was staged: before the transaction ends, as the staged rows are never committed. */
export async function dropStaged(db: Db, roundId: string): Promise<void> {
  const staging = stagingOf(roundId);
  await rawRows(db, sql`drop table if exists ${staging.rows}, ${staging.flags}`);
}

const DATA_COLUMNS = [
  'rank',
  'prize',
  'user_id',
  'attempt_id',
  'attempt_no',
  'score',
  'total',
  'prediction',
  'prediction_error',
  'duration_ms',
  'submitted_at',
  'eligible',
  'ineligible_reason',
  'full_name',
  'national_id',
  'phone',
  'birth_year',
  'locality',
  'unit',
  'category',
  'flags',
] as const;
const DATA = DATA_COLUMNS.map((c) => sql.raw(c));
/** The stored rows' data columns, as named or as taken from the rows of `alias`. */
const dataList = (alias?: 'f' | 'r') => sql.join(alias ? DATA.map((c) => sql`${sql.raw(alias)}.${c}`) : DATA, sql`, `);

/** The staged rows with their flags (fairplay.sql.ts stageFlags: only rows with flags are there). */
function stagedWithFlags(staging: Staging): SQL {
  return sql`(select s.*, coalesce(g.flags, '{}'::text[]) as flags from ${staging.rows} s left join ${staging.flags} g on g.position = s.position)`;
}

/**
 * Makes the stored rows of the round equal to the staged ones and says their checksum
 * (stagedChecksum). A round's first rows are inserted (insertStagedRows); otherwise only
 * the rows that differ are written (mergeStagedRows), and none when the stored rows already
 * are the staged ones.
 */
export async function storeStagedRows(db: Db, roundId: string, storedChecksum: string | null): Promise<RowsSum> {
  const [{ stored }] = await rawRows<{ stored: boolean }>(db, sql`select exists (select from round_result_rows where round_id = ${roundId}) as stored`);
  if (!stored) return insertStagedRows(db, roundId);
  const sum = await stagedChecksum(db, roundId);
  await mergeStagedRows(db, roundId, { stored: storedChecksum, staged: sum.checksum });
  return sum;
}

/**
 * A round's first rows: nothing is stored to compare them with, so one plain INSERT, which
 * costs less than the MERGE's join with the stored rows and its test of each row (1M
 * submissions, alternated: 0.94-1.10 s against 1.12-1.18 s; 1.32-1.38 against 1.68-1.71 s
 * into an empty table alone), and no surplus to remove. The checksum is taken of the rows
 * as the INSERT writes them: COPY writes its RETURNING, the canonical columns of each
 * stored row, and Node hashes them while Postgres goes on inserting, instead of a pass of
 * its own over the staged rows (stagedChecksum; 1M submissions, alternated in a slow hour:
 * 1.88-2.48 s for both against 2.05-2.95 s). The INSERT writes the rows in the order it
 * reads them, which is position order: stageRankedRows wrote the staged table by CREATE
 * TABLE AS, from one process and in that order, and CREATE TABLE AS fills page after page
 * (it never goes back to a page with room left); the scan starts at the first page
 * (tuneForRanking turns synchronized scans off), and the join hashes the few flags and
 * probes them in the staged rows' order. Nothing promises that order, so the hash checks
 * that the positions came 1, 2, 3, …; should they not, the checksum is taken of the staged
 * rows in position order after all.
 */
async function insertStagedRows(db: Db, roundId: string): Promise<RowsSum> {
  const hash = await hashCopy(
    db,
    sql`insert into round_result_rows (round_id, position, ${dataList()})
      select f.round_id, f.position, ${dataList('f')} from ${stagedWithFlags(stagingOf(roundId))} f
      returning ${CANONICAL_LIST}`,
  );
  return hash.ordered ? sumOf(hash) : sortedChecksum(db, roundId);
}

/**
 * Makes the stored rows equal to the staged ones by updating only the rows that differ,
 * adding missing positions (one MERGE, one pass over both) and removing surplus ones.
 * Deleting and re-inserting 300k rows in one transaction is several times slower: each new
 * key meets its own deleted twin in the primary key index. When the stored rows already are
 * the staged ones (storedRowsMatch) nothing is compared row by row.
 */
async function mergeStagedRows(db: Db, roundId: string, checksums: { stored: string | null; staged: string }): Promise<void> {
  const staging = stagingOf(roundId);
  if (await storedRowsMatch(db, staging, roundId, checksums)) return;
  const set = sql.join(
    DATA.map((c) => sql`${c} = f.${c}`),
    sql`, `,
  );
  await rawRows(
    db,
    sql`merge into round_result_rows r using ${stagedWithFlags(staging)} f on r.round_id = ${roundId} and r.position = f.position
        when matched and (${dataList('r')}) is distinct from (${dataList('f')}) then update set ${set}
        when not matched then insert (round_id, position, ${dataList()}) values (f.round_id, f.position, ${dataList('f')})`,
  );
  await rawRows(db, sql`delete from round_result_rows where round_id = ${roundId} and position > (select count(*) from ${staging.rows})`);
}

/**
 * Whether the stored rows already are the staged ones, so that merging them would write
 * nothing: the staged checksum equals the one stored with them (finalize writes the rows and
 * their checksum in one transaction, and nothing else writes them), which covers every
 * stored column but the flags, and the flags are the same row for row. Comparing the few
 * flagged rows costs a fraction of the MERGE's pass over both sides (1M submissions: ~0.2
 * against ~0.8 s).
 */
async function storedRowsMatch(db: Db, staging: Staging, roundId: string, checksums: { stored: string | null; staged: string }): Promise<boolean> {
  if (checksums.stored !== checksums.staged) return false;
  const digest = (rows: SQL) =>
    sql`(select coalesce(string_agg(position::text || ':' || array_to_string(flags, ','), ';' order by position), '') from ${rows})`;
  const [r] = await rawRows<{ same: boolean }>(
    db,
    sql`select ${digest(staging.flags)} = ${digest(sql`round_result_rows where round_id = ${roundId} and cardinality(flags) > 0`)} as same`,
  );
  return r.same;
}

export interface InputsScope {
  roundId: string;
  contestId: string;
  roundNumber: number;
  onePrizePerPerson: boolean;
}

/**
 * The submissions' part of the inputs' digest, over `submissions s` of one round: their
 * count and latest time (late submissions within the grace land after closesAt).
 */
const SUBMISSIONS_DIGEST = sql`count(*) || ',' || coalesce(max(s.submitted_at)::text, '')`;

/** The inputs' digest (inputsFingerprint) but for the submissions' part, which digestInputs adds. */
export interface InputParts {
  exclusions: string | null;
  disqualifications: string | null;
  winners: string | null;
}

/**
 * What the inputs' digest reads besides the submissions: the contest's exclusion list, the
 * round's disqualifications and the earlier winners (onePrizePerPerson), each null when
 * there is none.
 */
export async function inputParts(db: Db, p: InputsScope): Promise<InputParts> {
  const [r] = await rawRows<InputParts>(
    db,
    sql`select
      (select string_agg(coalesce(e.national_id, '') || ',' || coalesce(e.phone, ''), ';' order by e.national_id, e.phone) from exclusions e where e.contest_id = ${p.contestId}) as exclusions,
      (select string_agg(d.user_id || ',' || d.reason, ';' order by d.user_id) from disqualifications d where d.round_id = ${p.roundId}) as disqualifications,
      (select string_agg(w.user_id, ';' order by w.user_id) from (
        select distinct rr.user_id from round_result_rows rr join rounds r2 on r2.id = rr.round_id
        where ${p.onePrizePerPerson}::boolean and r2.contest_id = ${p.contestId} and r2.number < ${p.roundNumber} and rr.prize is not null) w) as winners`,
  );
  return r;
}

/** The inputs' digest of its parts and the submissions' part (SUBMISSIONS_DIGEST). */
export async function digestInputs(db: Db, parts: InputParts, submissions: string): Promise<string> {
  const [r] = await rawRows<{ f: string }>(
    db,
    sql`select md5(concat_ws('|', ${parts.exclusions}::text, ${parts.disqualifications}::text, ${parts.winners}::text, ${submissions}::text)) as f`,
  );
  return r.f;
}

/** The submissions' part of the inputs' digest (SUBMISSIONS_DIGEST), with the latest submission time it covers ('' when none). */
export async function submissionsDigest(db: Db, roundId: string): Promise<{ part: string; latest: string }> {
  const [r] = await rawRows<{ part: string; latest: string }>(
    db,
    sql`select ${SUBMISSIONS_DIGEST} as part, coalesce(max(s.submitted_at)::text, '') as latest from submissions s where s.round_id = ${roundId}`,
  );
  return r;
}

/** The round's latest submission time as the digest writes it ('' when none): one probe of submissions_round_submitted_idx. */
export async function latestSubmission(db: Db, roundId: string): Promise<string> {
  const [r] = await rawRows<{ latest: string }>(
    db,
    sql`select coalesce(max(s.submitted_at)::text, '') as latest from submissions s where s.round_id = ${roundId}`,
  );
  return r.latest;
}

/**
 * A digest of what the ranking reads besides users: the contest's exclusion list, the
 * round's disqualifications, the earlier winners (onePrizePerPerson) and the submissions
 * (count and latest time: late submissions within the grace land after closesAt). For
 * change detection, not security: md5 is enough. Finalize takes the same digest in steps
 * (inputParts, then the submissions' part with the actual count, then digestInputs).
 * `submissions` gives the submissions' part (default: counted now, submissionsDigest).
 */
export async function inputsFingerprint(
  db: Db,
  p: InputsScope,
  submissions: (db: Db, roundId: string) => Promise<string> = async (d, id) => (await submissionsDigest(d, id)).part,
): Promise<string> {
  const parts = await inputParts(db, p);
  return digestInputs(db, parts, await submissions(db, p.roundId));
}
