import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../db/client';
import { aggregateMetrics } from '../../../server/src/plugins/metrics';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { login, start, submit } from '../../helpers/requests';

const TOKEN = 'metrics-token-0123456789abcdef';

let open: TestContext;
let guarded: TestContext;
// The apps share one database client, whose queries in flight the tests count exactly: the
// revoked-token poll (a query a second by default) would sometimes be one of them.
const quiet = { tokenVersions: { pollMs: 3_600_000 } };
beforeAll(async () => {
  open = await makeTestApp(quiet);
  guarded = await makeTestApp({
    ...quiet,
    database: open.database,
    config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined, METRICS_TOKEN: TOKEN, NODE_ENV: 'production' },
  });
});
afterAll(async () => {
  await guarded.close();
  await open.close();
});

/** The value of one series in a Prometheus exposition, or undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, submissions, starts, the writer and the throttle', async () => {
    const { app } = open;
    const contest = await makeContest(app.db);
    const { round, pool } = await makeRound(app.db, contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(app.db);
    const token = tokenFor(app, resident);
    const started = await start(app, round.id, token);
    expect(started.statusCode).toBe(201);
    const attemptId = started.json().attemptId;
    const answers = pool.map((q) => ({ questionId: q.id, optionId: q.options[0].id }));
    const bad = await submit(app, attemptId, token, { answers: [{ questionId: 'nope', optionId: 'x' }], prediction: 1 });
    expect(bad.statusCode).toBe(400);
    const ok = await submit(app, attemptId, token, { answers, prediction: 1 });
    expect(ok.statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/api/v1/nothing/here' });

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    // The route pattern, never the URL with its ids.
    expect(value(text, 'http_request_duration_seconds_count{method="POST",route="/api/v1/attempts/:attemptId/submit",status="200"}')).toBe(1);
    expect(value(text, 'http_request_duration_seconds_count{method="POST",route="/api/v1/attempts/:attemptId/submit",status="400"}')).toBe(1);
    expect(value(text, 'http_request_duration_seconds_count{method="GET",route="(unmatched)",status="404"}')).toBe(1);
    expect(text).not.toContain(attemptId);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/rounds\/:roundId\/attempts",status="201"\} \d/);
    const hotPath = { submissions_acknowledged_total: 1, 'submissions_rejected_total{code="INVALID_ANSWERS"}': 1, attempts_started_total: 1 };
    const writer = {
      submission_writer_batch_size_count: 1,
      submission_writer_batch_size_sum: 1,
      submission_writer_commit_seconds_count: 1,
      submission_writer_queue_depth: 0,
    };
    const throttle = { 'throttle_mode{mode="redis"}': 1, 'throttle_mode{mode="memory"}': 0, throttle_switches_total: 0 };
    // This very request holds no query: nothing is in flight while the text is made.
    const database = { db_pool_max: 10, db_queries_in_flight: 0, db_pool_waiting: 0 };
    for (const [name, n] of Object.entries({ ...hotPath, ...writer, ...throttle, ...database })) expect(value(text, name), name).toBe(n);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it("labels the web build's files as one route, whatever their names: they change with each release", async () => {
    const web = mkdtempSync(join(tmpdir(), 'web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
    mkdirSync(join(web, '_app', 'immutable', 'nodes'), { recursive: true });
    for (const name of ['0.DN5QAVSd.js', '1.Bx9kPq2a.js', '24.Zt7yHh1c.js']) writeFileSync(join(web, '_app', 'immutable', 'nodes', name), 'export {}');
    const site = await makeTestApp({ ...quiet, database: open.database, webRoot: web });
    try {
      for (const name of ['0.DN5QAVSd.js', '1.Bx9kPq2a.js', '24.Zt7yHh1c.js'])
        expect((await site.app.inject({ method: 'GET', url: `/_app/immutable/nodes/${name}` })).statusCode).toBe(200);
      expect((await site.app.inject({ method: 'GET', url: '/c/demo/play/x' })).statusCode).toBe(200);
      const text = (await site.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(value(text, 'http_request_duration_seconds_count{method="GET",route="(static)",status="200"}')).toBe(3);
      expect(value(text, 'http_request_duration_seconds_count{method="GET",route="/*",status="200"}')).toBe(1);
      expect(text).not.toContain('_app/immutable');
    } finally {
      await site.app.close();
      rmSync(web, { recursive: true, force: true });
    }
  });

  it('counts the queries in flight at the client', async () => {
    const slow = open.database.rows(sql`select pg_sleep(0.3)`);
    await new Promise((r) => setTimeout(r, 50));
    const during = await open.app.inject({ method: 'GET', url: '/metrics' });
    await slow;
    expect(value(during.body, 'db_queries_in_flight')).toBe(1);
    expect(value(during.body, 'db_pool_in_use')).toBe(1);
  });

  it('requires the bearer token when METRICS_TOKEN is set: none or a wrong one is 401', async () => {
    const none = await guarded.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    const wrong = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);
    const right = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('is 404 in production without METRICS_TOKEN, and the app still starts', async () => {
    const prod = await makeTestApp({ database: open.database, config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined, NODE_ENV: 'production' } });
    try {
      const res = await prod.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    } finally {
      await prod.close();
    }
  });

  it('reports the fallback throttle and its switch when Redis stops answering', async () => {
    const { Redis } = await import('ioredis');
    const { redisClientOptions } = await import('../../../server/src/plugins/redis');
    const dead = new Redis({ ...redisClientOptions, port: 1, host: '127.0.0.1', retryStrategy: () => null });
    dead.on('error', () => {});
    const other = await makeTestApp({ redis: dead, database: open.database });
    try {
      await login(other.app, '0912345678', 'whatever-123');
      const text = (await other.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(value(text, 'throttle_mode{mode="memory"}')).toBe(1);
      expect(value(text, 'throttle_switches_total')).toBe(1);
    } finally {
      await other.app.close();
      dead.disconnect();
    }
  });
});

describe('aggregateMetrics', () => {
  it('sums the counters and histograms of several processes into one view', async () => {
    const a = await open.app.metrics.json();
    const b = await open.app.metrics.json();
    const one = value(await open.app.metrics.registry.metrics(), 'submissions_acknowledged_total')!;
    const text = await aggregateMetrics([a, b]);
    expect(value(text, 'submissions_acknowledged_total')).toBe(2 * one);
  });
});

describe('x-request-id', () => {
  it('echoes a sane id from the client on answers, errors and 404s', async () => {
    for (const url of ['/healthz', '/api/v1/nothing', '/api/v1/me', '/metrics']) {
      const res = await open.app.inject({ method: 'GET', url, headers: { 'x-request-id': 'lb-7f3a:9c.01_x' } });
      expect(res.headers['x-request-id'], url).toBe('lb-7f3a:9c.01_x');
    }
    const bad = await open.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-request-id': 'abc-123', 'content-type': 'application/json' },
      payload: '{',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['x-request-id']).toBe('abc-123');
  });

  it('generates a fresh id when the client sends none or an insane one', async () => {
    const ids = new Set<string>();
    for (const given of [undefined, '', 'has space', 'x'.repeat(129), 'quote"me', 'ünïcode']) {
      const res = await open.app.inject({ method: 'GET', url: '/healthz', headers: given === undefined ? {} : { 'x-request-id': given } });
      const id = String(res.headers['x-request-id']);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(6);
  });

  it('is on every log line of the request', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    // A database whose server is gone: the request logs the outage and answers 503.
    const gone = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
    const logged = await makeTestApp({ database: Object.assign(gone, { name: 'none', url: '', destroy: () => gone.close() }), logger });
    try {
      const res = await logged.app.inject({ method: 'GET', url: '/api/v1/contests', headers: { 'x-request-id': 'help-desk-42' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['x-request-id']).toBe('help-desk-42');
      const mine = lines.filter((l) => l.requestId === 'help-desk-42');
      expect(mine.map((l) => l.msg)).toContain('dependency unavailable');
      expect(lines.filter((l) => l.msg === 'dependency unavailable').every((l) => l.requestId === 'help-desk-42')).toBe(true);
    } finally {
      await logged.close();
      await gone.close();
    }
  });
});
