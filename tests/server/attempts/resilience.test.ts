import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, submissions, type Question, type Round } from '../../../db/schema/index';
import { createRedis } from '../../../server/src/plugins/redis';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { redisUrl } from '../../helpers/env';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { start, submit } from '../../helpers/requests';
import { makeTimedAttempt } from '../../helpers/results-factories';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start');
}

const stopRedis = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Redis outage', () => {
  let port: number;
  let server: ChildProcess;
  let t: TestContext;
  const logs: { msg: string; throttle?: string }[] = [];
  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
    t = await makeTestApp({
      redis: createRedis(`redis://127.0.0.1:${port}`),
      logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
      limits: { submitPerUser: { limit: 4, windowMs: 60_000 } },
    });
  });
  afterAll(async () => {
    await t.close();
    await stopRedis(server);
  });

  it('keeps accepting and storing submissions once while Redis is down, and throttles through Redis again once it is back', async () => {
    const contest = await makeContest(t.app.db);
    const { round } = await makeRound(t.app.db, contest.id, { questionCount: 3, maxAttempts: 5 }, 3);
    const resident = await makeResident(t.app.db);
    const token = tokenFor(t.app, resident);
    const startAndSubmit = async () => {
      const a = await start(t.app, round.id, token);
      expect(a.statusCode).toBe(201);
      const id = a.json().attemptId as string;
      const first = await submit(t.app, id, token, { answers: [], prediction: 1 });
      const second = await submit(t.app, id, token, { answers: [], prediction: 2 });
      return { id, first, second };
    };

    const before = await startAndSubmit();
    expect(before.first.statusCode).toBe(200);
    expect(t.app.throttle.mode).toBe('redis');

    await stopRedis(server);
    // Each request meets the outage at most once (a bounded command timeout), then the
    // fallback answers at once: no request waits a second.
    const timed = async <T>(f: () => Promise<T>) => {
      const t0 = performance.now();
      const r = await f();
      expect(performance.now() - t0).toBeLessThan(1000);
      return r;
    };
    await timed(() => t.app.inject({ method: 'GET', url: '/api/v1/contests' }));
    const during = await timed(startAndSubmit);
    expect(during.first.statusCode).toBe(200);
    expect(during.second.statusCode).toBe(200);
    expect(during.second.json()).toMatchObject({ duplicate: true, submittedAt: during.first.json().submittedAt });
    expect(t.app.throttle.mode).toBe('memory');
    expect(logs.filter((l) => l.throttle === 'memory').map((l) => l.msg)).toEqual(['Redis unavailable: falling back to the in-process throttle']);
    const stored = await t.app.db.select().from(submissions).where(eq(submissions.attemptId, during.id));
    expect(stored).toHaveLength(1);
    expect(stored[0].prediction).toBe(1);

    server = await startRedis(port);
    await waitFor(() => t.redis!.status === 'ready');
    // Throttling resumes through Redis: counters appear there and the budget applies again.
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await submit(t.app, during.id, token, { answers: [], prediction: 3 });
      codes.push(r.statusCode);
    }
    expect(t.app.throttle.mode).toBe('redis');
    expect(logs.filter((l) => l.throttle === 'redis').map((l) => l.msg)).toEqual(['Redis is back: throttling through Redis again']);
    expect(codes.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(codes.slice(4)).toEqual([429, 429]);
    const direct = new Redis({ port, host: '127.0.0.1' });
    expect(await direct.get(`rl:{u:${resident.id}}:submit`)).toBe('6');
    direct.disconnect();
  });
});

