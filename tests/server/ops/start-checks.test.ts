import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
