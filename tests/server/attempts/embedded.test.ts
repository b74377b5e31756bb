import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, type Database } from '../../../db/client';
import { buildApp } from '../../../server/src/app';
import { TEST_JWT_SECRET } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';
import type { FastifyInstance } from 'fastify';

// The embedded default (PGlite, in-process throttle) runs the same hot path SQL.
let database: Database;
let app: FastifyInstance;
beforeAll(async () => {
  database = await createDatabase({ dataDir: 'memory://' });
  await migrateDatabase(database);
  app = await buildApp({ config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined }, database, redis: null, jwtSecret: TEST_JWT_SECRET, logger: false });
  await app.ready();
}, 120_000);
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('the hot path on PGlite', () => {
  it('starts, resumes, submits once and answers a repeat with the stored result', async () => {
    const contest = await makeContest(database.db);
    const { round, pool } = await makeRound(database.db, contest.id, { questionCount: 4 }, 6);
    const token = tokenFor(app, await makeResident(database.db));
    const first = await start(app, round.id, token);
    expect(first.statusCode).toBe(201);
    const again = await start(app, round.id, token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const a = first.json();
    const byId = new Map(pool.map((q) => [q.id, q]));
    const answers = a.questions.map((q: { id: string }) => ({ questionId: q.id, optionId: byId.get(q.id)!.options.find((o) => o.correct)!.id }));
    const res = await submit(app, a.attemptId, token, { answers, prediction: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ score: 4, total: 4 });
    const dup = await submit(app, a.attemptId, token, { answers: [], prediction: 9 });
    expect(dup.json()).toEqual({ ...res.json(), duplicate: true });
    const exhausted = await start(app, round.id, token);
    expect(exhausted.json().code).toBe('ATTEMPTS_EXHAUSTED');
  });
});
