import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rawRows, type Db } from '../../../db/client';
import { attempts, questions, roundQuestions, submissions } from '../../../db/schema/index';
import { prng } from '../../../server/src/lib/draw';
import { storedOrder, UNANSWERED } from '../../../server/src/lib/choices';
import { ITEM_THRESHOLDS } from '../../../server/src/lib/item-analysis';
import { itemCounts, type CountRow } from '../../../server/src/modules/items/items.repo';
import { useTestApp } from '../../helpers/app';
import { makeContest, makeQuestions, makeResident } from '../../helpers/factories';
import { makeClosedRound } from '../../helpers/results-factories';

const t = useTestApp();
const db = (): Db => t.database.db;

/**
 * The item analysis's counts as one statement ranked every (attempt, drawn question) row
 * before the rewrite of items.repo itemCounts (kept verbatim as the reference): the new
 * counts must be the same, row for row.
 */
async function referenceCounts(roundId: string): Promise<CountRow[]> {
  const pct = ITEM_THRESHOLDS.GROUP_PERCENT;
  const rows = await rawRows<Record<string, string | number | null>>(
    db(),
    sql`
    with keys as materialized (
      select q.id as qid, q.voided_at is not null as voided, q.options,
        (select (o.n - 1)::int from jsonb_array_elements(q.options) with ordinality o(v, n) where (o.v ->> 'correct')::boolean limit 1) as key
      from round_questions rq join questions q on q.id = rq.question_id
      where rq.round_id = ${roundId}
    ), drawn as (
      select s.attempt_id, s.score, d.qid, (case when d.k < length(s.choices) then get_byte(s.choices, d.k) else 255 end) as c
      from submissions s join attempts a on a.id = s.attempt_id and a.round_id = ${roundId}
      cross join lateral (select u.qid, (rank() over (order by u.qid collate "C"))::int - 1 as k from unnest(a.question_ids) u(qid)) d
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

const sorted = (rows: CountRow[]) =>
  rows
    .map((r) => [r.questionId, r.optionId ?? '', r.drawn, r.chosen, r.chosenTop, r.chosenBottom] as const)
    .sort((a, b) => (a.join('|') < b.join('|') ? -1 : 1));

/**
 * A sealed round with a pool of 4- and 3-option questions, one of them voided, and `people`
 * submissions of random draws: scores in a narrow band (many ties where the top and bottom
 * groups end), stored scores that need not match the answers, unanswered questions, bytes
 * naming no option, and a drawn question outside the pool. `fullDraw`: the round's question
 * count is its pool's size and each attempt draws the whole pool, in an order of its own,
 * but for one in twenty that draws fewer (as no attempt started through the API can: the
 * analysis must then read that attempt), and none draws outside the pool.
 */
async function randomRound(seed: number, people: number, fullDraw = false) {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const contest = await makeContest(db());
  const { round, pool } = await makeClosedRound(db(), contest.id, { questionCount: fullDraw ? 6 : 4 }, 4);
  const threes = await makeQuestions(db(), contest.id, 2, 3);
  await db()
    .insert(roundQuestions)
    .values(threes.map((q, i) => ({ roundId: round.id, questionId: q.id, position: pool.length + i })));
  const all = [...pool, ...threes];
  await db().update(questions).set({ voidedAt: new Date() }).where(eq(questions.id, all[1].id));
  const optionCount = new Map(all.map((q) => [q.id, q.options.length]));
  const outside = randomUUID();
  // Up to the round's maxAttempts attempts each.
  const users = await Promise.all(Array.from({ length: Math.ceil(people / round.maxAttempts) }, () => makeResident(db())));
  const rows = Array.from({ length: people }, (_, i) => {
    const whole = fullDraw && rand() >= 0.05;
    const drawn = whole ? all.map((q) => q.id).sort(() => rand() - 0.5) : all.filter(() => rand() < 0.7).map((q) => q.id);
    if (drawn.length === 0) drawn.push(pick(all).id);
    if (!fullDraw && rand() < 0.05) drawn.push(outside);
    const choices = Buffer.from(
      storedOrder(drawn).map((id) => {
        const r = rand();
        const n = optionCount.get(id) ?? 4;
        return r < 0.15 ? UNANSWERED : r < 0.18 ? n : Math.floor(rand() * n);
      }),
    );
    const total = drawn.length;
    const score = Math.min(total, Math.floor(rand() * 3));
    const userId = users[i % users.length].id;
    const attemptNo = Math.floor(i / users.length) + 1;
    const startedAt = new Date(round.closesAt.getTime() - 3_600_000);
    const deadline = new Date(startedAt.getTime() + 600_000);
    return { attemptId: randomUUID(), userId, attemptNo, questionIds: drawn, choices, score, total, startedAt, deadline };
  });
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db()
      .insert(attempts)
      .values(
        chunk.map((r) => ({
          id: r.attemptId,
          roundId: round.id,
          userId: r.userId,
          attemptNo: r.attemptNo,
          maxAttempts: round.maxAttempts,
          seed: 1,
          questionIds: r.questionIds,
          startedAt: r.startedAt,
          deadline: r.deadline,
        })),
      );
    await db()
      .insert(submissions)
      .values(
        chunk.map((r) => ({
          attemptId: r.attemptId,
          roundId: round.id,
          userId: r.userId,
          attemptNo: r.attemptNo,
          choices: r.choices,
          prediction: 0,
          score: r.score,
          total: r.total,
          deadline: r.deadline,
          submittedAt: r.startedAt,
          durationMs: 1000,
        })),
      );
  }
  return round;
}

describe('item analysis counts (items.repo itemCounts)', () => {
  it('equal those of the statement that ranked every drawn question, on random rounds', async () => {
    for (const [seed, people, fullDraw] of [
      [1, 0, false],
      [2, 1, false],
      [3, 4, false],
      [4, 11, false],
      [5, 37, false],
      [6, 120, false],
      [7, 1300, false],
      [8, 1, true],
      [9, 37, true],
      [10, 300, true],
      [11, 2500, true],
    ] as const) {
      const round = await randomRound(seed, people, fullDraw);
      const want = sorted(await referenceCounts(round.id));
      const got = sorted(await itemCounts(db(), round.id));
      expect(got, `seed ${seed}, ${people} people`).toEqual(want);
      // Scores 0..2: a question's attempts fall in a few groups of equal score without it, so
      // the top and the bottom groups end inside one, where attempt ids decide.
      if (people >= 37) expect(want.some((r) => r[4] > 0 && r[5] > 0)).toBe(true);
    }
  }, 300_000);

  it('read no attempt in a round whose every attempt draws the whole pool', async () => {
    const round = await randomRound(12, 400, true);
    const want = sorted(await referenceCounts(round.id));
    // The attempts that drew the whole pool made to name questions of no pool: the counts
    // come from the submissions' bytes alone, each question's at its place in the pool.
    await rawRows(
      db(),
      sql`update attempts a set question_ids = array(select 'elsewhere-' || x from unnest(a.question_ids) x)
          from submissions s where s.attempt_id = a.id and a.round_id = ${round.id} and length(s.choices) = ${6}`,
    );
    expect(sorted(await itemCounts(db(), round.id))).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  }, 120_000);
});
