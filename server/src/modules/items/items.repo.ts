import { eq, sql, type SQL } from 'drizzle-orm';
import { idleLimit, rawRows, type Db } from '../../../../db/client';
import { questionReviews, questions, type StoredOption } from '../../../../db/schema/index';
import { ITEM_THRESHOLDS } from '../../lib/item-analysis';
import { choiceAt, fullDrawRounds, keyIndex } from './items.regrade.sql';

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
 * statement. The attempts that drew a question are ranked by their score without it, ties
 * by attempt id in byte order; the first and the last groupSize(n) are the top and bottom
 * groups. That order is never sorted whole (300k submissions of 20 questions: a sort of 6M
 * rows spilling 3.3 GB, 78-128 s). First the (question, score, chosen byte) cells are
 * counted, a few thousand rows; the score without the question follows from each cell and
 * the key. Groups of equal score without the question lie whole in the top group, whole in
 * the bottom one or in neither (lib/item-analysis.ts groupCuts, here in SQL), but for the one
 * or two where a group ends. There the attempts are numbered once in attempt id order,
 * each cut cell's attempts counted per bucket of about the square root of those numbers, and
 * only the bucket where a group ends is ordered attempt by attempt (1M submissions: 5.5M
 * (attempt, question) rows of cut groups were sorted, 586 MB).
 *
 * Each submission is read once (roundSubmissions), and with it where each drawn question's
 * byte sits in its choices: in a round whose every attempt draws the whole pool that is the
 * question's place among the pool's ids in byte order (lib/choices.ts), so the attempts are
 * not read at all; otherwise each attempt's question ids are sorted once, there, and kept
 * with the submission for the cells and the cut groups alike (they were read and sorted
 * twice, once per statement).
 */
