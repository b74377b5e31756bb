// npm run bench: one run, one generator (autocannon), the same connections for every route:
//   (a) a bare Fastify JSON POST route,
//   (b) a naive submit: same auth and body schema, @fastify/rate-limit on Redis, one INSERT per request,
//   (c) our submit route, with real tokens and real attempts,
// then a start burst (BENCH_BURST_RESIDENTS residents starting within BENCH_BURST_SECONDS).
// It prints requests/s, p50 and p99 and the ratios, and writes loadtests/results/bench.json.
//
// DATABASE_URL and REDIS_URL point at the servers to use (local defaults). The data lives
// in a scratch database created for the run and dropped after it, and Redis keys under a
// prefix of their own that are deleted after it: nothing is left behind.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { build } from 'esbuild';
import { createSigner } from 'fast-jwt';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { createDatabase, migrateDatabase } from '../db/client';
import { shuffleOptions } from '../server/src/lib/draw';
import { serverBuildOptions } from '../scripts/build-options.mjs';
import { askCpuUs } from './ipc';

const env = process.env;
const DATABASE_URL = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION = Number(env.BENCH_DURATION ?? 10);
const WARMUP = Number(env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 256);
const BURST_RESIDENTS = Number(env.BENCH_BURST_RESIDENTS ?? 10_000);
const BURST_SECONDS = Number(env.BENCH_BURST_SECONDS ?? 10);
// Each submit needs an attempt of its own; more than the fastest run can use.
const SUBMIT_ATTEMPTS = Number(env.BENCH_SUBMIT_ATTEMPTS ?? 120_000);
// "start": the attempts are started through the API first, as residents would (a submit then
// finds its attempt in the process or in Redis); "sql": inserted directly, so every submit
// reads its attempt from Postgres (the cold path).
const SUBMIT_VIA = env.BENCH_SUBMIT_VIA === 'sql' ? 'sql' : 'start';
// How the submit route is sent answers: "choices" (positions as served, what the web app
// sends; API.md v1.1) or "ids" ({ questionId, optionId } pairs, the body bare and naive get).
const SUBMIT_FORM = env.BENCH_SUBMIT_FORM === 'ids' ? 'ids' : 'choices';
// BENCH_WORKERS=2: the API in two cluster workers, as server.ts runs it with WORKERS=2.
const WORKERS = Number(env.BENCH_WORKERS ?? 1);
// The process under test runs our code as it ships: compiled by esbuild as `npm run build`
// compiles dist/ (scripts/build-options.mjs). BENCH_SOURCE=ts runs the TypeScript through tsx
// instead (profiles then name our files; tsx's keepNames adds a call per named closure made).
const SOURCE = env.BENCH_SOURCE === 'ts' ? 'ts' : 'build';
const QUESTION_COUNT = 20;
const POOL = 40;
const OUT = fileURLToPath(new URL('./results/bench.json', import.meta.url));

const log = (msg: string) => console.log(`[bench] ${msg}`);

interface Figures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time per answered request: steadier than requests/s on a shared machine. */
  apiCpuUsPerReq?: number;
  postgresCpuUsPerReq?: number;
  /** Redis server CPU per answered request (INFO cpu; the whole server, so run it alone). */
  redisCpuUsPerReq?: number;
  /** The load generator's own CPU per request (this process: autocannon), on the same cores. */
  generatorCpuUsPerReq?: number;
}

function figures(r: Result): Figures {
  return { rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
}

const serverCpuUs = (child: ChildProcess) => askCpuUs(child);

/** CPU the Redis server has used, from INFO cpu (user + system), in µs. */
async function redisCpuUs(): Promise<number> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const info = await r.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
    return Math.round((field('used_cpu_user') + field('used_cpu_sys')) * 1e6);
  } finally {
    r.disconnect();
  }
}

