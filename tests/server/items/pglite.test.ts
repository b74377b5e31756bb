import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, type Database } from '../../../db/client';
import { buildApp } from '../../../server/src/app';
import { TEST_JWT_SECRET } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';

// The embedded default runs on PGlite: item analysis, a dry run and a correction must work there.
let database: Database;
let app: FastifyInstance;
beforeAll(async () => {
  database = await createDatabase({});
  await migrateDatabase(database);
  app = await buildApp({ config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined }, database, redis: null, jwtSecret: TEST_JWT_SECRET, logger: false });
  await app.ready();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await database?.close();
});

describe('item analysis and corrections on the embedded PGlite database', () => {
  it('analyses, previews, corrects and finalizes on the regraded scores', async () => {
    const db = database.db;
    const contest = await makeContest(db);
    const judgeUser = await makeStaff(db, 'judge');
    await addMember(db, contest.id, judgeUser);
    const judge = tokenFor(app, judgeUser);
    const { round, pool } = await makeClosedRound(db, contest.id, { questionCount: 2 }, 2);
    const key = pool[0].options.find((o) => o.correct)!.id;
    const other = pool[0].options.find((o) => !o.correct)!.id;
    const qids = pool.map((q) => q.id);
    for (let i = 0; i < 4; i++) {
      const chose = i < 2 ? key : other;
      await makeSubmission(db, round, (await makeResident(db)).id, {
        score: chose === key ? 1 : 0,
        total: 2,
        answers: [{ questionId: qids[0], optionId: chose }],
        questionIds: qids,
        prediction: i,
      });
    }
    const post = (url: string, payload?: object) =>
      app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(judge), ...(payload ? { payload } : {}) });
    expect((await post(`/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200);

    const items = await app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/item-analysis`, headers: bearer(judge) });
    expect(items.statusCode, items.body).toBe(200);
    expect(items.json().find((r: { questionId: string }) => r.questionId === qids[0])).toMatchObject({ drawn: 4, answered: 4, facility: 0.5 });

    const dry = await post(`/admin/questions/${qids[0]}/correction?dryRun=true`, { correctOptionId: other, reason: 'Sai đáp án' });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ regraded: 4, scoresChanged: 4, dryRun: true });
    expect(dry.json().changes[0]).toMatchObject({ roundId: round.id, scoresChanged: 4, finalized: true });

    const res = await post(`/admin/questions/${qids[0]}/correction`, { correctOptionId: other, reason: 'Sai đáp án' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ regraded: 4, scoresChanged: 4, staleRounds: [round.id] });
    expect((await post(`/judge/rounds/${round.id}/publish`)).json().code).toBe('RESULTS_STALE');
    const fin = await post(`/judge/rounds/${round.id}/finalize`);
    expect(fin.statusCode).toBe(200);
    const ranking = (await app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${round.id}/ranking`, headers: bearer(judge) })).json();
    expect(ranking.rows.map((r: { score: number }) => r.score)).toEqual([1, 1, 0, 0]);
    expect((await post(`/admin/questions/${qids[0]}/key-confirmation`)).statusCode).toBe(204);
  }, 60_000);
});
