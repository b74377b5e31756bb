import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { questions, submissions } from '../../../db/schema/index';
import { useTestApp } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit, type Served } from '../../helpers/requests';
import { storedAnswers } from '../../helpers/results-factories';

// API.md v1.1 "Submitting by position": { choices: [2, 0, null, …], prediction }.

const t = useTestApp();
const db = () => t.database.db;

async function keyOf(served: Served): Promise<Map<string, string>> {
  const rows = await db()
    .select()
    .from(questions)
    .where(
      inArray(
        questions.id,
        served.questions.map((q) => q.id),
      ),
    );
  return new Map(rows.map((q) => [q.id, q.options.find((o) => o.correct)!.id]));
}

async function setup() {
  const contest = await makeContest(db());
  const { round } = await makeRound(db(), contest.id, { questionCount: 4 }, 4);
  const a = await makeResident(db());
  const b = await makeResident(db());
  return { round, a: tokenFor(t.app, a), b: tokenFor(t.app, b) };
}

describe('POST /attempts/:attemptId/submit with choices', () => {
  it('grades positions as served, stores the same answers as the id form, and repeats idempotently', async () => {
    const { round, a, b } = await setup();
    const sa = (await start(t.app, round.id, a)).json() as Served;
    const key = await keyOf(sa);
    // Right on the first two, a wrong option on the third, nothing on the fourth.
    const choices = sa.questions.map((q, i) => {
      const right = q.options.findIndex((o) => o.id === key.get(q.id));
      return i < 2 ? right : i === 2 ? (right + 1) % q.options.length : null;
    });
    const res = await submit(t.app, sa.attemptId, a, { choices, prediction: 7 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ score: 2, total: 4 });
    expect((await submit(t.app, sa.attemptId, a, { choices: [0], prediction: 1 })).json()).toMatchObject({ duplicate: true, score: 2 });

    const expected = sa.questions.slice(0, 3).map((q, i) => ({ questionId: q.id, optionId: q.options[choices[i]!].id }));
    expect(await storedAnswers(db(), sa.attemptId)).toEqual(expected);

    // The same selection in the id form (another resident, the same four questions in another order) scores the same.
    const sb = (await start(t.app, round.id, b)).json() as Served;
    const r = await submit(t.app, sb.attemptId, b, { answers: expected, prediction: 7 });
    expect(r.json().score).toBe(2);
    const [stored] = await db().select().from(submissions).where(eq(submissions.attemptId, sa.attemptId));
    const [other] = await db().select().from(submissions).where(eq(submissions.attemptId, sb.attemptId));
    expect(other.answersSet).toBe(stored.answersSet);
  });

  it('refuses both forms at once, a wrong length and a position out of range with 400 INVALID_ANSWERS, storing nothing', async () => {
    const { round, a } = await setup();
    const s = (await start(t.app, round.id, a)).json() as Served;
    const bad = [
      { choices: [0, 0, 0, 0], answers: [], prediction: 1 },
      { choices: [0, 0, 0], prediction: 1 },
      { choices: [0, 0, 0, 0, 0], prediction: 1 },
      { choices: [0, 0, 0, s.questions[3].options.length], prediction: 1 },
      { choices: [-1, 0, 0, 0], prediction: 1 },
      // Longer than any round (it was a schema error, VALIDATION_FAILED, past 200).
      { choices: new Array<number>(201).fill(0), prediction: 1 },
      { choices: new Array<null>(10_000).fill(null), prediction: 1 },
    ];
    for (const body of bad) {
      const res = await submit(t.app, s.attemptId, a, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('INVALID_ANSWERS');
    }
    const neither = await submit(t.app, s.attemptId, a, { prediction: 1 });
    expect(neither.statusCode).toBe(400);
    expect(await db().select().from(submissions).where(eq(submissions.attemptId, s.attemptId))).toHaveLength(0);
    expect((await submit(t.app, s.attemptId, a, { choices: [null, null, null, null], prediction: 1 })).json()).toMatchObject({ score: 0, total: 4 });
  });
});