/** The server's WAL position in bytes (the whole cluster's: the bench is its only writer while it runs). */
async function walLsn(sql: postgres.Sql): Promise<bigint> {
  const [r] = await sql<{ b: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as b`;
  return BigInt(r.b.split('.')[0]);
}

/** User + system clock ticks of a local process, or null (not on this machine, or gone). */
function processTicks(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * CPU of the Postgres backends serving the scratch database (local servers only; 0
 * otherwise), as a running total: from the first read on the backends are sampled every
 * 250 ms, and one that ends (the pool closes connections idle for 30 s) keeps what it had
 * spent at its last sample. Summing only the backends alive at each read, as the bench did
 * before 2026-12-01 14:45 UTC, took a closed backend's whole past off the total: where the
 * start phase's connections closed during a later route, Postgres per request read low, down
 * to 0 µs or below.
 */
class PostgresCpu {
  private last = new Map<number, number>();
  private ended = 0;
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private sql: postgres.Sql,
    private dbName: string,
  ) {}

  /** Microseconds so far. */
  async read(): Promise<number> {
    if (!this.timer) {
      this.timer = setInterval(() => void this.sample().catch(() => {}), 250);
      this.timer.unref();
    }
    await this.sample();
    let ticks = this.ended;
    for (const t of this.last.values()) ticks += t;
    return ticks * 10_000;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One sample at a time, in order. */
  private sample(): Promise<void> {
    this.sampling = this.sampling.then(
      () => this.sampleNow(),
      () => this.sampleNow(),
    );
    return this.sampling;
  }

  private async sampleNow(): Promise<void> {
    const rows = await this.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${this.dbName}`;
    const live = new Map<number, number>();
    for (const { pid } of rows) {
      const ticks = processTicks(pid);
      if (ticks !== null) live.set(pid, ticks);
    }
    for (const [pid, ticks] of this.last) if (!live.has(pid)) this.ended += ticks;
    this.last = live;
  }
}

/** Blocks the scratch database's backends found in shared buffers and read from outside them (the OS cache or the disk). */
async function postgresBlocks(sql: postgres.Sql, dbName: string): Promise<{ hit: number; read: number }> {
  const [r] = await sql<{ hit: string; read: string }[]>`select blks_hit::text as hit, blks_read::text as read from pg_stat_database where datname = ${dbName}`;
  return { hit: Number(r?.hit ?? 0), read: Number(r?.read ?? 0) };
}

