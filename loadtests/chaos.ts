// npm run chaos: a bounded load of starts and submissions against 127.0.0.1 while an API
// process is killed with SIGKILL, Redis is restarted and Postgres is restarted. Then every
// submission that got a 200 must be in the database exactly once.
//
// It runs its own PostgreSQL (initdb in a temp folder) and its own Redis, on their own
// ports, so nothing else on the machine is disturbed. Needs the PostgreSQL server binaries
// (Debian: postgresql) and redis-server.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { createSigner } from 'fast-jwt';
import postgres from 'postgres';
import { createDatabase, migrateDatabase } from '../db/client';
import { contests, questions, roundQuestions, rounds, users } from '../db/schema/index';
import { makeNationalId } from '../server/src/lib/identity';

const RESIDENTS = Number(process.env.CHAOS_RESIDENTS ?? 1000);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 64);
const MAX_SECONDS = Number(process.env.CHAOS_SECONDS ?? 90);
/** Residents arrive evenly over this window, so the faults land in the middle of the load. */
const LOAD_SECONDS = Number(process.env.CHAOS_LOAD_SECONDS ?? 10);
const WORKERS = Number(process.env.CHAOS_WORKERS ?? 2);
const JWT_SECRET = randomBytes(48).toString('base64url');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 23)}] ${msg}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install -y postgresql)');
  const version = readdirSync(root).sort().at(-1)!;
  return join(root, version, 'bin', name);
}

/** Postgres refuses to run as root: run its tools as the postgres user when we are root. */
function asPostgres(cmd: string, args: string[]) {
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  else execFileSync(cmd, args, { stdio: 'pipe' });
}

/** The same without blocking the event loop, so the load goes on during the outage. */
async function asPostgresAsync(cmd: string, args: string[]) {
  const run = promisify(execFile);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', cmd, ...args]);
  else await run(cmd, args);
}

