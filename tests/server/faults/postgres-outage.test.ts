import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submissions } from '../../../db/schema/index';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { createTestDatabase, proxiedDatabase, type TestDatabase } from '../../helpers/db';
import type { CuttableProxy } from '../../helpers/net';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit, firstOptions } from '../../helpers/requests';

// Postgres becomes unreachable for the app (a TCP proxy in between is cut): requests get
// 503 with Retry-After and nothing is acknowledged; when it comes back, the app recovers
// by itself.

let direct: TestDatabase;
let proxy: CuttableProxy;
let t: TestContext;

beforeAll(async () => {
  direct = await createTestDatabase();
  const proxied = await proxiedDatabase(direct);
  proxy = proxied.proxy;
  t = await makeTestApp({ database: { ...proxied.database, name: direct.name, url: proxied.url, destroy: () => proxied.database.close() } });
});

afterAll(async () => {
  await t.close();
  await t.database.destroy();
  await proxy.down().catch(() => {});
  await direct.destroy();
});

describe('Postgres unreachable', () => {
  it('answers 503 with Retry-After, acknowledges nothing, and recovers when it returns', async () => {
    const contest = await makeContest(direct.db);
    const { round } = await makeRound(direct.db, contest.id, { questionCount: 3 });
    const resident = await makeResident(direct.db);
    const other = await makeResident(direct.db);
    const token = tokenFor(t.app, resident);

    const started = await start(t.app, round.id, token);
    expect(started.statusCode).toBe(201);
    const attempt = started.json();
    const payload = firstOptions(attempt, 42, 1);

    await proxy.down();
    const t0 = Date.now();
    const lost = await submit(t.app, attempt.attemptId, token, payload);
    expect(lost.statusCode).toBe(503);
    expect(Number(lost.headers['retry-after'])).toBeGreaterThan(0);
    expect(lost.json()).toMatchObject({ statusCode: 503, code: expect.any(String) });
    const refused = await start(t.app, round.id, tokenFor(t.app, other));
    expect(refused.statusCode).toBe(503);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await direct.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toEqual([]);

    await proxy.up();
    let recovered;
    for (let i = 0; i < 50; i++) {
      recovered = await submit(t.app, attempt.attemptId, token, payload);
      if (recovered.statusCode !== 503) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered!.statusCode).toBe(200);
    expect(recovered!.json().duplicate).toBeFalsy();
    expect(await direct.db.select().from(submissions).where(eq(submissions.attemptId, attempt.attemptId))).toHaveLength(1);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  }, 60_000);
});
