// The process under test for `npm run bench` (started by bench.ts, never on its own):
// (a) a bare Fastify JSON POST route, (b) a naive submit inside the real app, (c) the real app.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import rateLimit from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { z } from 'zod';
import { createDatabase } from '../db/client';
import { buildApp, securityHeaders } from '../server/src/app';
import { SubmitBody } from '../server/src/modules/attempts/index';
import { askCpuUs } from './ipc';
import { createRedis } from '../server/src/plugins/redis';

const env = process.env;
const unlimited = { limit: 1_000_000_000, windowMs: 60_000 };

async function main() {
  const database = await createDatabase({ url: env.BENCH_DB_URL!, max: Number(env.BENCH_DB_POOL ?? 20) });
  const redis = createRedis(env.BENCH_REDIS_URL!, env.BENCH_REDIS_PREFIX!);
  // A second client for the naive route: its store is @fastify/rate-limit's own.
  const naiveRedis = createRedis(env.BENCH_REDIS_URL!, env.BENCH_REDIS_PREFIX!);
  naiveRedis.on('error', () => {});
  await Promise.all([redis, naiveRedis].map((r) => (r.status === 'ready' ? null : new Promise((ok) => r.once('ready', ok)))));

  const app = await buildApp({
    config: { JWT_EXPIRES_IN: '2h', TRUST_PROXY: undefined, TOKEN_CACHE_SIZE: env.TOKEN_CACHE_SIZE ? Number(env.TOKEN_CACHE_SIZE) : undefined },
    database,
    redis,
    jwtSecret: env.BENCH_JWT_SECRET!,
    logger: false,
    // Every request comes from 127.0.0.1: the per-address budget would throttle the bench itself.
    limits: { startPerUser: unlimited, submitPerUser: unlimited, hotPathPerIp: unlimited },
    // BENCH_ATTEMPTS_OPTIONS='{"writer":{"maxDelayMs":5}}' tunes the hot path for an experiment.
    attempts: env.BENCH_ATTEMPTS_OPTIONS ? JSON.parse(env.BENCH_ATTEMPTS_OPTIONS) : undefined,
  });

  // (b) What a first version would do: same auth, same body schema, @fastify/rate-limit with
  // its Redis store, one INSERT per request.
  await app.register(async (naive) => {
    await naive.register(rateLimit, {
      max: unlimited.limit,
      timeWindow: unlimited.windowMs,
      redis: naiveRedis,
      keyGenerator: (req) => (req.user as { sub?: string } | undefined)?.sub ?? req.ip,
    });
    naive.post('/bench/naive/:attemptId', { onRequest: app.authenticate, schema: { body: SubmitBody } }, async (req) => {
      const body = req.body as SubmitBody;
      const now = new Date();
      await database.rows(sql`
          insert into bench_naive_submissions (id, attempt_id, user_id, answers, prediction, submitted_at)
          values (${randomUUID()}, ${(req.params as { attemptId: string }).attemptId}, ${req.user.sub}, ${JSON.stringify(body.answers)}::jsonb, ${body.prediction}, ${now.toISOString()}::timestamptz)
        `);
      return { status: 'submitted', submittedAt: now.toISOString() };
    });
  });
  // (d) Diagnosis only (BENCH_ROUTES=appbare): the app's own per-request cost (helmet, JSON
  // parser, zod body schema and response serializer) with no auth, Redis or database.
  app.post('/bench/app-bare', { schema: { body: SubmitBody, response: { 200: z.object({ ok: z.boolean(), n: z.number() }) } } }, async (req) => ({
    ok: true,
    n: (req.body as SubmitBody).prediction,
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });

  // (a) Nothing but Fastify parsing a JSON body and answering JSON.
  const bare = Fastify({ logger: false });
  // Diagnosis (BENCH_BARE_HEADERS=app): the bare route answers with the headers every answer
  // of the app carries (helmet's set and x-request-id), so both ends pay for the same header bytes.
  if (env.BENCH_BARE_HEADERS === 'app') {
    const headers = securityHeaders();
    bare.addHook('onRequest', (req, reply, done) => {
      reply.headers(headers).header('x-request-id', req.id);
      done();
    });
  }
  bare.post('/bare', async (req) => ({ ok: true, n: (req.body as { prediction?: number }).prediction ?? 0 }));
  await bare.listen({ port: 0, host: '127.0.0.1' });

  const portOf = (s: { server: { address(): unknown } }) => (s.server.address() as { port: number }).port;
  process.send!({ ready: true, appPort: portOf(app), barePort: portOf(bare) });

  let inspector: Session | null = null;
  // BENCH_PROFILE=heap: a sampling allocation profile (.heapprofile) instead of a CPU profile;
  // heap-live: only what is still on the heap when the run ends.
  const heap = process.env.BENCH_PROFILE === 'heap' || process.env.BENCH_PROFILE === 'heap-live';
  const live = process.env.BENCH_PROFILE === 'heap-live';
  process.on('message', async (m: { stop?: boolean; cpu?: boolean; profile?: 'start' | string }) => {
    if (m.profile === 'start') {
      inspector = new Session();
      inspector.connect();
      if (heap) {
        await inspector.post('HeapProfiler.enable');
        // Every 8 KB allocated on average; with heap, objects already collected too (where the garbage comes from).
        await inspector.post('HeapProfiler.startSampling', {
          samplingInterval: 8192,
          includeObjectsCollectedByMajorGC: !live,
          includeObjectsCollectedByMinorGC: !live,
        });
      } else {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.start');
      }
      return;
    }
    if (m.profile && inspector) {
      const { profile } = heap ? await inspector.post('HeapProfiler.stopSampling') : await inspector.post('Profiler.stop');
      writeFileSync(heap ? m.profile.replace(/\.cpuprofile$/, '.heapprofile') : m.profile, JSON.stringify(profile));
      inspector.disconnect();
      inspector = null;
      return;
    }
    if (m.cpu) {
      const u = process.cpuUsage();
      process.send!({ cpuUs: u.user + u.system });
      return;
    }
    if (!m.stop) return;
    await bare.close();
    await app.close();
    redis.disconnect();
    naiveRedis.disconnect();
    await database.close();
    process.exit(0);
  });
}

/**
 * BENCH_WORKERS=2: as server.ts with WORKERS=2, the API in that many cluster workers sharing
 * one port; this primary sums their CPU for the bench and stops them. No profiles.
 */
async function primary(n: number) {
  const workers = Array.from({ length: n }, () => cluster.fork());
  const ready = await Promise.all(
    workers.map((w) => new Promise<{ appPort: number; barePort: number }>((ok) => w.once('message', (m: { appPort: number; barePort: number }) => ok(m)))),
  );
  process.send!({ ready: true, appPort: ready[0].appPort, barePort: ready[0].barePort, workers: n });
  process.on('message', async (m: { stop?: boolean; cpu?: boolean }) => {
    if (m.cpu) {
      const own = process.cpuUsage();
      const theirs = await Promise.all(workers.map((w) => askCpuUs(w)));
      process.send!({ cpuUs: own.user + own.system + theirs.reduce((a, b) => a + b, 0) });
    }
    if (m.stop) {
      await Promise.all(workers.map((w) => new Promise((ok) => (w.once('exit', ok), w.send({ stop: true })))));
      process.exit(0);
    }
  });
}

const WORKERS = Number(env.BENCH_WORKERS ?? 1);
(cluster.isPrimary && WORKERS > 1 ? primary(WORKERS) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
