import { describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../web/src/lib/api';
import { AttemptState } from '../../web/src/lib/state/attempt.svelte';
import { loadSaved, merge } from '../../web/src/lib/state/attempt-storage';
import { memoryStore, startedAttempt } from './support';

const attempt = startedAttempt('att-1', '?');

const result = { attemptId: 'att-1', status: 'submitted', submittedAt: '2026-11-22T03:05:00.000Z', durationMs: 300_000, total: 2, score: 1 };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('AttemptState', () => {
  it('saves every answer, the prediction and the place as they change', () => {
    const store = memoryStore();
    const st = new AttemptState(merge(null, 'u1', 'r1', attempt), store);
    st.choose('q1', 'o2');
    st.setPrediction('1.2a3');
    st.go(1);
    expect(st.answered).toBe(1);
    // Kept as typed: what the field cannot read is said (format), not turned into 123.
    expect(loadSaved(store, 'u1', 'r1')).toMatchObject({ answers: { q1: 'o2' }, prediction: '1.2a3', step: 1 });
    expect(st.predictionProblem).toBe('format');
    st.setPrediction('4.200');
    expect([st.predictionProblem, st.predictionValue]).toEqual([null, 4200]);
  });

  it("follows the server's deadline for the same attempt, saved for a reload", () => {
    const store = memoryStore();
    const st = new AttemptState(merge(null, 'u1', 'r1', attempt), store);
    st.adoptDeadline('2026-11-22T03:25:00.000Z');
    expect(st.attempt.deadline).toBe('2026-11-22T03:25:00.000Z');
    expect(loadSaved(store, 'u1', 'r1')?.attempt.deadline).toBe('2026-11-22T03:25:00.000Z');
    st.adoptDeadline('not a date');
    expect(st.attempt.deadline).toBe('2026-11-22T03:25:00.000Z');
  });

  it("takes another tab's answers of the same attempt without writing them back", () => {
    const store = memoryStore();
    const mine = new AttemptState(merge(null, 'u1', 'r1', attempt), store);
    mine.choose('q1', 'o2');
    const theirs = loadSaved(store, 'u1', 'r1')!;
    theirs.answers.q2 = 'o5';
    theirs.prediction = '77';
    const before = store.data.get('ttt.attempt.u1.r1');
    mine.adoptFrom(theirs);
    expect(mine.s.answers).toEqual({ q1: 'o2', q2: 'o5' });
    expect(mine.predictionValue).toBe(77);
    // Writing back would bounce between two tabs for ever.
    expect(store.data.get('ttt.attempt.u1.r1')).toBe(before);
    // Another attempt's copy is not this one's.
    mine.adoptFrom({ ...theirs, attempt: startedAttempt('att-2'), answers: {} });
    expect(mine.answered).toBe(2);
  });

  it('submits once through dropped connections and keeps the result', async () => {
    const store = memoryStore();
    let calls = 0;
    const bodies: string[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      calls++;
      bodies.push(String(init.body));
      if (calls < 3) throw new TypeError('Failed to fetch');
      return json(200, result);
    }) as unknown as typeof globalThis.fetch;
    const client = createApi({ fetch, storage: memoryStore(), sleep: async () => {} });
    const st = new AttemptState(merge(null, 'u1', 'r1', attempt), store);
    st.choose('q2', 'o6');
    st.setPrediction('7');
    // Two presses: the second must not send anything (the retry pauses are real timers, under 2 s here).
    const first = st.submit(client);
    const second = st.submit(client);
    expect(st.locked).toBe(true);
    await Promise.all([first, second]);
    expect(calls).toBe(3);
    expect(new Set(bodies)).toEqual(new Set(['{"choices":[null,2],"prediction":7}']));
    expect(st.result).toMatchObject({ attemptId: 'att-1', score: 1 });
    expect(loadSaved(store, 'u1', 'r1')?.result).toMatchObject({ score: 1 });
    // Answers are frozen once submitted.
    st.choose('q1', 'o1');
    expect(st.s.answers.q1).toBeUndefined();
  }, 20_000);

  it('stops on DEADLINE_PASSED and reports it', async () => {
    const fetch = (async () =>
      json(409, { statusCode: 409, code: 'DEADLINE_PASSED', error: 'Conflict', message: 'late' })) as unknown as typeof globalThis.fetch;
    const st = new AttemptState(merge(null, 'u1', 'r1', attempt), memoryStore());
    await st.submit(createApi({ fetch, storage: memoryStore() }));
    expect(st.failure).toBeInstanceOf(ApiError);
    expect(st.failure?.code).toBe('DEADLINE_PASSED');
    expect(st.result).toBeNull();
    expect(st.submitting).toBe(false);
    // Over for good: the page shows it ended instead of the quiz (whose countdown would send it again).
    expect(st.ended).toBe(true);
  });
});
