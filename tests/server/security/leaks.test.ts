import { describe, expect, it } from 'vitest';
import type { Question } from '../../../db/schema/index';
import { useTestApp } from '../../helpers/app';
import { bearer, makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';

// Before a round closes, nothing a resident can read may reveal the answer key: no
// correct flags, no explanations, and no option order or option id order that follows
// correctness.

const t = useTestApp();

const KEY_WORDS = /"correct"|"isCorrect"|"explanation"|"correctOptionId"|"answerKey"/;

describe('answer key before the round closes', () => {
  it('appears in no resident-facing response', async () => {
    const contest = await makeContest(t.database.db);
    const { round, pool } = await makeRound(t.database.db, contest.id, { questionCount: 5, revealScore: 'after_close' });
    const resident = await makeResident(t.database.db);
    const token = tokenFor(t.app, resident);
    const h = bearer(token);
    const responses = [];
    responses.push(await t.app.inject({ method: 'GET', url: '/api/v1/contests' }));
    responses.push(await t.app.inject({ method: 'GET', url: `/api/v1/contests/${contest.id}` }));
    const started = await start(t.app, round.id, token);
    responses.push(started);
    responses.push(await start(t.app, round.id, token));
    responses.push(await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: h }));
    const a = started.json();
    const byId = new Map(pool.map((q) => [q.id, q]));
    const allCorrect = a.questions.map((q: { id: string }) => ({ questionId: q.id, optionId: byId.get(q.id)!.options.find((o) => o.correct)!.id }));
    const submitted = await submit(t.app, a.attemptId, token, { answers: allCorrect, prediction: 3 });
    expect(submitted.statusCode).toBe(200);
    // revealScore after_close: not even the score, which would tell which answers were right.
    expect(submitted.json().score).toBeUndefined();
    responses.push(submitted);
    responses.push(await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: h }));
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: h })).json()[0].score).toBeUndefined();
    const key = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/answer-key`, headers: h });
    expect(key.statusCode).toBe(409);
    expect(key.json().code).toBe('ROUND_NOT_CLOSED');
    const winners = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/winners` });
    expect(winners.statusCode).toBe(409);
    for (const r of responses) {
      expect(r.statusCode).toBeLessThan(300);
      expect(r.body, r.body.slice(0, 200)).not.toMatch(KEY_WORDS);
    }
  });

  it('shows options in an order, and with ids, unrelated to which one is correct', async () => {
    const contest = await makeContest(t.database.db);
    const { round, pool } = await makeRound(t.database.db, contest.id, { questionCount: 100 }, 100);
    const byId = new Map<string, Question>(pool.map((q) => [q.id, q]));
    const resident = await makeResident(t.database.db);
    const a = (await start(t.app, round.id, tokenFor(t.app, resident))).json();
    const shownAt = [0, 0, 0, 0];
    const rankById = [0, 0, 0, 0];
    let samePlaceAsStored = 0;
    for (const q of a.questions as { id: string; options: { id: string }[] }[]) {
      const stored = byId.get(q.id)!;
      const correct = stored.options.find((o) => o.correct)!.id;
      const shown = q.options.findIndex((o) => o.id === correct);
      shownAt[shown]++;
      rankById[[...q.options.map((o) => o.id)].sort().indexOf(correct)]++;
      if (shown === stored.options.findIndex((o) => o.correct)) samePlaceAsStored++;
    }
    // 100 questions of 4 options: about 25 per place; these bounds fail by chance ~1e-5.
    for (const n of [...shownAt, ...rankById]) {
      expect(n).toBeGreaterThanOrEqual(8);
      expect(n).toBeLessThanOrEqual(45);
    }
    expect(samePlaceAsStored).toBeLessThan(50);
  });
});
