import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, exclusions, submissions, type Question, type Round, type User } from '../../../db/schema/index';
import { useTestApp, makeTestApp, type TestContext } from '../../helpers/app';
import { storedAnswers } from '../../helpers/results-factories';
import { bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';

// Budgets high enough that the parallel tests measure the caps, not the throttle.
const t = useTestApp({ limits: { startPerUser: { limit: 1000, windowMs: 60_000 }, submitPerUser: { limit: 1000, windowMs: 60_000 } } });

const HOUR = 3_600_000;

async function setup(roundOverrides: Parameters<typeof makeRound>[2] = {}, poolSize?: number) {
  const contest = await makeContest(t.app.db);
  const { round, pool } = await makeRound(t.app.db, contest.id, roundOverrides, poolSize);
  const resident = await makeResident(t.app.db);
  return { contest, round, pool, resident, token: tokenFor(t.app, resident) };
}

function correctAnswers(pool: Question[], questionIds: string[]) {
  const byId = new Map(pool.map((q) => [q.id, q]));
  return questionIds.map((id) => ({ questionId: id, optionId: byId.get(id)!.options.find((o) => o.correct)!.id }));
}

describe('POST /rounds/:roundId/attempts', () => {
  it('draws questionCount questions of the pool with their options and nothing of the key', async () => {
    const { round, pool, token } = await setup({ questionCount: 5 }, 12);
    const res = await start(t.app, round.id, token);
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(Object.keys(a).sort()).toEqual(['attemptId', 'attemptNo', 'deadline', 'predictionPrompt', 'questions', 'startedAt']);
    expect(a.attemptNo).toBe(1);
    expect(a.predictionPrompt).toBe(round.predictionPrompt);
    expect(a.questions).toHaveLength(5);
    expect(new Set(a.questions.map((q: { id: string }) => q.id)).size).toBe(5);
    const byId = new Map(pool.map((q) => [q.id, q]));
    for (const q of a.questions) {
      const stored = byId.get(q.id)!;
      expect(stored).toBeDefined();
      expect(q.text).toBe(stored.text);
      expect(q.options.map((o: { id: string }) => o.id).sort()).toEqual(stored.options.map((o) => o.id).sort());
      for (const o of q.options) expect(Object.keys(o).sort()).toEqual(['id', 'text']);
    }
    expect(res.body).not.toMatch(/correct|explanation/);
  });

  it('stamps startedAt on the server and sets deadline = min(startedAt + timeLimit, closesAt)', async () => {
    const closesAt = new Date(Date.now() + 60_000);
    const { round, token } = await setup({ timeLimitSeconds: 1200, closesAt });
    const before = Date.now();
    const a = (await start(t.app, round.id, token)).json();
    const startedAt = Date.parse(a.startedAt);
    expect(startedAt).toBeGreaterThanOrEqual(before - 5);
    expect(startedAt).toBeLessThanOrEqual(Date.now());
    expect(a.deadline).toBe(closesAt.toISOString());

    const other = await setup({ timeLimitSeconds: 600 });
    const b = (await start(t.app, other.round.id, other.token)).json();
    expect(Date.parse(b.deadline) - Date.parse(b.startedAt)).toBe(600_000);
  });

  it('resumes the running attempt with the same questions in the same order (200)', async () => {
    const { round, token } = await setup({ questionCount: 5, maxAttempts: 3 }, 20);
    const first = await start(t.app, round.id, token);
    const again = await start(t.app, round.id, token);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
  });

  it('stores a seed and gives different attempts different orders', async () => {
    const { round, token, resident } = await setup({ questionCount: 10, maxAttempts: 10 }, 30);
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const a = (await start(t.app, round.id, token)).json();
      orders.add(a.questions.map((q: { id: string }) => q.id).join());
      expect((await submit(t.app, a.attemptId, token, { answers: [], prediction: 1 })).statusCode).toBe(200);
    }
    expect(orders.size).toBe(4);
    const rows = await t.app.db.select().from(attempts).where(eq(attempts.userId, resident.id));
    expect(new Set(rows.map((r) => r.seed)).size).toBe(4);
  });

  it('answers 403 NOT_ELIGIBLE to staff', async () => {
    const { round } = await setup();
    for (const role of ['organizer', 'judge', 'admin'] as const) {
      const staff = await makeStaff(t.app.db, role);
      const res = await start(t.app, round.id, tokenFor(t.app, staff));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('NOT_ELIGIBLE');
    }
    expect(await t.app.db.select().from(attempts).where(eq(attempts.roundId, round.id))).toHaveLength(0);
  });

  it('answers 403 NOT_ELIGIBLE to a resident on the exclusion list, by national id or by phone', async () => {
    const { contest, round } = await setup();
    const byId = await makeResident(t.app.db);
    const byPhone = await makeResident(t.app.db);
    const other = await makeResident(t.app.db);
    await t.app.db.insert(exclusions).values([
      { contestId: contest.id, nationalId: byId.nationalId, note: 'cán bộ ban tổ chức' },
      { contestId: contest.id, phone: byPhone.phone },
    ]);
    for (const u of [byId, byPhone]) {
      const res = await start(t.app, round.id, tokenFor(t.app, u));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('NOT_ELIGIBLE');
    }
    expect((await start(t.app, round.id, tokenFor(t.app, other))).statusCode).toBe(201);
  });

  it('answers 409 ROUND_NOT_OPEN before the round opens and after it closes', async () => {
    const now = Date.now();
    const upcoming = await setup({ opensAt: new Date(now + HOUR), closesAt: new Date(now + 2 * HOUR) });
    const closed = await setup({ opensAt: new Date(now - 2 * HOUR), closesAt: new Date(now - HOUR) });
    for (const s of [upcoming, closed]) {
      const res = await start(t.app, s.round.id, s.token);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('ROUND_NOT_OPEN');
    }
  });

  it('answers 409 ROUND_NOT_OPEN when the pool is smaller than questionCount', async () => {
    const { round, token } = await setup({ questionCount: 10 }, 4);
    const res = await start(t.app, round.id, token);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ROUND_NOT_OPEN', message: expect.stringMatching(/pool/) });
  });

  it('starts when the client sends content-type: application/json with no body (k6, mobile HTTP stacks)', async () => {
    const { round, token } = await setup();
    const res = await start(t.app, round.id, token, { headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(201);
    const again = await start(t.app, round.id, token, { headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(again.statusCode).toBe(200);
    expect(again.json().attemptId).toBe(res.json().attemptId);
    // A submit needs its body: an empty one is refused by the route's rules, not as broken JSON.
    const empty = await submit(t.app, res.json().attemptId, token, undefined, { headers: { 'content-type': 'application/json' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).not.toBe('INVALID_JSON');
  });

  it('answers 404 for an unknown round and 401 without a token', async () => {
    const { token } = await setup();
    const res = await start(t.app, 'no-such-round', token);
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/rounds/x/attempts' })).statusCode).toBe(401);
  });

  it('answers 409 ATTEMPTS_EXHAUSTED once maxAttempts are used', async () => {
    const { round, token, resident } = await setup({ maxAttempts: 2 });
    for (let i = 1; i <= 2; i++) {
      const a = await start(t.app, round.id, token);
      expect(a.json().attemptNo).toBe(i);
      await submit(t.app, a.json().attemptId, token, { answers: [], prediction: 0 });
    }
    const res = await start(t.app, round.id, token);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ATTEMPTS_EXHAUSTED');
    expect(await t.app.db.select().from(attempts).where(eq(attempts.userId, resident.id))).toHaveLength(2);
  });

  it('never passes maxAttempts under 50 parallel starts by one resident', async () => {
    const { round, token, resident } = await setup({ maxAttempts: 2 });
    for (let wave = 1; wave <= 3; wave++) {
      const res = await Promise.all(Array.from({ length: 50 }, () => start(t.app, round.id, token)));
      const codes = res.map((r) => r.statusCode);
      if (wave <= 2) {
        // One attempt is created and the 49 others resume it.
        expect(codes.filter((c) => c === 201)).toHaveLength(1);
        expect(codes.filter((c) => c === 200)).toHaveLength(49);
        expect(new Set(res.map((r) => r.json().attemptId)).size).toBe(1);
        await submit(t.app, res[0].json().attemptId, token, { answers: [], prediction: 0 });
      } else {
        expect(new Set(res.map((r) => r.json().code))).toEqual(new Set(['ATTEMPTS_EXHAUSTED']));
      }
    }
    const rows = await t.app.db.select().from(attempts).where(eq(attempts.userId, resident.id));
    expect(rows.map((r) => r.attemptNo).sort()).toEqual([1, 2]);
  });
});

describe('POST /attempts/:id/submit', () => {
  async function started(roundOverrides: Parameters<typeof makeRound>[2] = {}) {
    const s = await setup({ questionCount: 5, ...roundOverrides }, 8);
    const a = (await start(t.app, s.round.id, s.token)).json();
    return { ...s, attempt: a as { attemptId: string; startedAt: string; questions: { id: string; options: { id: string }[] }[] } };
  }
  const ids = (a: { questions: { id: string }[] }) => a.questions.map((q) => q.id);

  it('grades, stores and answers with the score when the round reveals it at once', async () => {
    const { attempt, pool, token, resident } = await started();
    const answers = correctAnswers(pool, ids(attempt)).slice(0, 4);
    // One wrong answer: the first question's first option that is not correct.
    const wrong = pool.find((q) => q.id === ids(attempt)[4])!.options.find((o) => !o.correct)!;
    answers.push({ questionId: ids(attempt)[4], optionId: wrong.id });
    const res = await submit(t.app, attempt.attemptId, token, { answers, prediction: 1234 });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ attemptId: attempt.attemptId, status: 'submitted', total: 5, score: 4 });
    expect(body).not.toHaveProperty('duplicate');
    expect(body.durationMs).toBe(Date.parse(body.submittedAt) - Date.parse(attempt.startedAt));
    const [row] = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId));
    expect(row).toMatchObject({ userId: resident.id, score: 4, total: 5, prediction: 1234, durationMs: body.durationMs });
    expect(row.submittedAt.toISOString()).toBe(body.submittedAt);
    expect(await storedAnswers(t.app.db, attempt.attemptId)).toEqual(answers);
  });

  it('stores only questionId and optionId of each answer', async () => {
    const { attempt, pool, token } = await started();
    const answers = correctAnswers(pool, ids(attempt));
    const res = await submit(t.app, attempt.attemptId, token, { answers: answers.map((a) => ({ ...a, correct: true, score: 99 })), prediction: 1, score: 5 });
    expect(res.statusCode).toBe(200);
    expect(res.json().score).toBe(5);
    const [row] = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId));
    expect(row.score).toBe(5);
    expect(await storedAnswers(t.app.db, attempt.attemptId)).toStrictEqual(answers);
  });

  it('holds the score back while a round with revealScore after_close is open', async () => {
    const { attempt, pool, token } = await started({ revealScore: 'after_close' });
    const res = await submit(t.app, attempt.attemptId, token, { answers: correctAnswers(pool, ids(attempt)), prediction: 5 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('score');
    expect(res.json().total).toBe(5);
  });

  it('scores unanswered questions 0 and accepts empty answers', async () => {
    const { attempt, token } = await started();
    const res = await submit(t.app, attempt.attemptId, token, { answers: [], prediction: 0 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ score: 0, total: 5 });
  });

  it('returns the stored result unchanged with duplicate: true on a second submit', async () => {
    const { attempt, pool, token } = await started();
    const first = (await submit(t.app, attempt.attemptId, token, { answers: correctAnswers(pool, ids(attempt)), prediction: 7 })).json();
    const second = await submit(t.app, attempt.attemptId, token, { answers: [], prediction: 99 });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ ...first, duplicate: true });
    const rows = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ prediction: 7, score: 5 });
  });

  it('returns the stored result to a repeat whose body is not even valid, and 400 before there is one', async () => {
    const { attempt, token } = await started();
    const early = await submit(t.app, attempt.attemptId, token, { answers: 'none' });
    expect(early.statusCode).toBe(400);
    expect(early.json().code).toBe('VALIDATION_FAILED');
    const first = (await submit(t.app, attempt.attemptId, token, { answers: [], prediction: 3 })).json();
    const repeat = await submit(t.app, attempt.attemptId, token, { answers: 'none' });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual({ ...first, duplicate: true });
    // Also from another instance that has not seen the attempt (a database read).
    const other = await makeTestApp({ database: t.database, withRedis: false });
    try {
      const r = await submit(other.app, attempt.attemptId, token, { prediction: -5 });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ ...first, duplicate: true });
      const intruder = tokenFor(other.app, await makeResident(t.app.db));
      // Another user's attempt is 404 whatever the body (API.md).
      const foreign = await submit(other.app, attempt.attemptId, intruder, { prediction: -5 });
      expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'NOT_FOUND']);
    } finally {
      await other.close();
    }
  });

  it('stores one result for 50 parallel submits of one attempt, and every answer is the same', async () => {
    const { attempt, pool, token } = await started();
    const all = ids(attempt);
    const res = await Promise.all(
      Array.from({ length: 50 }, (_, i) => submit(t.app, attempt.attemptId, token, { answers: correctAnswers(pool, all).slice(0, i % 6), prediction: i })),
    );
    expect(res.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    const bodies = res.map((r) => {
      const { duplicate: _d, ...rest } = r.json();
      return rest;
    });
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(res.filter((r) => r.json().duplicate !== true)).toHaveLength(1);
    const rows = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId));
    expect(rows).toHaveLength(1);
    expect(rows[0].score).toBe(bodies[0].score);
  });

  it("answers 404 for another user's attempt and for an unknown one, and stores nothing", async () => {
    const { attempt, token } = await started();
    const intruder = await makeResident(t.app.db);
    const foreign = await submit(t.app, attempt.attemptId, tokenFor(t.app, intruder), { answers: [], prediction: 1 });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('NOT_FOUND');
    const unknown = await submit(t.app, '00000000-0000-4000-8000-000000000000', tokenFor(t.app, intruder), { answers: [], prediction: 1 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ ...foreign.json() });
    // With a body that fails the schema too (it was the 400, before the attempt was looked at).
    for (const id of [attempt.attemptId, '00000000-0000-4000-8000-000000000000']) {
      const bad = await submit(t.app, id, tokenFor(t.app, intruder), { answers: 'x', prediction: -1 });
      expect([bad.statusCode, bad.json().code], id).toEqual([404, 'NOT_FOUND']);
    }
    // The owner still gets the 400 for it.
    const own = await submit(t.app, attempt.attemptId, token, { answers: 'x', prediction: -1 });
    expect([own.statusCode, own.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toHaveLength(0);
  });

  async function attemptWithDeadline(deadlineAgoMs: number) {
    const { round, resident, token, pool } = await setup({ questionCount: 3 }, 3);
    const now = Date.now();
    const [a] = await t.app.db
      .insert(attempts)
      .values({
        roundId: round.id,
        userId: resident.id,
        attemptNo: 1,
        maxAttempts: round.maxAttempts,
        seed: 1,
        questionIds: pool.map((q) => q.id),
        startedAt: new Date(now - 600_000),
        deadline: new Date(now - deadlineAgoMs),
      })
      .returning();
    return { a, token };
  }

  it('answers 409 DEADLINE_PASSED after deadline plus grace, and the attempt stays used', async () => {
    const { a, token } = await attemptWithDeadline(31_000);
    const res = await submit(t.app, a.id, token, { answers: [], prediction: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('DEADLINE_PASSED');
    expect(await t.app.db.select().from(submissions).where(eq(submissions.attemptId, a.id))).toHaveLength(0);
    const again = await start(t.app, a.roundId, token);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ATTEMPTS_EXHAUSTED');
  });

  it('accepts a submit within the grace after the deadline', async () => {
    const { a, token } = await attemptWithDeadline(10_000);
    const res = await submit(t.app, a.id, token, { answers: [], prediction: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json().durationMs).toBeGreaterThan(600_000 - 1);
  });

  it.each([
    ['a question not in the attempt', (a: string[], pool: Question[], other: string) => [{ questionId: other, optionId: pool[0].options[0].id }], 'questionId'],
    ['a repeated question', (a: string[], pool: Question[]) => [...correctAnswers(pool, [a[0]]), ...correctAnswers(pool, [a[0]])], 'questionId'],
    [
      'an option of another question',
      (a: string[], pool: Question[]) => [{ questionId: a[0], optionId: pool.find((q) => q.id === a[1])!.options[0].id }],
      'optionId',
    ],
    ['an unknown option', (a: string[]) => [{ questionId: a[0], optionId: 'no-such-option' }], 'optionId'],
  ])('answers 400 INVALID_ANSWERS for %s and stores nothing', async (_name, build, field) => {
    const { attempt, pool, token } = await started();
    const notInAttempt = pool.find((q) => !ids(attempt).includes(q.id))!.id;
    const res = await submit(t.app, attempt.attemptId, token, { answers: build(ids(attempt), pool, notInAttempt), prediction: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_ANSWERS');
    expect(res.json().details[0].field).toMatch(new RegExp(`^body\\.answers\\.\\d+\\.${field}$`));
    expect(await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toHaveLength(0);
    // The attempt is still open: a correct submit goes through.
    expect((await submit(t.app, attempt.attemptId, token, { answers: [], prediction: 1 })).statusCode).toBe(200);
  });

  it.each([
    ['a negative prediction', { answers: [], prediction: -1 }],
    ['a prediction above 100,000,000', { answers: [], prediction: 100_000_001 }],
    ['a fractional prediction', { answers: [], prediction: 1.5 }],
    ['a prediction as a string', { answers: [], prediction: '5' }],
    ['no prediction', { answers: [] }],
    ['no answers', { prediction: 5 }],
    ['answers that are not a list', { answers: 'A', prediction: 5 }],
    ['an answer without optionId', { answers: [{ questionId: 'q' }], prediction: 5 }],
  ])('answers 400 VALIDATION_FAILED for %s', async (_name, payload) => {
    const { attempt, token } = await started();
    const res = await submit(t.app, attempt.attemptId, token, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(await t.app.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toHaveLength(0);
  });

  it('answers 413 to a huge body', async () => {
    const { attempt, token } = await started();
    const answers = Array.from({ length: 3000 }, (_, i) => ({ questionId: `q-${i}-${'x'.repeat(20)}`, optionId: `o-${i}-${'y'.repeat(20)}` }));
    const res = await submit(t.app, attempt.attemptId, token, { answers, prediction: 1 });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('shows the submission in GET /me/attempts', async () => {
    const { attempt, token } = await started();
    const result = (await submit(t.app, attempt.attemptId, token, { answers: [], prediction: 3 })).json();
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: bearer(token) })).json();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      attemptId: attempt.attemptId,
      status: 'submitted',
      submittedAt: result.submittedAt,
      durationMs: result.durationMs,
      score: 0,
      total: 5,
    });
  });
});

describe('throttling of the hot path', () => {
  let small: TestContext;
  let round: Round;
  let resident: User;
  beforeAll(async () => {
    small = await makeTestApp({ database: t.database, limits: { startPerUser: { limit: 3, windowMs: 60_000 } } });
    const contest = await makeContest(small.app.db);
    round = (await makeRound(small.app.db, contest.id, { maxAttempts: 1 })).round;
    resident = await makeResident(small.app.db);
  });
  afterAll(() => small.close());

  it('counts starts and submits of everyone behind one address against the per-address budget', async () => {
    const perIp = await makeTestApp({ database: t.database, limits: { hotPathPerIp: { limit: 3, windowMs: 60_000 } } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const u = await makeResident(perIp.app.db);
        const r = await start(perIp.app, round.id, tokenFor(perIp.app, u), { remoteAddress: '203.0.113.9' });
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([201, 201, 201, 429]);
      const elsewhere = await start(perIp.app, round.id, tokenFor(perIp.app, await makeResident(perIp.app.db)), { remoteAddress: '198.51.100.7' });
      expect(elsewhere.statusCode).toBe(201);
    } finally {
      await perIp.close();
    }
  });

  it('answers 429 RATE_LIMITED with Retry-After past the per-user start budget', async () => {
    const token = tokenFor(small.app, resident);
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await start(small.app, round.id, token);
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([201, 200, 200, 429, 429]);
    expect(last!.json().code).toBe('RATE_LIMITED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const n = await small.database.rows<{ n: number }>(sql`select count(*)::int as n from attempts where user_id = ${resident.id}`);
    expect(n[0].n).toBe(1);
  });
});
