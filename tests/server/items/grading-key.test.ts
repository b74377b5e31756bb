import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submissions, type Question } from '../../../db/schema/index';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { lockRoundsUsing } from '../../../server/src/modules/items/items.repo';
import { bearer, makeContest, makeResident, makeRound, tokenFor, makeMemberStaff } from '../../helpers/factories';

// The default hot-path settings: the round cache's TTL (5 s) is the bound API.md promises.
// Budgets high enough for the polling below.
let t: TestContext;
let judgeToken: string;
beforeAll(async () => {
  t = await makeTestApp({ limits: { startPerUser: { limit: 1000, windowMs: 60_000 }, submitPerUser: { limit: 1000, windowMs: 60_000 } } });
  judgeToken = tokenFor(t.app, await makeMemberStaff(t.database.db, 'judge'));
});
afterAll(() => t.close());

const db = () => t.database.db;
const post = (url: string, token: string, payload?: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const keyOf = (q: Question) => q.options.find((o) => o.correct)!.id;

/** Polls until `check` passes; returns how long it took. */
async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('grading after a correction', () => {
  it('grades later submits with the new key and answers repeats with the regraded score, within 5 s', async () => {
    const contest = await makeContest(db());
    const { round, pool } = await makeRound(db(), contest.id, { questionCount: 3, revealScore: 'immediately' }, 3);
    const [a, b, c] = await Promise.all([makeResident(db()), makeResident(db()), makeResident(db())]);
    const [ta, tb, tc] = [a, b, c].map((u) => tokenFor(t.app, u));
    const started = await Promise.all([ta, tb, tc].map((tok) => post(`/rounds/${round.id}/attempts`, tok)));
    const [aa, ab, ac] = started.map((r) => r.json().attemptId as string);
    const keyed = pool.map((q) => ({ questionId: q.id, optionId: keyOf(q) }));

    // A answers with the (wrong) key of pool[0]: 3/3 for now.
    const first = await post(`/attempts/${aa}/submit`, ta, { answers: keyed, prediction: 1 });
    expect(first.json().score).toBe(3);

    const newKey = pool[0].options.find((o) => !o.correct)!.id;
    const res = await post(`/admin/questions/${pool[0].id}/correction`, judgeToken, { correctOptionId: newKey, reason: 'Sai đáp án' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ regraded: 1, scoresChanged: 1, rounds: [round.id] });
    expect((await db().select().from(submissions).where(eq(submissions.attemptId, aa)))[0].score).toBe(2);

    // A repeat submit follows the regraded score (the Redis marker and this process's copy are refreshed).
    const tookRepeat = await eventually(async () => (await post(`/attempts/${aa}/submit`, ta, { answers: [], prediction: 0 })).json().score === 2, 6_000);
    expect(tookRepeat).toBeLessThan(5_500);
    const repeat = (await post(`/attempts/${aa}/submit`, ta, { answers: [], prediction: 0 })).json();
    expect(repeat).toMatchObject({ score: 2, duplicate: true });
    // A body that fails the schema is a repeat too.
    expect((await post(`/attempts/${aa}/submit`, ta, { nonsense: true })).json()).toMatchObject({ score: 2, duplicate: true });

    // B submits after the key has followed: graded with the new key.
    const withNew = keyed.map((x, i) => (i === 0 ? { questionId: x.questionId, optionId: newKey } : x));
    const rb = await post(`/attempts/${ab}/submit`, tb, { answers: withNew, prediction: 1 });
    expect(rb.json().score).toBe(3);

    // A void follows the same way: C leaves pool[1] unanswered and still gets its point.
    const v = await post(`/admin/questions/${pool[1].id}/correction`, judgeToken, { voided: true, reason: 'Câu hỏi lỗi' });
    expect(v.statusCode).toBe(200);
    // Probes: new residents who leave pool[1] unanswered, until one gets its point (a fixed
    // wait for the reload after the TTL failed whenever the reload took longer).
    const probe = async () => {
      const token = tokenFor(t.app, await makeResident(db()));
      const attemptId = (await post(`/rounds/${round.id}/attempts`, token)).json().attemptId as string;
      return (await post(`/attempts/${attemptId}/submit`, token, { answers: [withNew[0], withNew[2]], prediction: 1 })).json().score === 3;
    };
    expect(await eventually(probe, 6_000)).toBeLessThan(5_500);
    const rc = await post(`/attempts/${ac}/submit`, tc, { answers: [withNew[0], withNew[2]], prediction: 1 });
    expect(rc.json().score).toBe(3);
    expect((await db().select().from(submissions).where(eq(submissions.attemptId, ac)))[0].score).toBe(3);
  }, 30_000);

  it('lets residents start attempts in an open round while a correction holds its rounds', async () => {
    const contest = await makeContest(db());
    const { round, pool } = await makeRound(db(), contest.id, { questionCount: 2 }, 2);
    const resident = tokenFor(t.app, await makeResident(db()));
    await db().transaction(async (tx) => {
      expect(await lockRoundsUsing(tx, pool[0].id)).toEqual([round.id]);
      const started = await Promise.race([
        post(`/rounds/${round.id}/attempts`, resident).then((r) => r.statusCode),
        new Promise((r) => setTimeout(() => r('blocked'), 3_000)),
      ]);
      expect(started).toBe(201);
    });
  });
});
