import { describe, expect, it } from 'vitest';
import { useEmbeddedApp } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';

// The embedded default (PGlite, in-process throttle) runs the same hot path SQL.
const e = useEmbeddedApp({ dataDir: 'memory://' });

describe('the hot path on PGlite', () => {
  it('starts, resumes, submits once and answers a repeat with the stored result', async () => {
    const contest = await makeContest(e.database.db);
    const { round, pool } = await makeRound(e.database.db, contest.id, { questionCount: 4 }, 6);
    const token = tokenFor(e.app, await makeResident(e.database.db));
    const first = await start(e.app, round.id, token);
    expect(first.statusCode).toBe(201);
    const again = await start(e.app, round.id, token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const a = first.json();
    const byId = new Map(pool.map((q) => [q.id, q]));
    const answers = a.questions.map((q: { id: string }) => ({ questionId: q.id, optionId: byId.get(q.id)!.options.find((o) => o.correct)!.id }));
    const res = await submit(e.app, a.attemptId, token, { answers, prediction: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ score: 4, total: 4 });
    const dup = await submit(e.app, a.attemptId, token, { answers: [], prediction: 9 });
    expect(dup.json()).toEqual({ ...res.json(), duplicate: true });
    const exhausted = await start(e.app, round.id, token);
    expect(exhausted.json().code).toBe('ATTEMPTS_EXHAUSTED');
  });
});