class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'chaos-pg-'));
  constructor(readonly port: number) {
    chmodSync(this.dir, 0o777);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', this.dir]);
  }
  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  init() {
    asPostgres(pgBin('initdb'), ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }
  /** pg_ctl's arguments to start the server on its port and socket folder, logging to `log`. */
  private startArgs() {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    return ['-D', join(this.dir, 'data'), '-o', options, '-l', join(this.dir, 'log'), '-w', 'start'];
  }
  start() {
    asPostgres(pgBin('pg_ctl'), this.startArgs());
  }
  /** Immediate mode: like a crash, no checkpoint; committed data must survive through the WAL. */
  async restart() {
    await asPostgresAsync(pgBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    // Stay down a moment, as a real crash would, so requests meet the outage.
    await sleep(1000);
    await asPostgresAsync(pgBin('pg_ctl'), this.startArgs());
  }
  stop() {
    try {
      asPostgres(pgBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    } catch {
      /* already down */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class PrivateRedis {
  proc?: ChildProcess;
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start() {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'pipe' });
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('redis-server did not start');
  }
  async restart() {
    await this.stop();
    await sleep(500);
    await this.start();
  }
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc!.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

async function seed(url: string) {
  const database = await createDatabase({ url, max: 2 });
  await migrateDatabase(database);
  const db = database.db;
  const [contest] = await db.insert(contests).values({ slug: 'chaos', title: 'Chaos' }).returning();
  const qs = await db
    .insert(questions)
    .values(
      Array.from({ length: 10 }, (_, i) => ({
        contestId: contest.id,
        text: `Câu hỏi ${i + 1}`,
        options: ['A', 'B', 'C', 'D'].map((t, k) => ({ id: crypto.randomUUID(), text: t, correct: k === i % 4 })),
      })),
    )
    .returning();
  const now = Date.now();
  const [round] = await db
    .insert(rounds)
    .values({
      contestId: contest.id,
      number: 1,
      opensAt: new Date(now - 60_000),
      closesAt: new Date(now + 3_600_000),
      questionCount: 5,
      timeLimitSeconds: 3600,
      maxAttempts: 1,
    })
    .returning();
  await db.insert(roundQuestions).values(qs.map((q, position) => ({ roundId: round.id, questionId: q.id, position })));
  const passwordHash = await hash('chaos-password', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const residents = await db
    .insert(users)
    .values(
      Array.from({ length: RESIDENTS }, (_, i) => ({
        fullName: `Cư dân ${i}`,
        phone: '09' + String(10_000_000 + i).slice(-8),
        passwordHash,
        nationalId: makeNationalId(1990, i),
        birthYear: 1990,
      })),
    )
    .returning({ id: users.id });
  await database.close();
  return { roundId: round.id, userIds: residents.map((r) => r.id) };
}

interface Outcome {
  attemptId?: string;
  acknowledged: boolean;
  score?: number;
  errors: number;
}

async function main() {
  const [pgPort, redisPort, appPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const pg = new PrivatePostgres(pgPort);
  const redis = new PrivateRedis(redisPort);
  let app: ChildProcess | undefined;
  let failed: boolean;
  try {
    log(`private PostgreSQL on ${pgPort}, Redis on ${redisPort}, API on ${appPort} with ${WORKERS} processes`);
    pg.init();
    pg.start();
    await redis.start();
    const { roundId, userIds } = await seed(pg.url);
    log(`seeded ${userIds.length} residents`);

    app = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        PORT: String(appPort),
        HOST: '127.0.0.1',
        WORKERS: String(WORKERS),
        JWT_SECRET,
        LOG_LEVEL: 'warn',
        SEED_DEMO: 'false',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${appPort}`;
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('API did not become ready');
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {
        /* starting */
      }
      await sleep(100);
    }

    const sign = createSigner({ key: JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 });
    const outcomes: Outcome[] = userIds.map(() => ({ acknowledged: false, errors: 0 }));
    const deadline = Date.now() + MAX_SECONDS * 1000;
    const failures = new Map<string, number>();
    const countFailure = (r: { status: number } | null) => {
      const k = r ? String(r.status) : 'network';
      failures.set(k, (failures.get(k) ?? 0) + 1);
    };

    async function call(path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> } | null> {
      try {
        const res = await fetch(`${base}/api/v1${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(5000),
        });
        return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
      } catch {
        return null;
      }
    }

    // One resident: start (or resume) then submit, retrying what failed, like the web app does.
    async function resident(i: number) {
      const token = sign({ sub: userIds[i], role: 'resident' });
      const out = outcomes[i];
      while (Date.now() < deadline && !out.acknowledged) {
        if (!out.attemptId) {
          const r = await call(`/rounds/${roundId}/attempts`, token);
          if (r && (r.status === 200 || r.status === 201)) {
            const attempt = r.json as { attemptId: string; questions: { id: string; options: { id: string }[] }[] };
            out.attemptId = attempt.attemptId;
            (out as Outcome & { answers?: unknown }).answers = attempt.questions.map((q) => ({
              questionId: q.id,
              optionId: q.options[i % q.options.length].id,
            }));
          } else {
            out.errors++;
            countFailure(r);
            await sleep(200 + Math.random() * 300);
            continue;
          }
        }
        const answers = (out as Outcome & { answers?: unknown }).answers;
        const r = await call(`/attempts/${out.attemptId}/submit`, token, { answers, prediction: i });
        if (r && r.status === 200) {
          out.acknowledged = true;
          out.score = r.json.score as number | undefined;
        } else {
          out.errors++;
          countFailure(r);
          await sleep(200 + Math.random() * 300);
        }
      }
    }

    const faults = (async () => {
      await sleep((LOAD_SECONDS * 1000) / 5);
      const workers = execFileSync('pgrep', ['-P', String(app!.pid)])
        .toString()
        .trim()
        .split('\n')
        .filter(Boolean);
      if (workers.length) {
        log(`kill -9 API process ${workers[0]}`);
        process.kill(Number(workers[0]), 'SIGKILL');
      }
      await sleep((LOAD_SECONDS * 1000) / 5);
      log('restart Redis');
      await redis.restart();
      await sleep((LOAD_SECONDS * 1000) / 5);
      log('restart PostgreSQL (immediate stop, then start)');
      await pg.restart();
      log('faults done');
    })();

    const t0 = Date.now();
    const spacing = (LOAD_SECONDS * 1000) / userIds.length;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < userIds.length) {
          const i = next++;
          const wait = t0 + i * spacing - Date.now();
          if (wait > 0) await sleep(wait);
          await resident(i);
        }
      }),
    );
    await faults;

    const acked = outcomes.filter((o) => o.acknowledged);
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    const rows = await sql<{ attempt_id: string; score: number }[]>`select attempt_id, score from submissions`;
    const perAttempt = new Map<string, number>();
    for (const r of rows) perAttempt.set(r.attempt_id, (perAttempt.get(r.attempt_id) ?? 0) + 1);
    const attemptsPerUser = await sql<{ n: number }[]>`select count(*)::int as n from attempts group by user_id, round_id having count(*) > 1`;
    await sql.end();

    const lost = acked.filter((o) => !perAttempt.has(o.attemptId!)).length;
    const duplicates = [...perAttempt.values()].filter((n) => n > 1).length + attemptsPerUser.length;
    const scoreMismatch = acked.filter((o) => o.score !== undefined && rows.find((r) => r.attempt_id === o.attemptId)?.score !== o.score).length;
    const summary = {
      residents: userIds.length,
      acknowledged: acked.length,
      stored: rows.length,
      duplicates,
      lost,
      scoreMismatch,
      retriedRequests: outcomes.reduce((s, o) => s + o.errors, 0),
      unfinished: outcomes.length - acked.length,
    };
    console.log('\nChaos result');
    console.table(summary);
    console.log('failed requests (retried) by status:', Object.fromEntries(failures));
    writeFileSync(
      join('loadtests', 'results', 'chaos.json'),
      JSON.stringify({ at: new Date().toISOString(), workers: WORKERS, ...summary, failuresByStatus: Object.fromEntries(failures) }, null, 2) + '\n',
    );
    // A 5xx other than 503 (dependency down) would be a bug, even if the retry then succeeded.
    const unexpected = [...failures.keys()].filter((k) => k.startsWith('5') && k !== '503');
    if (unexpected.length) console.log(`unexpected statuses: ${unexpected.join(', ')}`);
    failed = lost > 0 || duplicates > 0 || scoreMismatch > 0 || unexpected.length > 0;
  } finally {
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once('exit', r));
      app.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    await redis.stop();
    pg.stop();
  }
  process.exit(failed ? 1 : 0);
}

await main();