export async function itemCounts(db: Db, roundId: string): Promise<CountRow[]> {
  return db.transaction(
    async (tx) => {
      // The submissions kept for the second read and the hashes stay in memory; no JIT:
      // compiling costs more than it saves on these plans. Hash joins and hash aggregates
      // where there is a choice: Postgres cannot size this statement's steps (joins on a
      // computed byte, CTEs) and takes a handful of rows where there are millions (1M
      // submissions: 6,550 against 5.5M; 1 against 160,000), then sorts millions of rows to
      // group them or reads 160,000 rows once per row.
      await rawRows(
        tx,
        sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true),
          set_config('enable_sort', 'off', true), set_config('enable_nestloop', 'off', true)`,
      );
      const full = (await fullDrawRounds(tx, [roundId])).has(roundId);
      const rows = await rawRows<Record<string, string | number | null>>(tx, countsSql(roundId, full));
      return rows.map((r) => ({
        questionId: String(r.qid),
        optionId: r.oid === null ? null : String(r.oid),
        drawn: Number(r.drawn),
        chosen: Number(r.chosen),
        chosenTop: Number(r.top),
        chosenBottom: Number(r.bottom),
      }));
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/**
 * The round's submissions once each (`subs`: attempt id, score, choices) with `js`, the
 * pool places (pool.j) of the attempt's questions in the stored order of its choices (null
 * for an id outside the pool, which still takes its byte), or null where the attempt drew
 * the whole pool: its choices hold one byte per pool question, a question's byte at its
 * place. A round whose question count is its pool's size draws the whole pool in every
 * attempt (pool and count are locked once it has attempts), so its attempts are not read
 * but for a submission whose choices say otherwise. Materialized: read by the cells and
 * again, for a few scores, by the cut groups.
 */
function roundSubmissions(roundId: string, full: boolean): SQL {
  const places = (a: SQL) => sql`array(select (pl.places ->> x.qid)::int from unnest(${a}.question_ids) x(qid) order by x.qid collate "C")`;
  const placesJson = sql`(select jsonb_object_agg(p.qid, p.j) as places from pool p) pl`;
  if (full)
    return sql`
      select s.attempt_id, s.score, s.choices,
        case when length(s.choices) <> (select count(*) from pool) then (select ${places(sql`a`)} from attempts a cross join ${placesJson} where a.id = s.attempt_id) end as js
      from submissions s where s.round_id = ${roundId}`;
  return sql`
    select s.attempt_id, s.score, s.choices, ${places(sql`a`)} as js
    from submissions s join attempts a on a.id = s.attempt_id and a.round_id = ${roundId}
    cross join ${placesJson}
    where s.round_id = ${roundId}`;
}

/**
 * `body` over the drawn questions of the rows of `from` (alias d), given as a subquery of
 * d's columns with the question's pool place j and the chosen byte c; once for the rows
 * whose attempt drew the whole pool (a question's byte at index j - 1) and once for those
 * with `js` (unnested), the two results appended. `body` aggregates: the rows are many.
 */
function overDrawn(from: SQL, body: (drawn: SQL) => SQL): SQL {
  return sql`(${body(wholePool(from))} union all ${body(drawnOf(from))})`;
}

/** The drawn questions of the rows of `from` whose attempt drew the whole pool (see overDrawn). */
const wholePool = (from: SQL) => sql`(select d.*, p.j, ${choiceAt(sql`d.choices`, sql`p.j - 1`)} as c from pool p cross join ${from} d where d.js is null)`;

/** The drawn questions of the rows of `from` that name their pool places (`js`, see overDrawn). */
const drawnOf = (from: SQL) => sql`(select d.*, x.j, ${choiceAt(sql`d.choices`, sql`(x.k - 1)::int`)} as c
  from ${from} d cross join lateral unnest(d.js) with ordinality x(j, k) where x.j is not null)`;

/**
 * The cells of the submissions whose attempt drew the whole pool, their bytes taken four
 * at a time: counted by (place of the first, score, the four bytes), a quarter of the rows
 * of one byte at a time, each count then split into its four (question, score, byte) cells
 * (1M submissions of 20 questions: 4.75M rows counted instead of 19M). Past the end of the
 * choices a byte is 255 (none), as choiceAt gives.
 */
const WHOLE_POOL_CELLS = sql`
  select q.j0 + o.o as j, q.score, case when o.o < length(q.b) then get_byte(q.b, o.o) else 255 end as c, sum(q.n)::int as n
  from (
    select p.j as j0, d.score, substring(d.choices from p.j for 4) as b, count(*)::int as n
    from pool p cross join subs d
    where d.js is null and (p.j - 1) % 4 = 0
    group by 1, 2, 3
  ) q
  cross join generate_series(0, 3) o(o)
  where q.j0 + o.o <= (select count(*) from pool)
  group by 1, 2, 3`;

function countsSql(roundId: string, full: boolean): SQL {
  const pct = ITEM_THRESHOLDS.GROUP_PERCENT;
  return sql`
    with pool as materialized (
      -- j: the question's place among the pool's ids in byte order, from 1.
      select q.id as qid, q.voided_at is not null as voided, q.options, ${keyIndex} as key, (row_number() over (order by q.id collate "C"))::int as j
      from round_questions rq join questions q on q.id = rq.question_id
      where rq.round_id = ${roundId}
    ), subs as materialized (${roundSubmissions(roundId, full)}
    ), cells as (
      -- (question, score, byte): its attempts, and their score without the question.
      select e.j, e.score, e.c, e.n, e.score - case when p.voided or e.c = p.key then 1 else 0 end as rest
      from (
        select y.j, y.score, y.c, sum(y.n)::int as n
        from (${WHOLE_POOL_CELLS} union all select x.j, x.score, x.c, count(*)::int as n from ${drawnOf(sql`subs`)} x group by 1, 2, 3) y
        group by 1, 2, 3
      ) e
      join pool p on p.j = e.j
    ), cuts as (
      -- lib/item-analysis.ts groupCuts per question: the groups of equal score without it,
      -- highest first; how many of each are in the top and in the bottom group.
      select g.j, g.rest, g.size, greatest(0, least(g.size, g.k - g.above)) as top, greatest(0, least(g.size, g.k - (g.n - g.above - g.size))) as bottom
      from (
        -- Integers throughout (a sum of integers is a bigint or a numeric): groupSize truncates.
        select j, rest, size, (sum(size) over q)::int as n, ((sum(size) over q)::int * ${pct}::int) / 100 as k,
          coalesce(sum(size) over (partition by j order by rest desc rows between unbounded preceding and 1 preceding), 0)::int as above
        from (select j, rest, sum(n)::int as size from cells group by j, rest) g0
        window q as (partition by j)
      ) g
    ), edge as (
      -- The cells of the groups where the top or the bottom group ends, numbered (e), each
      -- group numbered (g).
      select (row_number() over ())::int as e, (dense_rank() over (order by c.j, c.rest))::int as g, c.j, c.score, c.c, c.rest, t.size, t.top, t.bottom
      from cells c join cuts t on t.j = c.j and t.rest = c.rest
      where t.top < t.size and t.bottom < t.size and (t.top > 0 or t.bottom > 0)
    ), grp as (
      select distinct e.g, e.j, e.size, e.top, e.bottom from edge e
    ), ranked as (
      -- The submissions such a group can hold, numbered (r) in attempt id order (byte
      -- order): sorted once, not once per group.
      select d.score, d.choices, d.js, (row_number() over (order by d.attempt_id collate "C"))::int as r
      from subs d where d.score in (select e.score from edge e)
    ), width as (
      -- Numbers are taken in buckets of w (about the square root of their count).
      select greatest(1, ceil(sqrt(count(*))))::int as w from ranked
    ), hist as (
      -- Each cut cell's attempts per bucket. OFFSET 0: the questions are unnested before the
      -- join with the cut cells, not once per cut cell of a score.
      select y.e, y.g, y.b, sum(y.n)::int as n
      from ${overDrawn(
        sql`ranked`,
        (x) => sql`select e.e, e.g, x.b, count(*)::int as n
          from (select x.j, x.score, x.c, (x.r - 1) / w.w as b from ${x} x cross join width w offset 0) x
          join edge e on e.j = x.j and e.score = x.score and e.c = x.c
          group by e.e, e.g, x.b`,
      )} y
      group by y.e, y.g, y.b
    ), buckets as (
      -- Each group's attempts per bucket, and how many it has in earlier buckets.
      select g, b, n, (sum(n) over (partition by g order by b) - n)::int as before
      from (select h.g, h.b, sum(h.n)::int as n from hist h group by h.g, h.b) x
    ), bounds as (
      -- The bucket where the top group ends: its first need attempts of the group are in
      -- it ('t'); the bucket where the bottom group starts: its first need are not ('b').
      select 't' as kind, x.g, x.b, u.top - x.before as need
      from buckets x join grp u on u.g = x.g where u.top > 0 and x.before < u.top and u.top <= x.before + x.n
      union all
      select 'b', x.g, x.b, u.size - u.bottom - x.before
      from buckets x join grp u on u.g = x.g where u.bottom > 0 and x.before <= u.size - u.bottom and u.size - u.bottom < x.before + x.n
    ), near as materialized (
      -- Those two buckets' submissions, each with the byte of the group's question.
      select bd.kind, bd.g, bd.need, d.r, d.score, ${choiceAt(sql`d.choices`, sql`x.k - 1`)} as c
      from bounds bd join grp u on u.g = bd.g cross join width w
      join ranked d on (d.r - 1) / w.w = bd.b
      cross join lateral (select case when d.js is null then u.j else array_position(d.js, u.j) end as k) x
      where x.k is not null
    ), exact as (
      -- The group's attempts among them, in order: of each cell, how many are in.
      select o.kind, o.e, (count(*) filter (where (o.kind = 't') = (o.i <= o.need)))::int as n
      from (
        select n.kind, e.e, n.need, row_number() over (partition by n.kind, n.g order by n.r) as i
        from near n join edge e on e.g = n.g and e.score = n.score and e.c = n.c
      ) o
      group by o.kind, o.e
    ), sums as (
      -- Each cut cell's attempts in the whole buckets before the top group's boundary ('t')
      -- and after the bottom group's ('b').
      select h.e, bd.kind, sum(h.n)::int as n
      from hist h join bounds bd on bd.g = h.g and case when bd.kind = 't' then h.b < bd.b else h.b > bd.b end
      group by h.e, bd.kind
    ), edges as (
      -- Of each cut cell, how many of its group's first top and last bottom it holds.
      select e.j, e.score, e.c, (coalesce(st.n, 0) + coalesce(xt.n, 0))::int as top, (coalesce(sb.n, 0) + coalesce(xb.n, 0))::int as bottom
      from edge e
      left join sums st on st.e = e.e and st.kind = 't'
      left join exact xt on xt.e = e.e and xt.kind = 't'
      left join sums sb on sb.e = e.e and sb.kind = 'b'
      left join exact xb on xb.e = e.e and xb.kind = 'b'
    )
    select p.qid, p.options -> nullif(c.c, 255) ->> 'id' as oid, max(t.drawn)::int as drawn, sum(c.n)::int as chosen,
      sum(case when u.top = u.size then c.n else coalesce(e.top, 0) end)::int as top,
      sum(case when u.bottom = u.size then c.n else coalesce(e.bottom, 0) end)::int as bottom
    from cells c
    join pool p on p.j = c.j
    join cuts u on u.j = c.j and u.rest = c.rest
    join (select j, sum(n) as drawn from cells group by j) t on t.j = c.j
    left join edges e on e.j = c.j and e.score = c.score and e.c = c.c
    group by p.qid, 2`;
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
    // With the locks, the bound on the transaction's idle time (db/client.ts idleLimit).
    sql`select r.id, ${idleLimit()} from rounds r where r.id in (select rq.round_id from round_questions rq where rq.question_id = ${questionId})
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
