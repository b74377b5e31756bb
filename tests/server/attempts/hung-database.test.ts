import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../helpers/db';
import { makeTestApp, useTestApp, type TestContext } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { firstOptions, start, submit, type Served } from '../../helpers/requests';

// A driver can leave a query pending forever (postgres.js while a restarting Postgres
// refuses its connection: the chaos run found requests still waiting at shutdown). The hot
// path's batches give up after their timeout: the request gets 503 (send again) and the
// next requests run, instead of queueing behind batches that never end.

const t = useTestApp();
const db = () => t.database.db;

describe('a database that stops answering on the hot path', () => {
  let hang = false;
  let hungCalls = 0;
  let app: TestContext;
  beforeAll(async () => {
    const database: TestDatabase = {
      ...t.database,
      hotRows: (q) => {
        if (!hang) return t.database.hotRows(q);
        hungCalls++;
        return new Promise(() => {});
      },
    };
    const timeoutMs = 300;
    app = await makeTestApp({ database, withRedis: false, attempts: { starter: { timeoutMs }, writer: { timeoutMs }, reader: { timeoutMs } } });
  });
  afterAll(() => app.close());

  it('answers 503 when a batch does not settle in time, then serves the retry', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 2 }, 2);
    const token = tokenFor(app.app, await makeResident(db()));

    // More hung starts than batch slots: none of them may block the ones after.
    hang = true;
    const hung = await Promise.all(Array.from({ length: 6 }, () => start(app.app, round.id, token)));
    expect(hungCalls).toBeGreaterThan(0);
    for (const res of hung) {
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    }
    hang = false;
    const started = await start(app.app, round.id, token);
    expect(started.statusCode).toBe(201);
    const served = started.json() as Served;

    hang = true;
    const lost = await submit(app.app, served.attemptId, token, firstOptions(served, 3));
    expect(lost.statusCode).toBe(503);
    hang = false;
    const stored = await submit(app.app, served.attemptId, token, firstOptions(served, 3));
    expect(stored.statusCode).toBe(200);
    expect(stored.json().duplicate).toBeUndefined();
  });
});
