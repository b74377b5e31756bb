import { eq, sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { questionReviews, questions, type StoredOption } from '../../../../db/schema/index';
import { ITEM_THRESHOLDS } from '../../lib/item-analysis';
import { choiceAt, keyIndex, storedOrder } from './items.regrade.sql';

export interface PoolItem {
  id: string;
  text: string;
  options: StoredOption[];
  voided: boolean;
  /** Someone corrected the key or confirmed it. */
  reviewed: boolean;
  position: number;
}

export async function poolWithReviews(db: Db, roundId: string): Promise<PoolItem[]> {
  const rows = await rawRows<PoolItem & { position: number | string }>(
    db,
    sql`select q.id, q.text, q.options, q.voided_at is not null as voided,
      exists (select 1 from question_reviews v where v.question_id = q.id) as reviewed, rq.position
    from round_questions rq join questions q on q.id = rq.question_id
    where rq.round_id = ${roundId}
    order by rq.position, q.id`,
  );
  return rows.map((r) => ({ ...r, position: Number(r.position) }));
}

/**
 * What the item analysis reads, in a few index-backed aggregates: the submissions (count,
 * latest), the pool's keys and voids, and its reviews. Equal digests, equal analysis.
 */
export async function analysisDigest(db: Db, roundId: string): Promise<string> {
  const [r] = await rawRows<{ d: string }>(
    db,
    sql`select md5(concat_ws('|',
      (select count(*) || ',' || coalesce(max(s.submitted_at)::text, '') from submissions s where s.round_id = ${roundId}),
      (select string_agg(q.id || ',' || q.updated_at::text || ',' || coalesce(q.voided_at::text, ''), ';' order by q.id)
        from round_questions rq join questions q on q.id = rq.question_id where rq.round_id = ${roundId}),
      (select count(*) || ',' || coalesce(max(v.id), 0) from question_reviews v where v.question_id in (select rq.question_id from round_questions rq where rq.round_id = ${roundId}))
    )) as d`,
  );
  return r.d;
}

export interface CountRow {
  questionId: string;
  /** null: drew the question and left it unanswered. */
  optionId: string | null;
  drawn: number;
  chosen: number;
  chosenTop: number;
  chosenBottom: number;
}

/**
 * The counts of lib/item-analysis.ts analyzeItems over the round's submissions, in one
 * statement: each (attempt, drawn question) with the option chosen, ranked within the
 * question by the attempt's score without that question (ties by attempt id in byte
 * order); the first and the last floor(27 % of n) are the top and bottom groups.
 * Each attempt's questions are unnested once; the chosen option is one byte of the choices.
 */
export async function itemCounts(db: Db, roundId: string): Promise<CountRow[]> {
  const pct = ITEM_THRESHOLDS.GROUP_PERCENT;
  const rows = await rawRows<Record<string, string | number | null>>(
    db,
    sql`
    with keys as materialized (
      select q.id as qid, q.voided_at is not null as voided, q.options, ${keyIndex} as key
      from round_questions rq join questions q on q.id = rq.question_id
      where rq.round_id = ${roundId}
    ), drawn as (
      select s.attempt_id, s.score, d.qid, ${choiceAt(sql`s.choices`, sql`d.k`)} as c
      from submissions s join attempts a on a.id = s.attempt_id and a.round_id = ${roundId}
      cross join lateral ${storedOrder(sql`a.question_ids`)} d
      where s.round_id = ${roundId}
    ), x as (
      select d.attempt_id, d.qid, k.options -> nullif(d.c, 255) ->> 'id' as oid,
        d.score - case when k.voided or d.c = k.key then 1 else 0 end as rest
      from drawn d join keys k on k.qid = d.qid
    ), ranked as (
      select x.qid, x.oid,
        row_number() over (partition by x.qid order by x.rest desc, x.attempt_id collate "C") as rn,
        count(*) over (partition by x.qid) as n
      from x
    )
    select qid as "questionId", oid as "optionId", max(n)::int as drawn, count(*)::int as chosen,
      (count(*) filter (where rn <= (n * ${pct}::int) / 100))::int as "chosenTop",
      (count(*) filter (where rn > n - (n * ${pct}::int) / 100))::int as "chosenBottom"
    from ranked group by qid, oid`,
  );
  return rows.map((r) => ({
    questionId: String(r.questionId),
    optionId: r.optionId === null ? null : String(r.optionId),
    drawn: Number(r.drawn),
    chosen: Number(r.chosen),
    chosenTop: Number(r.chosenTop),
    chosenBottom: Number(r.chosenBottom),
  }));
}

export interface LockedQuestion {
  id: string;
  contestId: string;
  text: string;
  options: StoredOption[];
  voidedAt: Date | null;
}

/** The question under a row lock: two corrections of one question run one after the other. */
export async function lockQuestion(db: Db, questionId: string): Promise<LockedQuestion | null> {
  const [r] = await rawRows<{ id: string; contest_id: string; text: string; options: StoredOption[]; voided_at: string | Date | null }>(
    db,
    sql`select id, contest_id, text, options, voided_at from questions where id = ${questionId} for update`,
  );
  if (!r) return null;
  return { id: r.id, contestId: r.contest_id, text: r.text, options: r.options, voidedAt: r.voided_at === null ? null : new Date(r.voided_at) };
}

/**
 * The rounds whose pool holds the question, locked in id order: a correction and a
 * finalize, disqualification or publish of one round (FOR UPDATE) never interleave, and
 * two corrections never deadlock. NO KEY UPDATE, not UPDATE: residents keep starting
 * attempts in an open round meanwhile (their foreign key check takes KEY SHARE).
 */
export async function lockRoundsUsing(db: Db, questionId: string): Promise<string[]> {
  const rows = await rawRows<{ id: string }>(
    db,
    sql`select r.id from rounds r where r.id in (select rq.round_id from round_questions rq where rq.question_id = ${questionId})
        order by r.id collate "C" for no key update`,
  );
  return rows.map((r) => r.id);
}

export async function setKey(db: Db, questionId: string, options: StoredOption[], voidedAt: Date | null, at: Date): Promise<void> {
  await db.update(questions).set({ options, voidedAt, updatedAt: at }).where(eq(questions.id, questionId));
}

export async function insertReview(db: Db, values: typeof questionReviews.$inferInsert) {
  const [row] = await db.insert(questionReviews).values(values).returning();
  return row;
}

/** Marks the stored results of these rounds stale; returns the rounds that had results. */
export async function markResultsStale(db: Db, roundIds: string[]): Promise<string[]> {
  if (roundIds.length === 0) return [];
  const rows = await rawRows<{ round_id: string }>(
    db,
    sql`update round_results set stale = true where round_id in (select jsonb_array_elements_text(${JSON.stringify(roundIds)}::jsonb)) returning round_id`,
  );
  return rows.map((r) => r.round_id).sort();
}

/** Session settings for one big regrade: hash joins of a million rows stay in memory, no JIT. */
export async function tuneForRegrade(db: Db): Promise<void> {
  await rawRows(db, sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
}
