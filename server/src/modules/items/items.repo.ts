import { eq, sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { questionReviews, questions, type StoredOption } from '../../../../db/schema/index';
import { groupCuts } from '../../lib/item-analysis';
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
 * The counts of lib/item-analysis.ts analyzeItems over the round's submissions. The attempts
 * that drew a question are ranked by their score without it, ties by attempt id in byte
 * order; the first and the last groupSize(n) are the top and bottom groups. That order is
 * never sorted whole (300k submissions of 20 questions: a sort of 6M rows spilling 3.3 GB,
 * 78-128 s). First the (question, score, chosen byte) cells are counted, a few thousand
 * rows; the score without the question follows from each cell and the key. Groups of equal
 * score without the question lie whole in the top group, whole in the bottom one or in
 * neither (lib/item-analysis.ts groupCuts), but for the one or two where a group ends:
 * only their attempts are read again and ordered by id (itemEdges). Both statements read
 * one snapshot. Each attempt's questions are unnested once per statement; the chosen option
 * is one byte of the choices.
 */
export async function itemCounts(db: Db, roundId: string): Promise<CountRow[]> {
  return db.transaction(
    async (tx) => {
      // The second statement sorts the attempts of the cut groups, about a sixth of the round's
      // (attempt, question) rows: in memory, as finalize's sorts (judging tuneForRanking). No
      // JIT: compiling costs more than it saves on these plans.
      await rawRows(tx, sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
      const cells = await itemCells(tx, roundId);
      const rows = new Map<string, CountRow>();
      const optionOf = new Map<string, string | null>();
      const rowOf = (questionId: string, optionId: string | null, drawn: number) => {
        const key = `${questionId}\u0000${optionId ?? ''}`;
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { questionId, optionId, drawn, chosen: 0, chosenTop: 0, chosenBottom: 0 }));
        return row;
      };
      const edges: EdgeCell[] = [];
      let nextGroup = 0;
      const byQuestion = new Map<string, Cell[]>();
      for (const x of cells) byQuestion.set(x.qid, [...(byQuestion.get(x.qid) ?? []), x]);
      for (const [qid, qcells] of byQuestion) {
        const sizes = new Map<number, number>();
        for (const x of qcells) sizes.set(x.rest, (sizes.get(x.rest) ?? 0) + x.n);
        const cuts = groupCuts(sizes);
        const drawn = qcells.reduce((n, x) => n + x.n, 0);
        const groupIds = new Map<number, number>();
        for (const x of qcells) {
          optionOf.set(`${qid}\u0000${x.c}`, x.oid);
          const cut = cuts.get(x.rest)!;
          const row = rowOf(qid, x.oid, drawn);
          row.chosen += x.n;
          if (cut.top === cut.size) row.chosenTop += x.n;
          else if (cut.bottom === cut.size) row.chosenBottom += x.n;
          else if (cut.top > 0 || cut.bottom > 0) {
            if (!groupIds.has(x.rest)) groupIds.set(x.rest, nextGroup++);
            edges.push({ qid, score: x.score, c: x.c, grp: groupIds.get(x.rest)!, ...cut });
          }
        }
      }
      for (const e of await itemEdges(tx, roundId, edges)) {
        const row = rows.get(`${e.qid}\u0000${optionOf.get(`${e.qid}\u0000${e.c}`) ?? ''}`)!;
        row.chosenTop += e.top;
        row.chosenBottom += e.bottom;
      }
      return [...rows.values()];
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** A (question, score, chosen byte) cell: its attempts, their score without the question, the option the byte names. */
interface Cell {
  qid: string;
  score: number;
  /** The byte of the choices (lib/choices.ts), 255 when unanswered. */
  c: number;
  n: number;
  rest: number;
  /** null: unanswered, or a byte naming no option. */
  oid: string | null;
}

/** The round's cells (itemCounts): each attempt's drawn questions of the pool, counted by question, score and byte. */
async function itemCells(db: Db, roundId: string): Promise<Cell[]> {
  const rows = await rawRows<Record<string, string | number | null>>(
    db,
    sql`
    with keys as materialized (
      select q.id as qid, q.voided_at is not null as voided, q.options, ${keyIndex} as key
      from round_questions rq join questions q on q.id = rq.question_id
      where rq.round_id = ${roundId}
    ), cells as (
      select d.qid, s.score, ${choiceAt(sql`s.choices`, sql`d.k`)} as c, count(*)::int as n
      from submissions s join attempts a on a.id = s.attempt_id and a.round_id = ${roundId}
      cross join lateral ${storedOrder(sql`a.question_ids`)} d
      where s.round_id = ${roundId}
      group by 1, 2, 3
    )
    select e.qid, e.score, e.c, e.n, e.score - case when k.voided or e.c = k.key then 1 else 0 end as rest,
      k.options -> nullif(e.c, 255) ->> 'id' as oid
    from cells e join keys k on k.qid = e.qid`,
  );
  return rows.map((r) => ({
    qid: String(r.qid),
    score: Number(r.score),
    c: Number(r.c),
    n: Number(r.n),
    rest: Number(r.rest),
    oid: r.oid === null ? null : String(r.oid),
  }));
}

/** A cell of a group cut where the top or the bottom group ends (lib/item-analysis.ts GroupCut), `grp` naming the group. */
interface EdgeCell {
  qid: string;
  score: number;
  c: number;
  grp: number;
  size: number;
  top: number;
  bottom: number;
}

/**
 * For the groups cut where the top or the bottom group ends: their attempts in attempt id
 * order (byte order), and of each byte of each question how many are among a group's first
 * `top` and among its last `bottom`. Only submissions with a score such a group can hold
 * (the score without the question is the score or one less) are unnested.
 */
async function itemEdges(db: Db, roundId: string, edges: EdgeCell[]): Promise<{ qid: string; c: number; top: number; bottom: number }[]> {
  if (edges.length === 0) return [];
  const rows = await rawRows<Record<string, string | number>>(
    db,
    sql`
    with cut as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(edges)}::jsonb) as x(qid text, score int, c int, grp int, size int, top int, bottom int)
    ), drawn as (
      -- OFFSET 0 keeps the join with the cut cells outside: each attempt's questions are
      -- unnested once, not once per cut cell of its score.
      select s.attempt_id, s.score, d.qid, ${choiceAt(sql`s.choices`, sql`d.k`)} as c
      from submissions s join attempts a on a.id = s.attempt_id and a.round_id = ${roundId}
      cross join lateral ${storedOrder(sql`a.question_ids`)} d
      where s.round_id = ${roundId} and s.score in (select cut.score from cut)
      offset 0
    ), ordered as (
      select cut.grp, cut.c, cut.size, cut.top, cut.bottom, row_number() over (partition by cut.grp order by d.attempt_id collate "C") as i
      from drawn d join cut on cut.qid = d.qid and cut.score = d.score and cut.c = d.c
    )
    select grp, c, (count(*) filter (where i <= top))::int as top, (count(*) filter (where i > size - bottom))::int as bottom
    from ordered group by grp, c`,
  );
  const questionOf = new Map(edges.map((e) => [e.grp, e.qid]));
  return rows.map((r) => ({ qid: questionOf.get(Number(r.grp))!, c: Number(r.c), top: Number(r.top), bottom: Number(r.bottom) }));
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
