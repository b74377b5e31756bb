import { sql, type SQL } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';

// The SQL that reads a submission's stored choices (lib/choices.ts: one byte per question,
// the attempt's questions in byte order of their ids) for the regrade and the analysis.

/** The index of the keyed option in `q.options` (the stored choices name options by index). */
export const keyIndex = sql`(select (o.n - 1)::int from jsonb_array_elements(q.options) with ordinality o(v, n) where (o.v ->> 'correct')::boolean limit 1)`;

/** The byte of a submission's choices at index k (lib/choices.ts), 255 (none) past its end. */
export const choiceAt = (choices: SQL, k: SQL) => sql`(case when ${k} < length(${choices}) then get_byte(${choices}, ${k}) else 255 end)`;

/** An attempt's question ids with k, each one's index in the stored choices (byte order of the ids). */
export const storedOrder = (questionIds: SQL) =>
  sql`(select u.qid, (rank() over (order by u.qid collate "C"))::int - 1 as k from unnest(${questionIds}) u(qid))`;

export interface KeyChange {
  questionId: string;
  roundIds: string[];
  /** Keys as indexes in the question's options (the stored choices name options by index). */
  oldKey: number;
  oldVoided: boolean;
  newKey: number;
  newVoided: boolean;
}

export interface RegradeCount {
  roundId: string;
  /** Submissions whose attempt drew the question. */
  drew: number;
  /** Of those, the ones whose score changed. */
  changed: number;
}

/**
 * Rounds whose every attempt drew the whole pool: the pool holds exactly questionCount
 * questions (pool and question count are locked once a round has attempts, ROUND_LOCKED).
 * Their submissions all drew the question, so the regrade needs no attempt row.
 */
export async function fullDrawRounds(db: Db, roundIds: string[]): Promise<Set<string>> {
  if (roundIds.length === 0) return new Set();
  const rows = await rawRows<{ id: string }>(
    db,
    sql`select r.id from rounds r
        where r.id in (select jsonb_array_elements_text(${JSON.stringify(roundIds)}::jsonb))
          and r.question_count = (select count(*) from round_questions rq where rq.round_id = r.id)`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Regrades every submission that drew the question, in one statement per kind of round:
 * what the question gives an attempt (1 when voided or when the chosen option is the key)
 * is taken out of the stored score with the old key and put back with the new one. Only
 * rows whose score changes are written. The stored scores were graded with the old key
 * (lib/scoring.ts), so the result equals grading each submission again from scratch (the
 * property test checks it against lib/scoring.ts grade). The choice is one byte of the
 * row (lib/choices.ts), at the question's index among the attempt's questions in byte
 * order: where every attempt drew the whole pool, that index is the question's among the
 * pool's and submissions are read alone; elsewhere each attempt gives it.
 */
export async function regrade(db: Db, c: KeyChange): Promise<RegradeCount[]> {
  if (c.roundIds.length === 0) return [];
  const gives = (voided: boolean, key: number, k: SQL) =>
    sql`case when ${voided}::boolean then 1 when ${choiceAt(sql`s.choices`, k)} = ${key}::int then 1 else 0 end`;
  const delta = (k: SQL) => sql`(${gives(c.newVoided, c.newKey, k)} - ${gives(c.oldVoided, c.oldKey, k)})`;
  const inList = (ids: string[]) => sql`(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;
  const full = await fullDrawRounds(db, c.roundIds);
  const fullIds = c.roundIds.filter((id) => full.has(id));
  const partIds = c.roundIds.filter((id) => !full.has(id));
  const counts: { round_id: string; drew: number; changed: number }[] = [];
  const addCounts = async (query: SQL) => counts.push(...(await rawRows<(typeof counts)[number]>(db, query)));
  if (fullIds.length) {
    await addCounts(
      sql`
        with p as materialized (
          select rq.round_id, (select count(*) from round_questions r2 where r2.round_id = rq.round_id and r2.question_id collate "C" < ${c.questionId})::int as k
          from round_questions rq where rq.round_id in ${inList(fullIds)} and rq.question_id = ${c.questionId}
        ), upd as (
          -- Clamped: a score outside 0..total would break the row's CHECK and the whole regrade.
          update submissions s set score = least(s.total, greatest(0, s.score + ${delta(sql`p.k`)}))
          from p where s.round_id = p.round_id and ${delta(sql`p.k`)} <> 0
          returning s.round_id
        ), changed as (select round_id, count(*)::int as n from upd group by round_id)
        select s.round_id, count(*)::int as drew, coalesce(max(c.n), 0)::int as changed
        from submissions s left join changed c on c.round_id = s.round_id
        where s.round_id in ${inList(fullIds)} group by s.round_id`,
    );
  }
  if (partIds.length) {
    await addCounts(
      sql`
        with drew as materialized (
          select s.attempt_id, s.round_id, ${delta(sql`p.k`)} as delta
          from submissions s join attempts a on a.id = s.attempt_id
          cross join lateral (select (count(*) filter (where x.qid collate "C" < ${c.questionId}))::int as k from unnest(a.question_ids) x(qid)) p
          where s.round_id in ${inList(partIds)} and a.round_id in ${inList(partIds)} and ${c.questionId}::text = any(a.question_ids)
        ), upd as (
          update submissions s set score = least(s.total, greatest(0, s.score + d.delta)) from drew d
          where s.attempt_id = d.attempt_id and d.delta <> 0
        )
        select round_id, count(*)::int as drew, (count(*) filter (where delta <> 0))::int as changed from drew group by round_id`,
    );
  }
  const byRound = new Map(counts.map((r) => [r.round_id, r]));
  return c.roundIds.map((roundId) => ({ roundId, drew: Number(byRound.get(roundId)?.drew ?? 0), changed: Number(byRound.get(roundId)?.changed ?? 0) }));
}

/**
 * Grades again from scratch, with the keys as stored now, the submissions of these rounds
 * that drew the question and were submitted since `since`: those an API process graded
 * with its cached copy of the old key while the correction committed (the copy follows
 * within the round cache's TTL). Idempotent. Returns the rounds where a score changed.
 */
export async function settleScores(db: Db, questionId: string, roundIds: string[], since: Date): Promise<string[]> {
  if (roundIds.length === 0) return [];
  const rounds = sql`(select jsonb_array_elements_text(${JSON.stringify(roundIds)}::jsonb))`;
  const rows = await rawRows<{ round_id: string }>(
    db,
    sql`
    with keys as materialized (
      select q.id as qid, q.voided_at is not null as voided, ${keyIndex} as key
      from questions q where q.id in (select rq.question_id from round_questions rq where rq.round_id in ${rounds})
    ), late as (
      select s.attempt_id, s.total,
        (select count(*) from ${storedOrder(sql`a.question_ids`)} d join keys k on k.qid = d.qid
          where k.voided or ${choiceAt(sql`s.choices`, sql`d.k`)} = k.key)::int as score
      from submissions s join attempts a on a.id = s.attempt_id
      where s.round_id in ${rounds} and s.submitted_at >= ${since.toISOString()}::timestamptz and ${questionId}::text = any(a.question_ids)
    )
    update submissions s set score = least(l.total, l.score) from late l
    where s.attempt_id = l.attempt_id and s.score <> least(l.total, l.score)
    returning s.round_id`,
  );
  return [...new Set(rows.map((r) => r.round_id))].sort();
}
