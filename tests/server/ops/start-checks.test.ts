import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../../../db/client';
import { TEST_JWT_SECRET } from '../../helpers/app';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { freePort } from '../../helpers/net';
import { ServerProcess } from '../../helpers/server-process';

// A REDIS_URL that answers nothing (a typo, a firewall) leaves every API process throttling in
// its own memory: the service still starts (the fallback), but says so loudly, once, at start.

let database: TestDatabase;
let server: ServerProcess;
beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  const unused = await freePort();
  server = new ServerProcess({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${unused}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKERS: '1',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    NODE_ENV: 'development',
  });
  // The banner follows the listen: wait for it too (stdout and the socket race to this process).
  await server.serving(`http://127.0.0.1:${port}/healthz`, {
    name: 'server',
    withinMs: 60_000,
    everyMs: 200,
    ready: () => server.output.includes('đang chạy tại'),
  });
}, 90_000);
afterAll(async () => {
  await server?.stop('SIGTERM');
  await database?.destroy();
});

describe('a Redis that does not answer at start', () => {
  it('is logged as an error and shown in the banner, and the service serves', () => {
    const line = server.output.split('\n').find((l) => l.includes('Redis does not answer'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, redis: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(server.output).toContain('Redis KHÔNG trả lời');
  });
});

describe('a stop before the service serves', () => {
  it('ends the process at once with code 1 while the migrations wait, and says so', async () => {
    const db = await createTestDatabase();
    // Another migrator holds the lock: this start waits in its migrations.
    const holder = postgres(db.url, { max: 1, onnotice: () => {} });
    const conn = await holder.reserve();
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    const proc = new ServerProcess({
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: '',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      WORKERS: '1',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      NODE_ENV: 'development',
    });
    try {
      // Waiting for the lock: its session shows up in pg_locks, not granted.
      for (let i = 0; i < 300; i++) {
        const [w] = await conn<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
        if (w.n > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => proc.child.once('exit', (code, signal) => r([code, signal])));
      proc.child.kill('SIGTERM');
      expect(await exited).toEqual([1, null]);
      expect(proc.output).toContain('stopped before serving');
    } finally {
      await proc.stop('SIGKILL');
      conn.release();
      await holder.end({ timeout: 5 });
      await db.destroy();
    }
  }, 60_000);
});
