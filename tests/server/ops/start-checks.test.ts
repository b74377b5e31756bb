import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../../../db/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { redisUrl } from '../../helpers/env';
import { CuttableProxy, freePort } from '../../helpers/net';
import { ServerProcess, serverEnv } from '../../helpers/server-process';

// A REDIS_URL that answers nothing (a typo, a firewall) leaves every API process throttling in
// its own memory: the service still starts (the fallback), but says so loudly, once, at start.

let database: TestDatabase;
let server: ServerProcess;
beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  const unused = await freePort();
  server = new ServerProcess(serverEnv({ DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${unused}`, PORT: String(port) }));
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
    const proc = new ServerProcess(serverEnv({ DATABASE_URL: db.url, PORT: String(await freePort()) }));
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

// A DATABASE_URL that points at something other than PostgreSQL, or at nothing: the start
// gives up within DB_CONNECT_TIMEOUT with one line naming host:port, never the password,
// and exits 1. postgres.js alone reconnected forever to a port that accepts and closes, or
// answers in another protocol (the first two below hung the start before this check).

const PASSWORD = 'pw-that-must-not-be-logged';

/** A TCP server on 127.0.0.1 that treats each connection as `behave` says. */
async function fakeServer(behave: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    behave(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const startEnv = (databaseUrl: string, timeoutSeconds: number, port = 0): NodeJS.ProcessEnv =>
  serverEnv({ DATABASE_URL: databaseUrl, DB_CONNECT_TIMEOUT: String(timeoutSeconds), PORT: String(port) });

/** The exit code, or 'still running' if the process has not ended within `ms` (then it is killed). */
async function exitWithin(proc: ServerProcess, ms: number): Promise<number | null | 'still running'> {
  if (proc.child.exitCode !== null) return proc.child.exitCode;
  const exited = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([exited, new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), ms)))]);
  clearTimeout(timer);
  if (result === 'still running') await proc.stop('SIGKILL');
  return result;
}

const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a DATABASE_URL that is not PostgreSQL, or unreachable', () => {
  const redis = new URL(redisUrl());
  const cases: [string, () => Promise<{ port: number; close(): Promise<void> }>][] = [
    ['accepts, then closes at once', () => fakeServer((s) => s.end())],
    [
      'answers in another protocol (an HTTP server), then closes',
      () => fakeServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'))),
    ],
    ['accepts and never answers', () => fakeServer(() => {})],
    // The real Redis of the test machine: it reads the startup message as a command and waits for its end.
    ['is Redis', async () => ({ port: Number(redis.port || 6379), close: async () => {} })],
    ['refuses the connection (nothing listens)', async () => ({ port: await freePort(), close: async () => {} })],
  ];

  it.each(cases)(
    'stops the start when the port %s: exit 1 and one fatal line naming host:port, without the password or a stack',
    async (_name, make) => {
      const target = await make();
      const proc = new ServerProcess(startEnv(`postgres://contest:${PASSWORD}@127.0.0.1:${target.port}/contest`, 2));
      try {
        // Far beyond the 2 s asked for: this bound only tells a hang from an exit.
        expect(await exitWithin(proc, 45_000)).toBe(1);
        const fatal = jsonLines(proc.output).filter((l) => l.level === 60);
        expect(fatal).toHaveLength(1);
        expect(fatal[0]).toMatchObject({
          database: `127.0.0.1:${target.port}`,
          msg: expect.stringContaining(`PostgreSQL at 127.0.0.1:${target.port} did not answer within 2 s`),
        });
        expect(fatal[0].err).toBeUndefined();
        expect(proc.output).not.toContain(PASSWORD);
        expect(proc.output).not.toContain('    at ');
      } finally {
        await proc.stop('SIGKILL');
        await target.close();
      }
    },
    90_000,
  );

  it('waits for a PostgreSQL that comes up within DB_CONNECT_TIMEOUT, saying so once, then serves', async () => {
    const db = await createTestDatabase();
    const direct = new URL(db.url);
    const proxy = new CuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    proxy.port = await freePort();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const port = await freePort();
    const proc = new ServerProcess(startEnv(viaProxy.toString(), 120, port));
    try {
      // Nothing listens on the proxy's port yet: the start says it waits, and waits.
      for (let i = 0; i < 600 && !proc.output.includes('does not answer yet'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(proc.child.exitCode).toBeNull();
      await proxy.up();
      await proc.serving(`http://127.0.0.1:${port}/readyz`, { name: 'server', withinMs: 90_000, everyMs: 200 });
      const waiting = jsonLines(proc.output).filter((l) => String(l.msg).includes('does not answer yet'));
      expect(waiting).toHaveLength(1);
      expect(waiting[0]).toMatchObject({ level: 40, database: `127.0.0.1:${proxy.port}` });
    } finally {
      await proc.stop('SIGKILL');
      await proxy.down().catch(() => {});
      await db.destroy();
    }
  }, 150_000);
});

describe('a port another process holds', () => {
  it.each([1, 2])(
    'with WORKERS=%i: exit 1 with a line naming the port, without a stack, instead of a stack trace or forking for ever',
    async (workers) => {
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      const port = (taken.address() as AddressInfo).port;
      const database = await createTestDatabase();
      const proc = new ServerProcess(serverEnv({ DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', WORKERS: String(workers) }));
      try {
        expect(await exitWithin(proc, 60_000), proc.output).toBe(1);
        const fatal = jsonLines(proc.output).filter((l) => l.level === 60);
        expect(fatal.some((l) => l.msg === `cannot listen on 127.0.0.1:${port}: the port is in use by another process (HOST, PORT)`)).toBe(true);
        if (workers > 1) expect(fatal.map((l) => l.msg)).toContain('3 API processes in a row ended before they served; stopping');
        expect(proc.output).not.toMatch(/^\s+at /m);
      } finally {
        await proc.stop('SIGKILL');
        taken.close();
        await database.destroy();
      }
    },
    90_000,
  );
});