describe('two app instances on one Redis', () => {
  let db: TestDatabase;
  let a: TestContext;
  let b: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    a = await makeTestApp({ database: db, limits: { startPerUser: { limit: 1000, windowMs: 60_000 } } });
    // The same Redis key prefix: the two instances share counters as two processes would.
    b = await makeTestApp({ database: db, redis: createRedis(redisUrl(), a.keyPrefix), limits: { startPerUser: { limit: 1000, windowMs: 60_000 } } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await db.destroy();
  });

  it('holds maxAttempts across instances under parallel starts', async () => {
    const contest = await makeContest(a.app.db);
    const { round } = await makeRound(a.app.db, contest.id, { maxAttempts: 2 });
    const resident = await makeResident(a.app.db);
    const token = tokenFor(a.app, resident);
    const apps = [a.app, b.app];
    for (let wave = 1; wave <= 3; wave++) {
      const res = await Promise.all(Array.from({ length: 40 }, (_, i) => start(apps[i % 2], round.id, token)));
      if (wave <= 2) {
        expect(res.filter((r) => r.statusCode === 201)).toHaveLength(1);
        const ids = new Set(res.map((r) => r.json().attemptId));
        expect(ids.size).toBe(1);
        const [id] = ids;
        const sub = await Promise.all(apps.map((app) => submit(app, id, token, { answers: [], prediction: wave })));
        expect(sub.map((s) => s.statusCode)).toEqual([200, 200]);
        expect(sub.filter((s) => s.json().duplicate === true)).toHaveLength(1);
      } else {
        expect(new Set(res.map((r) => r.json().code))).toEqual(new Set(['ATTEMPTS_EXHAUSTED']));
      }
    }
    expect(await a.app.db.select().from(attempts).where(eq(attempts.userId, resident.id))).toHaveLength(2);
    expect(await a.app.db.select().from(submissions).where(eq(submissions.userId, resident.id))).toHaveLength(2);
  });

  it('accepts on one instance a submit of an attempt started on the other, once', async () => {
    const contest = await makeContest(a.app.db);
    const { round } = await makeRound(a.app.db, contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(a.app.db);
    const token = tokenFor(a.app, resident);
    const started = (await start(a.app, round.id, token)).json();
    const res = await submit(b.app, started.attemptId, token, { answers: [], prediction: 4 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ attemptId: started.attemptId, total: 3, score: 0 });
    const again = await submit(a.app, started.attemptId, token, { answers: [], prediction: 5 });
    expect(again.json()).toMatchObject({ duplicate: true, submittedAt: res.json().submittedAt });
    expect(await a.app.db.select().from(submissions).where(eq(submissions.attemptId, started.attemptId))).toHaveLength(1);
  });

  /** An attempt whose deadline passed 2 minutes ago, and in Redis a forged (or stale) summary with a deadline 10 minutes ahead. */
  async function lateWithForgedSummary(round: Round, pool: Question[], userId: string) {
    const now = Date.now();
    const late = await makeTimedAttempt(a.app.db, round.id, userId, pool, { startedAt: new Date(now - 600_000), deadline: new Date(now - 120_000) });
    const summary = { r: round.id, n: 1, s: 1, t: now - 600_000, d: now + 600_000, q: pool.map((q) => q.id) };
    await a.redis!.set(`hp:{u:${userId}}:att:${late.id}`, JSON.stringify(summary));
    return late;
  }

  it('lets Postgres refuse a late submit even when Redis holds a summary saying otherwise', async () => {
    const contest = await makeContest(a.app.db);
    const { round, pool } = await makeRound(a.app.db, contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(a.app.db);
    const late = await lateWithForgedSummary(round, pool, resident.id);
    const res = await submit(b.app, late.id, tokenFor(b.app, resident), { answers: [], prediction: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('DEADLINE_PASSED');
    expect(await a.app.db.select().from(submissions).where(eq(submissions.attemptId, late.id))).toHaveLength(0);
  });

  it('stores the good rows of a batch in which one row breaks a constraint, and refuses only that one', async () => {
    // A long batching delay puts all of these submits into one batch.
    const c = await makeTestApp({ database: db, redis: createRedis(redisUrl(), a.keyPrefix), attempts: { writer: { maxDelayMs: 200 } } });
    try {
      const contest = await makeContest(a.app.db);
      const { round, pool } = await makeRound(a.app.db, contest.id, { questionCount: 3 }, 3);
      const good = await Promise.all(Array.from({ length: 5 }, () => makeResident(a.app.db)));
      const started = await Promise.all(good.map(async (u) => (await start(a.app, round.id, tokenFor(a.app, u))).json().attemptId as string));
      const lateUser = await makeResident(a.app.db);
      const late = await lateWithForgedSummary(round, pool, lateUser.id);
      const submitAs = (id: string, u: { id: string; role: 'resident' | 'organizer' | 'judge' | 'admin' }) =>
        submit(c.app, id, tokenFor(c.app, u), { answers: [], prediction: 1 });
      const res = await Promise.all([...started.map((id, i) => submitAs(id, good[i])), submitAs(late.id, lateUser)]);
      expect(res.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 409]);
      expect(res[5].json().code).toBe('DEADLINE_PASSED');
      const stored = await a.app.db.select().from(submissions).where(eq(submissions.roundId, round.id));
      expect(stored.map((s) => s.attemptId).sort()).toEqual([...started].sort());
    } finally {
      await c.close();
    }
  });

  it('counts one user budget across instances', async () => {
    const small = { startPerUser: { limit: 5, windowMs: 60_000 } };
    const c = await makeTestApp({ database: db, redis: createRedis(redisUrl(), a.keyPrefix), limits: small });
    const d = await makeTestApp({ database: db, redis: createRedis(redisUrl(), a.keyPrefix), limits: small });
    try {
      const contest = await makeContest(c.app.db);
      const { round } = await makeRound(c.app.db, contest.id);
      const token = tokenFor(c.app, await makeResident(c.app.db));
      const codes: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await start([c.app, d.app][i % 2], round.id, token);
        codes.push(r.statusCode);
      }
      expect(codes.filter((s) => s !== 429)).toHaveLength(5);
      expect(codes.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await c.close();
      await d.close();
    }
  });
});

describe('graceful close', () => {
  it('has every acknowledged submission in the database after the writer is closed', async () => {
    const db = await createTestDatabase();
    // A long batching delay: the close has to flush what is queued, not the timer.
    const t = await makeTestApp({ database: db, attempts: { writer: { maxDelayMs: 5_000, maxItems: 10_000 } } });
    try {
      const contest = await makeContest(t.app.db);
      const { round } = await makeRound(t.app.db, contest.id, { questionCount: 2 }, 2);
      const people = await Promise.all(Array.from({ length: 30 }, () => makeResident(t.app.db)));
      const ids: string[] = [];
      for (const p of people) {
        const r = await start(t.app, round.id, tokenFor(t.app, p));
        ids.push(r.json().attemptId);
      }
      const pending = people.map((p, i) => submit(t.app, ids[i], tokenFor(t.app, p), { answers: [], prediction: i }));
      await new Promise((r) => setTimeout(r, 100));
      const stored0 = await t.app.db.select().from(submissions).where(eq(submissions.roundId, round.id));
      expect(stored0).toHaveLength(0);
      const closing = t.app.close();
      const res = await Promise.all(pending);
      await closing;
      const acked = res.filter((r) => r.statusCode === 200).map((r) => r.json().attemptId as string);
      expect(acked).toHaveLength(30);
      const stored = await db.db.select().from(submissions).where(eq(submissions.roundId, round.id));
      expect(stored.map((s) => s.attemptId).sort()).toEqual([...acked].sort());
    } finally {
      t.redis?.disconnect();
      await db.destroy();
    }
  });
});
