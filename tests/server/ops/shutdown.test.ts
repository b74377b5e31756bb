import { inArray } from 'drizzle-orm';
import { createSigner } from 'fast-jwt';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submissions } from '../../../db/schema/index';
import { redisUrl } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeResident, makeRound } from '../../helpers/factories';
import { freePort } from '../../helpers/net';
import { TEST_JWT_SECRET } from '../../helpers/app';
import { ServerProcess, serverEnv } from '../../helpers/server-process';

// What `docker stop` does: SIGTERM to the primary of the compiled server (WORKERS=2) alone,
// while submissions are in flight on keep-alive connections.

const RESIDENTS = 300;
const CONNECTIONS = 48;

let database: TestDatabase;
let server: ServerProcess;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = new ServerProcess(serverEnv({ DATABASE_URL: database.url, REDIS_URL: redisUrl(), PORT: String(port), WORKERS: '2', DB_POOL_MAX: '20' }));
  // The banner follows the listen: wait for it too (stdout and the socket race to this process).
  await server.serving(`${base}/readyz`, { name: 'server', withinMs: 60_000, everyMs: 200, ready: () => server.output.includes('đang chạy tại') });
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await database?.destroy();
});

interface Outcome {
  attemptId: string;
  sentAt: number;
  endedAt: number;
  status?: number;
  retryAfter?: string | null;
  error?: string;
}

describe('a Redis that answers at start', () => {
  it('is taken as answering: no error logged, and the banner says the throttle uses it', () => {
    expect(server.output).not.toContain('Redis does not answer');
    expect(server.output).toMatch(/giới hạn tần suất: Redis$/m);
  });
});

describe('SIGTERM to the primary of the compiled server', () => {
  it('answers every request in flight, stores every acknowledged submission and exits 0 within 15 s', async () => {
    const db = database.db;
    const contest = await makeContest(db);
    const { round, pool } = await makeRound(db, contest.id, { questionCount: 3 }, 3);
    const residents = await Promise.all(Array.from({ length: RESIDENTS }, () => makeResident(db)));
    const sign = createSigner({ key: TEST_JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 });
    // Keep-alive connections, as a load balancer or a browser holds them.
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const post = (path: string, token: string, body?: unknown) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
        const payload = body ? JSON.stringify(body) : '';
        const req = request(`${base}/api/v1${path}`, {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on('error', reject);
        });
        req.end(payload);
      });

    // Every resident starts an attempt first, on the same keep-alive connections.
    const jobs: { attemptId: string; token: string; answers: { questionId: string; optionId: string }[] }[] = [];
    const tokens = residents.map((r) => sign({ sub: r.id, role: 'resident' }));
    for (let i = 0; i < tokens.length; i += CONNECTIONS) {
      const batch = await Promise.all(tokens.slice(i, i + CONNECTIONS).map((tk) => post(`/rounds/${round.id}/attempts`, tk)));
      for (const [k, res] of batch.entries()) {
        expect(res.status).toBe(201);
        const a = JSON.parse(res.text) as { attemptId: string; questions: { id: string; options: { id: string }[] }[] };
        jobs.push({ attemptId: a.attemptId, token: tokens[i + k], answers: a.questions.map((q) => ({ questionId: q.id, optionId: q.options[0].id })) });
      }
    }
    expect(pool).toHaveLength(3);

    // /metrics on any worker is the view over both (the primary aggregates over IPC).
    for (let i = 0; i < 4; i++) {
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toMatch(new RegExp(`^attempts_started_total ${RESIDENTS}$`, 'm'));
      // Each process reports a pool of DB_POOL_MAX (20): two workers, 40.
      expect(text).toMatch(/^db_pool_max 40$/m);
    }

    let signalAt = 0;
    let exitedAt = 0;
    const exited = new Promise<number | null>((resolve) =>
      server.child.once('exit', (code) => {
        exitedAt = Date.now();
        resolve(code);
      }),
    );
    const outcomes: Outcome[] = [];
    let next = 0;
    // Each connection submits one attempt after another until the server tells it to go.
    const loop = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const o: Outcome = { attemptId: job.attemptId, sentAt: Date.now(), endedAt: 0 };
        outcomes.push(o);
        try {
          const res = await post(`/attempts/${job.attemptId}/submit`, job.token, { answers: job.answers, prediction: 7 });
          o.status = res.status;
          o.retryAfter = res.headers['retry-after'] as string | undefined;
        } catch (err) {
          o.error = (err as { code?: string }).code ?? String(err);
        }
        o.endedAt = Date.now();
        if (o.status !== 200) return;
      }
    };
    // A client whose headers came whole but whose body stopped after 9 of its 100 bytes.
    const halfBody = connect(Number(new URL(base).port), '127.0.0.1');
    halfBody.on('error', () => {});
    await new Promise((r) => halfBody.once('connect', r));
    halfBody.write(
      `POST /api/v1/attempts/${jobs[1].attemptId}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${jobs[1].token}\r\nContent-Length: 100\r\n\r\n{"answers"`,
    );
    const loops = Array.from({ length: CONNECTIONS }, loop);
    // Signal once a good part of the submissions is through and the rest is flowing.
    while (outcomes.length < RESIDENTS / 3) await new Promise((r) => setTimeout(r, 5));
    // A client that sent half a request and went quiet (a phone that lost its signal): the
    // stop must not wait on it past the drain.
    const { port } = new URL(base);
    const stalled = connect(Number(port), '127.0.0.1');
    stalled.on('error', () => {});
    await new Promise((r) => stalled.once('connect', r));
    stalled.write(`POST /api/v1/attempts/${jobs[0].attemptId}/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`);
    signalAt = Date.now();
    server.child.kill('SIGTERM');
    await Promise.all(loops);
    const code = await exited;
    agent.destroy();
    stalled.destroy();
    halfBody.destroy();

    expect(code, server.output).toBe(0);
    expect(exitedAt - signalAt).toBeLessThan(15_000);

    const before = outcomes.filter((o) => o.sentAt < signalAt);
    const after = outcomes.filter((o) => o.sentAt >= signalAt);
    // Requests sent before the stop began all got an answer: stored, or told to come back.
    for (const o of before) {
      expect(o.error, JSON.stringify(o)).toBeUndefined();
      expect([200, 503], JSON.stringify(o)).toContain(o.status);
      if (o.status === 503) expect(o.retryAfter).toBeTruthy();
    }
    // Some were still in flight when the signal came: the drain had something to do.
    expect(before.filter((o) => o.endedAt >= signalAt).length).toBeGreaterThan(0);
    // Later ones got 503 with Retry-After, or found the port no longer accepting.
    for (const o of after) {
      if (o.error) expect(o.error, JSON.stringify(o)).toBe('ECONNREFUSED');
      else {
        expect([200, 503]).toContain(o.status);
        if (o.status === 503) expect(o.retryAfter).toBeTruthy();
      }
    }
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);

    const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => o.attemptId);
    expect(acknowledged.length).toBeGreaterThan(RESIDENTS / 4);
    const stored = await db.select({ attemptId: submissions.attemptId }).from(submissions).where(inArray(submissions.attemptId, acknowledged));
    expect(new Set(stored.map((s) => s.attemptId))).toEqual(new Set(acknowledged));
    expect(server.output).toContain('stopped cleanly');
  }, 90_000);
});
