import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconnectDelaySeconds, type Database } from '../../../db/client';
import { createTestDatabase, proxiedDatabase, type TestDatabase } from '../../helpers/db';
import type { CuttableProxy } from '../../helpers/net';

// While Postgres is away (a restart, a failover) each failed attempt to connect makes the
// pool wait longer before its next one: postgres.js's own backoff grows 3× per failure up to
// 20 s (times 0.5 to 1), so queries that came meanwhile waited that long before failing, and
// so did the first ones after Postgres was back (npm run chaos: errors until 11–12 s after a
// restart of about a second). db/client.ts caps the wait at one second (reconnectDelaySeconds).

let direct: TestDatabase;
let proxy: CuttableProxy;
let pool: Database;

beforeAll(async () => {
  direct = await createTestDatabase({ max: 1 });
  ({ proxy, database: pool } = await proxiedDatabase(direct));
});

afterAll(async () => {
  await pool.close();
  await proxy.down().catch(() => {});
  await direct.destroy();
});

describe('reconnecting after an outage', () => {
  it('waits at most a second between attempts, and from 50 ms after a first failure', () => {
    for (let failures = 0; failures <= 40; failures++) {
      const d = reconnectDelaySeconds(failures);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(1);
    }
    expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.05);
  });

  it('keeps trying at least every second while Postgres is away, and serves queries again within about a second of its return', async () => {
    expect(await pool.rows(sql`select 1 as one`)).toEqual([{ one: 1 }]);
    await proxy.down();
    // Each failed query is a failed connection attempt, and every attempt counts: after 12,
    // on the pool's 4 connections, postgres.js's own backoff would have each connection wait
    // 3^9/100 s or more (capped at 20 s, times 0.5 to 1) before its next attempt.
    // With it, these 12 failures alone took about 20 s: each query waited out its
    // connection's delay before failing, as the first queries after Postgres is back would.
    const cut = Date.now();
    for (let i = 0; i < 12; i++) await expect(pool.rows(sql`select 1 as one`)).rejects.toThrow();
    expect(Date.now() - cut).toBeLessThan(8_000);
    await proxy.up();
    const back = Date.now();
    let answer: unknown = null;
    while (Date.now() - back < 15_000) {
      answer = await pool.rows(sql`select 2 as two`).catch(() => null);
      if (answer) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answer).toEqual([{ two: 2 }]);
    expect(Date.now() - back).toBeLessThan(3_000);
  }, 60_000);
});
