import { eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { questions, roundQuestions } from '../../../db/schema/index';
import type { AttemptReviewResponse } from '../../../server/src/modules/judging/judging.schemas';
import { memberToken, useTestApp } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { ageRound } from '../../helpers/results-factories';
import { testClock } from '../../helpers/clock';
import { call, start, submit, type Served } from '../../helpers/requests';

// GET /me/attempts/:attemptId/review (an extension of API.md): a resident's own attempt
// beside the answer key, under the key's rule.
const clock = testClock();
const t = useTestApp({ now: clock.now });
const db = () => t.database.db;
const SECOND = 1000;
let judge: string;

beforeAll(async () => {
  judge = await memberToken(t, 'judge');
});

type Review = z.infer<typeof AttemptReviewResponse>;

const review = (attemptId: string, token?: string) => call(t.app, 'GET', `/me/attempts/${attemptId}/review`, token);

/** A round of four questions closing in a minute, and a resident who started it. */
async function startedRound() {
  const contest = await makeContest(db());
  const { round, pool } = await makeRound(db(), contest.id, { questionCount: 4, timeLimitSeconds: 600, closesAt: new Date(Date.now() + 60 * SECOND) }, 4);
  const resident = await makeResident(db());
  const token = tokenFor(t.app, resident);
  const served = (await start(t.app, round.id, token)).json() as Served;
  return { round, pool, resident, token, served };
}

async function correctOf(ids: string[]): Promise<Map<string, string>> {
  const rows = await db().select().from(questions).where(inArray(questions.id, ids));
  return new Map(rows.map((q) => [q.id, q.options.find((o) => o.correct)!.id]));
}

describe('reviewing my attempt', () => {
  it('shows, once the round is sealed, each question as served with my choice and the correct option', async () => {
    const { round, token, served } = await startedRound();
    // By position as served: the third option, the first, none, the second.
    const result = await submit(t.app, served.attemptId, token, { choices: [2, 0, null, 1], prediction: 17 });
    expect(result.statusCode).toBe(200);

    // Not before no submission can still arrive: the key would be there to copy.
    const early = await review(served.attemptId, token);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('ROUND_NOT_CLOSED');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    expect(early.body).not.toMatch(/correct|chosen/i);

    await ageRound(db(), round.id, 60 * SECOND + 31 * SECOND);
    const res = await review(served.attemptId, token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.json() as Review;
    const correct = await correctOf(served.questions.map((q) => q.id));
    expect(body).toMatchObject({
      attemptId: served.attemptId,
      roundId: round.id,
      contestId: round.contestId,
      roundNumber: round.number,
      attemptNo: 1,
      submitted: true,
      total: 4,
      prediction: 17,
    });
    expect(body.questions.map((q) => q.questionId)).toEqual(served.questions.map((q) => q.id));
    expect(body.questions.map((q) => q.options.map((o) => o.id))).toEqual(served.questions.map((q) => q.options.map((o) => o.id)));
    expect(body.questions.map((q) => q.chosenOptionId)).toEqual([
      served.questions[0].options[2].id,
      served.questions[1].options[0].id,
      null,
      served.questions[3].options[1].id,
    ]);
    expect(body.questions.map((q) => q.correctOptionId)).toEqual(served.questions.map((q) => correct.get(q.id)));
    // The score is the one the submit answered, and it counts the chosen options that are correct.
    const right = body.questions.filter((q) => q.chosenOptionId === q.correctOptionId).length;
    expect(body.score).toBe(right);
    expect(result.json().score).toBe(right);
  });

  it('reads answers sent as id pairs the same way, and marks a voided question', async () => {
    const { round, token, served } = await startedRound();
    const picks = served.questions.map((q, i) => ({ questionId: q.id, optionId: q.options[i % q.options.length].id }));
    expect((await submit(t.app, served.attemptId, token, { answers: [...picks].reverse(), prediction: 3 })).statusCode).toBe(200);
    await db().update(questions).set({ voidedAt: new Date() }).where(eq(questions.id, served.questions[1].id));
    await ageRound(db(), round.id, 91 * SECOND);

    const body = (await review(served.attemptId, token)).json() as Review;
    expect(body.questions.map((q) => q.chosenOptionId)).toEqual(picks.map((p) => p.optionId));
    expect(body.questions.map((q) => q.voided ?? false)).toEqual([false, true, false, false]);
  });

  it('shows an attempt that was never submitted with nothing chosen and no score', async () => {
    const { round, token, served } = await startedRound();
    await ageRound(db(), round.id, 11 * 60 * SECOND);
    const body = (await review(served.attemptId, token)).json() as Review;
    expect(body.submitted).toBe(false);
    expect(body.score).toBeUndefined();
    expect(body.prediction).toBeUndefined();
    expect(body.total).toBe(4);
    expect(body.questions).toHaveLength(4);
    expect(body.questions.every((q) => q.chosenOptionId === null)).toBe(true);
  });

  it('keeps back the key of a question that another round still running also draws, in the public key and in the review', async () => {
    const { round, pool, token, served } = await startedRound();
    expect((await submit(t.app, served.attemptId, token, { choices: [0, 0, 0, 0], prediction: 1 })).statusCode).toBe(200);
    // Week 2 is open and its pool shares one question with this round (pools set before this round sealed).
    const { round: week2 } = await makeRound(db(), round.contestId, { number: round.number + 1, questionCount: 1 }, 0);
    const shared = served.questions[2].id;
    await db().insert(roundQuestions).values({ roundId: week2.id, questionId: shared, position: 0 });
    await ageRound(db(), round.id, 91 * SECOND);

    const key = await call(t.app, 'GET', `/rounds/${round.id}/answer-key`);
    expect(key.statusCode).toBe(200);
    expect(key.headers['x-withheld-questions']).toBe('1');
    const listed = (key.json() as { questionId: string }[]).map((q) => q.questionId);
    expect(listed).toHaveLength(pool.length - 1);
    expect(listed).not.toContain(shared);
    // Week 2's answer is nowhere in what a resident of it can read.
    const correctShared = (await correctOf([shared])).get(shared)!;
    expect(key.body).not.toContain(correctShared);

    const body = (await review(served.attemptId, token)).json() as Review;
    const q = body.questions.find((x) => x.questionId === shared)!;
    expect(q).toMatchObject({ withheld: true, correctOptionId: null });
    expect(q.explanation).toBeUndefined();
    expect(body.questions.filter((x) => x.withheld)).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain(`"correctOptionId":"${correctShared}"`);

    // Once week 2 is sealed too, both show it.
    await ageRound(db(), week2.id, 8 * 24 * 3600 * SECOND);
    clock.advance(5100); // the public key is cached per process for 5 s
    const later = await call(t.app, 'GET', `/rounds/${round.id}/answer-key`);
    expect(later.headers['x-withheld-questions']).toBe('0');
    expect((later.json() as { questionId: string }[]).map((x) => x.questionId)).toContain(shared);
    expect((await review(served.attemptId, token)).json().questions.find((x: { questionId: string }) => x.questionId === shared).correctOptionId).toBe(
      correctShared,
    );
  });

  it("answers 404 for someone else's attempt, staff included, and for an unknown one; 401 without a token", async () => {
    const { round, served } = await startedRound();
    await ageRound(db(), round.id, 11 * 60 * SECOND);
    const other = tokenFor(t.app, await makeResident(db()));
    for (const token of [other, judge]) {
      const res = await review(served.attemptId, token);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
      expect(res.body).not.toMatch(/correct/i);
    }
    expect((await review('00000000-0000-4000-8000-000000000000', other)).statusCode).toBe(404);
    expect((await review(served.attemptId)).statusCode).toBe(401);
  });
});