function scratchUrl(name: string) {
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function seed(url: string) {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  try {
    await sql`create table bench_naive_submissions (id text primary key, attempt_id text not null, user_id text not null, answers jsonb not null, prediction int not null, submitted_at timestamptz not null)`;
    const [contest] = await sql`insert into contests (slug, title) values ('bench', 'Bench') returning id`;
    const pool = Array.from({ length: POOL }, (_, i) => {
      const correct = i % 4;
      return {
        id: randomUUID(),
        text: `Câu hỏi ${i + 1}: chuyển đổi số là gì?`,
        options: Array.from({ length: 4 }, (_, k) => ({ id: randomUUID(), text: `Phương án ${'ABCD'[k]}`, correct: k === correct })),
      };
    });
    await sql`
      insert into questions (id, contest_id, text, options)
      select x.id, ${contest.id}, x.text, x.options from jsonb_to_recordset(${sql.json(pool)}) as x(id text, text text, options jsonb)`;
    const now = Date.now();
    const roundIds: string[] = [];
    for (const number of [1, 2]) {
      const [r] = await sql`
        insert into rounds (contest_id, number, opens_at, closes_at, question_count, time_limit_seconds, max_attempts, prediction_prompt)
        values (${contest.id}, ${number}, ${new Date(now - 3_600_000)}, ${new Date(now + 86_400_000)}, ${QUESTION_COUNT}, 7200, 1, 'Bao nhiêu người đúng hết?')
        returning id`;
      roundIds.push(r.id);
      await sql`insert into round_questions (round_id, question_id, position) select ${r.id}, x.id, x.i - 1 from unnest(${pool.map((q) => q.id)}::text[]) with ordinality as x(id, i)`;
    }
    const people = SUBMIT_ATTEMPTS + BURST_RESIDENTS;
    await sql`
      insert into users (id, full_name, phone, password_hash, role, national_id, birth_year)
      select 'u' || i, 'Người dự thi ' || i, '09' || lpad(i::text, 8, '0'), 'not-a-password', 'resident', lpad(i::text, 12, '0'), 1990
      from generate_series(1, ${people}) i`;
    if (SUBMIT_VIA === 'sql') {
      await sql`
        insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
        select 'a' || i, ${roundIds[0]}, 'u' || i, 1, 1, i, ${pool.slice(0, QUESTION_COUNT).map((q) => q.id)}::text[], now(), now() + interval '2 hours'
        from generate_series(1, ${SUBMIT_ATTEMPTS}) i`;
    }
    await sql`analyze`;
    return { submitRound: roundIds[0], burstRound: roundIds[1], pool, people };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** bench-server.ts compiled as dist/ is, beside node_modules (its packages resolve from there). */
async function buildServer(): Promise<string> {
  const outfile = fileURLToPath(new URL('../node_modules/.cache/bench/bench-server.mjs', import.meta.url));
  await build({ ...serverBuildOptions, entryPoints: [fileURLToPath(new URL('./bench-server.ts', import.meta.url))], outfile });
  return outfile;
}

async function startServer(dbUrl: string, prefix: string, secret: string): Promise<{ child: ChildProcess; appPort: number; barePort: number }> {
  const script = SOURCE === 'ts' ? fileURLToPath(new URL('./bench-server.ts', import.meta.url)) : await buildServer();
  const child = fork(script, [], {
    // The flags server.ts gives its API workers (WORKERS > 1); BENCH_NODE_FLAGS overrides.
    execArgv: [...(SOURCE === 'ts' ? ['--import', 'tsx'] : []), ...(env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean)],
    env: { ...env, BENCH_DB_URL: dbUrl, BENCH_REDIS_URL: REDIS_URL, BENCH_REDIS_PREFIX: prefix, BENCH_JWT_SECRET: secret, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (m: { appPort: number; barePort: number }) => resolve({ child, ...m }));
  });
}

async function main() {
  const name = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const secret = randomBytes(48).toString('base64url');
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const pgCpu = new PostgresCpu(admin, name);
  let server: { child: ChildProcess; appPort: number; barePort: number } | null = null;
  const dbUrl = scratchUrl(name);
  try {
    log(`scratch database ${name}; ${CONNECTIONS} connections, ${DURATION} s per route (+${WARMUP} s warm-up)`);
    await admin.unsafe(`create database ${name}`);
    const database = await createDatabase({ url: dbUrl, max: 1 });
    await migrateDatabase(database);
    await database.close();
    const t0 = Date.now();
    const data = await seed(dbUrl);
    log(`seeded ${data.people} residents and ${SUBMIT_ATTEMPTS} attempts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 2 * 3_600_000 });
    const tokens = Array.from({ length: data.people }, (_, i) => `Bearer ${sign({ sub: `u${i + 1}`, role: 'resident' })}`);
    const tokenOf = (i: number) => tokens[i % tokens.length];
    const startCursor = { next: 0 };
    server = await startServer(dbUrl, prefix, secret);

    // One body per attempt, built now so the generator does the same work on every route.
    const byId = new Map<string, (typeof data.pool)[number]>(data.pool.map((q) => [q.id, q]));
    const bodyFor = (questionIds: string[]) =>
      JSON.stringify({
        // Half right, half wrong: the grading does real work.
        answers: questionIds.map((id, i) => {
          const q = byId.get(id)!;
          const correct = q.options.findIndex((o) => o.correct);
          return { questionId: id, optionId: q.options[i % 2 === 0 ? correct : (correct + 1) % 4].id };
        }),
        prediction: 1234,
      });
    // The same answers by position, as the web app sends them.
    const choicesBodyFor = (questionIds: string[], seed: number) =>
      JSON.stringify({
        choices: questionIds.map((id, i) => {
          const q = byId.get(id)!;
          const correct = q.options.findIndex((o) => o.correct);
          const chosen = q.options[i % 2 === 0 ? correct : (correct + 1) % 4].id;
          return shuffleOptions(q.options, seed, id).findIndex((o) => o.id === chosen);
        }),
        prediction: 1234,
      });
    if (SUBMIT_VIA === 'start') {
      const p0 = Date.now();
      const [c0, g0] = await Promise.all([serverCpuUs(server.child), pgCpu.read()]);
      if (env.BENCH_PROFILE) server.child.send({ profile: 'start' });
      const prep = await autocannon({
        url: `http://127.0.0.1:${server.appPort}`,
        connections: CONNECTIONS,
        amount: SUBMIT_ATTEMPTS,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => ({ ...req, path: `/api/v1/rounds/${data.submitRound}/attempts`, headers: { authorization: tokenOf(startCursor.next++) } }),
          },
        ],
      });
      const [c1, g1] = await Promise.all([serverCpuUs(server.child), pgCpu.read()]);
      if (env.BENCH_PROFILE) {
        mkdirSync(fileURLToPath(new URL('./results/profiles/', import.meta.url)), { recursive: true });
        server.child.send({ profile: fileURLToPath(new URL('./results/profiles/start.cpuprofile', import.meta.url)) });
      }
      const n = Math.max(1, prep['2xx']);
      log(
        `started ${SUBMIT_ATTEMPTS} attempts through the API in ${((Date.now() - p0) / 1000).toFixed(1)} s (${Math.round(prep.requests.average)} req/s, p99 ${prep.latency.p99} ms, CPU/req: API ${Math.round((c1 - c0) / n)} µs, Postgres ${Math.round((g1 - g0) / n)} µs)`,
      );
    }
    const q = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const rows = await q<{ id: string; user_id: string; question_ids: string[]; seed: number }[]>`
      select id, user_id, question_ids, seed from attempts where round_id = ${data.submitRound} order by substr(user_id, 2)::int`;
    await q.end({ timeout: 5 });
    // A resident's app sends the token it started with (the one login gave it).
    const tokenOfUser = (userId: string) => tokens[Number(userId.slice(1)) - 1];
    const submitAttempts = rows.map((r) => ({
      path: `/api/v1/attempts/${r.id}/submit`,
      token: tokenOfUser(r.user_id),
      body: SUBMIT_FORM === 'ids' ? bodyFor(r.question_ids) : choicesBodyFor(r.question_ids, r.seed),
    }));
    if (submitAttempts.length < SUBMIT_ATTEMPTS) throw new Error(`only ${submitAttempts.length} of ${SUBMIT_ATTEMPTS} attempts were prepared`);
    // bare and naive get the id form (naive stores it as sent, as a first version would).
    const sampleBody = bodyFor(rows[0].question_ids);
    log(
      `submit sends ${SUBMIT_FORM === 'ids' ? '{ answers: [{ questionId, optionId }] }' : '{ choices: [...] }'} (${Buffer.byteLength(submitAttempts[0].body)} bytes; bare and naive: ${Buffer.byteLength(sampleBody)} bytes); API workers: ${WORKERS}; API code: ${SOURCE === 'ts' ? 'TypeScript through tsx (BENCH_SOURCE=ts)' : 'compiled as dist/ (esbuild)'}`,
    );

    // Every route gets the same generator work per request: a fresh token and the same body.
    const run = (
      port: number,
      pathOf: (i: number) => string,
      opts: {
        duration?: number;
        amount?: number;
        overallRate?: number;
        body?: boolean;
        from?: { next: number };
        item?: (i: number) => { token: string; body: string };
      },
    ) => {
      const cursor = opts.from ?? { next: 0 };
      return autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
        ...(opts.amount !== undefined ? { amount: opts.amount, overallRate: opts.overallRate } : {}),
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              const i = cursor.next++;
              const it = opts.item ? opts.item(i) : { token: tokenOf(i), body: sampleBody };
              const headers: Record<string, string> = { authorization: it.token };
              if (opts.body === false) return { ...req, path: pathOf(i), headers };
              headers['content-type'] = 'application/json';
              return { ...req, path: pathOf(i), headers, body: it.body };
            },
          },
        ],
      });
    };

    /** The submission writer's totals so far, from the app's /metrics (plugins/metrics.ts). */
    async function writerStats(port: number): Promise<{ batches: number; rows: number; seconds: number }> {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      const sum = (name: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
          .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      return {
        batches: sum('submission_writer_batch_size_count'),
        rows: sum('submission_writer_batch_size_sum'),
        seconds: sum('submission_writer_commit_seconds_sum'),
      };
    }

    const submitCursor = { next: 0 };
    const routes = {
      bare: (d: number) => run(server!.barePort, () => '/bare', { duration: d }),
      naive: (d: number) => run(server!.appPort, (i) => `/bench/naive/a${i + 1}`, { duration: d }),
      appbare: (d: number) => run(server!.appPort, () => '/bench/app-bare', { duration: d }),
      submit: (d: number) =>
        run(server!.appPort, (i) => submitAttempts[i % submitAttempts.length].path, {
          duration: d,
          from: submitCursor,
          item: (i) => submitAttempts[i % submitAttempts.length],
        }),
    };
    const results: Record<string, Figures> = {};
    const problems: string[] = [];
    // BENCH_ROUTES=submit (comma-separated) runs a subset while tuning; ratios need all three.
    const only = env.BENCH_ROUTES ? new Set(env.BENCH_ROUTES.split(',')) : null;
    for (const [route, go] of Object.entries(routes)) {
      if (only ? !only.has(route) : route === 'appbare') continue;
      if (WARMUP > 0) await go(WARMUP);
      const [cpu0, pg0, rd0, w0] = await Promise.all([serverCpuUs(server.child), pgCpu.read(), redisCpuUs(), writerStats(server.appPort)]);
      // BENCH_PROFILE=1 writes a CPU profile of the server process for each measured run.
      if (env.BENCH_PROFILE) server.child.send({ profile: 'start' });
      const gen0 = process.cpuUsage();
      const r = await go(DURATION);
      const gen = process.cpuUsage(gen0);
      if (env.BENCH_PROFILE) {
        mkdirSync(fileURLToPath(new URL('./results/profiles/', import.meta.url)), { recursive: true });
        server.child.send({ profile: fileURLToPath(new URL(`./results/profiles/${route}.cpuprofile`, import.meta.url)) });
      }
      const [cpu1, pg1, rd1, w1] = await Promise.all([serverCpuUs(server.child), pgCpu.read(), redisCpuUs(), writerStats(server.appPort)]);
      results[route] = figures(r);
      const answered = Math.max(1, r['2xx']);
      results[route].apiCpuUsPerReq = Math.round((cpu1 - cpu0) / answered);
      results[route].postgresCpuUsPerReq = Math.round((pg1 - pg0) / answered);
      results[route].redisCpuUsPerReq = Math.round((rd1 - rd0) / answered);
      results[route].generatorCpuUsPerReq = Math.round((gen.user + gen.system) / Math.max(1, r.requests.total));
      const bad = r.errors + r.timeouts + r.non2xx;
      if (bad) problems.push(`${route}: ${bad} failed requests (${JSON.stringify(r.statusCodeStats)})`);
      const f = results[route];
      log(
        `${route.padEnd(6)} ${String(f.rps).padStart(7)} req/s   p50 ${f.p50Ms} ms   p99 ${f.p99Ms} ms   CPU/req: API ${f.apiCpuUsPerReq} µs, Postgres ${f.postgresCpuUsPerReq} µs, Redis ${f.redisCpuUsPerReq} µs (generator ${f.generatorCpuUsPerReq} µs)`,
      );
      const batches = w1.batches - w0.batches;
      if (route === 'submit' && batches > 0)
        log(
          `submit writer: ${batches} INSERT statements, ${((w1.rows - w0.rows) / batches).toFixed(1)} rows and ${(((w1.seconds - w0.seconds) / batches) * 1000).toFixed(1)} ms each on average`,
        );
    }
    if (submitCursor.next > SUBMIT_ATTEMPTS)
      problems.push(`submit ran out of fresh attempts (${submitCursor.next} > ${SUBMIT_ATTEMPTS}): raise BENCH_SUBMIT_ATTEMPTS`);

    const check = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const [{ n: stored }] = await check`select count(*)::int as n from submissions`;
    log(`submissions stored: ${stored}`);

    const burstOn = !only || only.has('burst');
    if (burstOn) log(`start burst: ${BURST_RESIDENTS} residents within ${BURST_SECONDS} s`);
    let startBurst: { residents: number; seconds: number; errors: number; p99Ms: number } | null = null;
    if (burstOn) {
      // Open loop: the residents arrive on schedule whatever the latency (autocannon's
      // per-connection pacing falls behind at this rate, so the bench schedules them itself).
      const [c0, g0, k0, w0] = await Promise.all([serverCpuUs(server.child), pgCpu.read(), postgresBlocks(admin, name), walLsn(admin)]);
      const b = await openLoopBurst(server.appPort, `/api/v1/rounds/${data.burstRound}/attempts`, BURST_RESIDENTS, BURST_SECONDS, (i) =>
        // Residents the submit phase did not use: their tokens are new to the server.
        tokenOf(tokens.length - 1 - i),
      );
      const [{ n: started }] = await check`select count(*)::int as n from attempts where round_id = ${data.burstRound}`;
      startBurst = { residents: BURST_RESIDENTS, seconds: b.seconds, errors: b.errors, p99Ms: b.p99Ms };
      const [c1, g1, w1] = await Promise.all([serverCpuUs(server.child), pgCpu.read(), walLsn(admin)]);
      // Block counts reach pg_stat_database within a second of a backend's transaction; the
      // CPU is read before that wait, so idle time does not count against the starts.
      await new Promise((r) => setTimeout(r, 1500));
      const k1 = await postgresBlocks(admin, name);
      const perReq = (x: number) => Math.round(x / Math.max(1, BURST_RESIDENTS));
      const blocks = (x: number) => (x / Math.max(1, BURST_RESIDENTS)).toFixed(1);
      log(
        `start burst: ${started} attempts created, ${b.errors} errors, p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms, last answer after ${b.seconds} s (CPU/req: API ${perReq(c1 - c0)} µs, Postgres ${perReq(g1 - g0)} µs; API busy ${Math.round((c1 - c0) / 10_000 / b.seconds)}%; Postgres blocks per start: ${blocks(k1.hit - k0.hit)} in shared buffers, ${blocks(k1.read - k0.read)} read from outside; WAL per start: ${perReq(Number(w1 - w0))} bytes)`,
      );
    }
    await check.end({ timeout: 5 });

    const ratio = (a?: Figures, b?: Figures) => (a && b ? Number((a.rps / b.rps).toFixed(3)) : null);
    const ratios = { submitOverBare: ratio(results.submit, results.bare), submitOverNaive: ratio(results.submit, results.naive) };
    log(`submit / bare = ${ratios.submitOverBare} (target >= 0.40)   submit / naive = ${ratios.submitOverNaive} (target >= 3)`);
    for (const p of problems) log(`PROBLEM ${p}`);

    const cpus = os.cpus();
    const out = {
      machine: {
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        cores: cpus.length,
        memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
      },
      at: new Date().toISOString(),
      config: {
        durationSeconds: DURATION,
        warmupSeconds: WARMUP,
        connections: CONNECTIONS,
        apiProcesses: WORKERS,
        submitAttemptsVia: SUBMIT_VIA,
        submitForm: SUBMIT_FORM,
        apiCode: SOURCE === 'ts' ? 'tsx' : 'esbuild',
      },
      routes: results,
      ratios,
      startBurst,
      problems,
    };
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n');
    log(`written to ${OUT}`);
  } finally {
    if (server) {
      server.child.removeAllListeners('exit');
      const exited = new Promise((r) => server!.child.once('exit', r));
      server.child.send({ stop: true });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    pgCpu.stop();
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch((err) => log(`could not drop ${name}: ${err.message}`));
    await admin.end({ timeout: 5 });
    await deleteKeys(prefix);
  }
}

/** `total` POSTs spread evenly over `seconds` (every 10 ms a slice), on up to CONNECTIONS keep-alive sockets. */
async function openLoopBurst(port: number, path: string, total: number, seconds: number, tokenAt: (i: number) => string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { authorization: tokenAt(i), 'content-length': 0 } }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          if (res.statusCode !== 200 && res.statusCode !== 201) errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const tickMs = 10;
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - start + tickMs) / (seconds * 1000)) * total));
    while (sent < due) pending.push(one(sent++));
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(pending);
  const seconds_ = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { seconds: Number(seconds_.toFixed(2)), errors, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function deleteKeys(prefix: string) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
