import cluster from 'node:cluster';
import type { Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from './lib/log';
import { createDatabase, migrateDatabase } from '../../db/client';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../../db/seed';
import { buildApp } from './app';
import { sweepStaleExportDirs } from './lib/export-files';
import { defaultPow } from './lib/pow';
import { loadConfigOrExit, type Config } from './config';
import { clusterWorkerMetrics, serveClusterMetrics } from './plugins/metrics';
import { createRedis, createRedisCluster } from './plugins/redis';
import { DatabaseUnreachable, reachDatabase, resolveJwtSecret } from './runtime';
import { ConsoleSender, HttpSender, type OtpSender } from './modules/otp/index';

// The compiled server (dist/server.js) is one folder below the project, the sources two.
const webRoot =
  [new URL('../web/build', import.meta.url), new URL('../../web/build', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((p) => existsSync(join(p, 'index.html'))) ?? null;

/**
 * A stop (SIGTERM, e.g. `docker stop`) must end well within 15 s: each API process gets
 * DRAIN_MS to answer its requests in flight and commit its queued submissions, and the
 * primary kills whatever is left at KILL_MS.
 */
const DRAIN_MS = 10_000;
/** Why a listen fails, by the system's code, as the fatal line says it. */
const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the port is in use by another process',
  EACCES: 'not allowed to use this port (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved',
};
/** API processes in a row that end before they serve (a port taken, a bad HOST): the primary then stops (exit 1). */
const START_FAILURES_MAX = 3;

/** How long a stop waits for a request body that is still arriving (server.ts close()). */
const STALLED_BODY_MS = 3_000;
const KILL_MS = 13_000;
/**
 * Before the server closes its idle keep-alive sockets, clients get this long to send their
 * next request and be told 503 (a socket closed just as a client writes on it is an error
 * the client cannot tell from a crash). Ends early once no connection is left.
 */
const LEAVE_MS = 1_000;

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL);

/** Whether Redis answered when the service started (the banner says so; null: none configured). */
let redisAtStart: boolean | null = null;

/**
 * Redis asked once at start. Without it every API process throttles in its own memory (the
 * fallback, README "Security model"), which keeps the service up through a Redis outage but
 * multiplies each budget by the processes: a mistyped REDIS_URL must not pass unnoticed.
 */
async function checkRedis(): Promise<void> {
  if (!config.REDIS_URL) return;
  const first = config.REDIS_URL.split(',')[0].trim();
  const client = createRedis(first);
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  try {
    // The client has no offline queue: a command sent before it has connected is refused at
    // once ("Stream isn't writeable"), so the ping waits for the connection.
    const ready = new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    const late = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within 3 s${lastError ? ` (${lastError.message})` : ''}`)), 3_000).unref(),
    );
    await Promise.race([ready.then(() => client.ping()), late]);
    redisAtStart = true;
  } catch (err) {
    redisAtStart = false;
    const at = new URL(first);
    log.error(
      { redis: `${at.hostname}:${at.port || 6379}`, reason: err instanceof Error ? err.message : String(err) },
      'Redis does not answer: every API process throttles in its own memory until it does (check REDIS_URL)',
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Export files a killed or crashed process left in the temp folder (they carry personal data):
 * removed by the primary before any API process serves, then every EXPORT_SWEEP_SECONDS
 * (lib/export-files.ts). Only at the start, the folder of a worker that crashed waited for
 * the next start, and so did that of a process restarted within the minute of its crash.
 */
async function sweepExports(): Promise<void> {
  const removed = await sweepStaleExportDirs().catch((err: unknown) => {
    log.warn({ err }, 'could not sweep old export files');
    return [];
  });
  if (removed.length) log.info({ removed: removed.length, folder: tmpdir() }, 'removed export files left by a process that ended');
}

/** Migrations and the demo seed run once, before any API process serves. */
async function prepare(): Promise<void> {
  const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: 1 });
  if (config.DATABASE_URL) {
    try {
      await reachDatabase(database, {
        url: config.DATABASE_URL,
        timeoutMs: config.DB_CONNECT_TIMEOUT * 1000,
        onWaiting: (target, reason) =>
          log.warn({ database: target, reason }, `PostgreSQL at ${target} does not answer yet: waiting up to ${config.DB_CONNECT_TIMEOUT} s`),
      });
    } catch (err) {
      // Not closed: a client still reconnecting to a port that is not PostgreSQL's can wait
      // out its own timeout; the process exits on this error anyway.
      void database.close().catch(() => {});
      throw err;
    }
  }
  try {
    await migrateDatabase(database);
    const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && !config.DATABASE_URL);
    if (seed) {
      const r = await seedDemo(database.db);
      if (r.created) log.info({ contestId: r.contestId }, 'demo contest seeded');
    }
  } finally {
    await database.close();
  }
}

/** Where one-time codes go (config.ts has refused the console provider in production). */
function otpSender(c: Config, logger: { warn(obj: object, msg: string): void }): OtpSender | null {
  if (c.otpProvider === 'http') return new HttpSender(c.OTP_HTTP_URL!, c.OTP_HTTP_TOKEN!);
  if (c.otpProvider === 'console') return new ConsoleSender(logger);
  return null;
}

async function serve(): Promise<void> {
  const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: config.DB_POOL_MAX });
  const redis = !config.REDIS_URL
    ? null
    : config.REDIS_CLUSTER === 'true'
      ? createRedisCluster(config.REDIS_URL.split(',').map((u) => u.trim()))
      : createRedis(config.REDIS_URL);
  // In a cluster, /metrics on any worker shows every worker (the primary aggregates).
  const clusterMetrics = cluster.isWorker ? clusterWorkerMetrics((m) => process.send?.(m)) : null;
  const app = await buildApp({
    config,
    database,
    redis,
    jwtSecret: resolveJwtSecret(config),
    logger: log,
    webRoot,
    registrationPow: config.registrationPow ? defaultPow : false,
    otp: {
      sender: otpSender(config, log),
      template: config.OTP_MESSAGE_TEMPLATE,
      registration: config.REGISTRATION_OTP === 'on',
    },
    gatherMetrics: clusterMetrics?.gather,
    attempts: config.ATTEMPT_CACHE_SIZE ? { attemptCacheSize: config.ATTEMPT_CACHE_SIZE } : undefined,
  });
  clusterMetrics?.answer(() => app.metrics.json());

  // Every socket of this process, for the stop below.
  const sockets = new Set<Socket>();
  app.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  let closing = false;
  const close = async (signal: string) => {
    if (closing) {
      // Ctrl-C again at a terminal: the person wants out now (an orchestrator's repeated SIGTERM is ignored).
      if (signal === 'SIGINT') {
        log.warn('interrupted again: exiting without waiting for the requests in flight');
        process.exit(1);
      }
      return;
    }
    closing = true;
    log.info({ signal }, 'shutting down: answering the requests in flight');
    const force = setTimeout(() => {
      log.error('requests still running after the drain period; exiting');
      process.exit(1);
    }, DRAIN_MS).unref();
    let code = 0;
    try {
      app.startDraining();
      const leaveBy = Date.now() + LEAVE_MS;
      while (Date.now() < leaveBy && (await openConnections(app.server)) > 0) await new Promise((r) => setTimeout(r, 25));
      // A socket with no response pending is idle, or has sent part of a request and gone
      // quiet (a phone that lost its signal): Node's close would wait for the latter until its
      // headers timeout, past the drain. Neither has anything to lose; requests being
      // answered keep their sockets (`_httpMessage`: the response a socket is serving, from a
      // request's headers to its response's end; internal to node:http, on Node 20 to 24).
      for (const s of sockets) if (!(s as ServedSocket)._httpMessage) s.destroy();
      // Stops accepting, answers what is in flight (new requests on open connections get
      // 503 + Retry-After, every answer closes its connection), then the onClose hooks
      // commit the submission writer's queue before the database goes.
      const closed = app.close();
      // A request whose body stopped coming (a phone that lost its signal mid-upload) is never
      // answered, and app.close() would wait for it to the drain's end and exit 1. Its body is
      // not complete, so nothing of it was acknowledged: after a few seconds its socket goes.
      const stalled = setTimeout(() => {
        for (const s of sockets) {
          const res = (s as ServedSocket)._httpMessage;
          if (res?.req && !res.req.complete) s.destroy();
        }
      }, STALLED_BODY_MS).unref();
      await closed;
      clearTimeout(stalled);
      if (redis) await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 1000))]).catch(() => {});
      redis?.disconnect();
      await database.close();
      log.info('stopped cleanly');
    } catch (err) {
      log.error({ err }, 'error while shutting down');
      code = 1;
    } finally {
      clearTimeout(force);
      process.exit(code);
    }
  };
  // Ctrl-C signals the whole process group and the primary passes SIGTERM on as well: both
  // end in the same single close.
  dropEarlyStop();
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));

  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    // A port taken or not allowed, a HOST that names no address of this machine: one line an
    // operator reads, no stack. (With WORKERS > 1 the primary stops after a few such starts.)
    const code = (err as { code?: string }).code;
    if (code && LISTEN_ERRORS[code]) {
      log.fatal({ host: config.HOST, port: config.PORT, code }, `cannot listen on ${config.HOST}:${config.PORT}: ${LISTEN_ERRORS[code]} (HOST, PORT)`);
      process.exit(1);
    }
    throw err;
  }
}

/** A socket with the response it is serving (node:http's `_httpMessage`, Node 20 to 24), whose request tells whether its body came whole. */
type ServedSocket = Socket & { _httpMessage?: { req?: { complete?: boolean } } | null };

function openConnections(server: import('node:http').Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
}

function printWelcome() {
  const url = `http://localhost:${config.PORT}`;
  const lines = [
    '',
    `  Cuộc thi trực tuyến đang chạy tại ${url}  (API ${url}/api/v1, tài liệu ${url}/docs)`,
    `  Cơ sở dữ liệu: ${config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite nhúng tại ${config.pgliteDir}`}; giới hạn tần suất: ${redisAtStart === null ? 'trong tiến trình' : redisAtStart ? 'Redis' : 'Redis KHÔNG trả lời, tạm dùng bộ nhớ trong tiến trình (xem REDIS_URL)'}`,
  ];
  if (!config.DATABASE_URL || config.SEED_DEMO === 'true') {
    lines.push(`  Tài khoản demo (mật khẩu ${DEMO_PASSWORD}):`);
    for (const a of DEMO_ACCOUNTS) lines.push(`    ${a.role.padEnd(9)} ${a.phone}  ${a.fullName}`);
  }
  console.log(lines.join('\n') + '\n');
}

/**
 * A stop before the process serves (during the migrations, say): nothing to drain, so it
 * ends at once; the migrations' transaction rolls back. Without it node as PID 1 (a container
 * without an init) would ignore SIGTERM until the orchestrator's SIGKILL.
 */
function earlyStop(signal: NodeJS.Signals) {
  log.warn({ signal }, 'stopped before serving');
  process.exit(1);
}
function dropEarlyStop() {
  process.off('SIGTERM', earlyStop);
  process.off('SIGINT', earlyStop);
}
// The primary only: a worker stopped while starting ends by the signal itself, which the primary reads as no failure.
if (cluster.isPrimary) {
  process.on('SIGTERM', earlyStop);
  process.on('SIGINT', earlyStop);
}

if (cluster.isPrimary) {
  if (config.WORKERS > 1 && !config.DATABASE_URL) {
    console.error('WORKERS > 1 needs DATABASE_URL: the embedded PGlite database belongs to a single process.');
    process.exit(1);
  }
  try {
    await prepare();
  } catch (err) {
    // An unreachable database is one line an operator reads (host:port, never the password), no stack.
    if (err instanceof DatabaseUnreachable) log.fatal({ database: err.target, reason: err.reason }, err.message);
    else log.fatal({ err }, 'could not prepare the database');
    process.exit(1);
  }
  await checkRedis();
  await sweepExports();
  setInterval(() => void sweepExports(), config.EXPORT_SWEEP_SECONDS * 1000).unref();
  if (config.WORKERS === 1) {
    await serve();
    printWelcome();
  } else {
    let stopping = false;
    let ready = 0;
    // A larger young generation: a request's objects live for its few ms of I/O (a submit's
    // until its batch commits, tens of ms under load), and at thousands of requests per second
    // a small semi-space promotes them to the old generation, where collecting them costs
    // several times more. 64 MB: the submit's API CPU 117–134 µs against 136–183 µs at 32 MB
    // in three alternating pairs of npm run bench (2026-11-30). The container's CMD passes the
    // same flag, so a single process (WORKERS=1) gets it too.
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')];
    if (!flags.some((f) => f.startsWith('--max-semi-space-size'))) cluster.setupPrimary({ execArgv: [...process.execArgv, '--max-semi-space-size=64'] });
    // Our own count: cluster.workers may still list a worker whose exit came before its disconnect.
    const alive = new Set<number>();
    cluster.on('fork', (w) => alive.add(w.id));
    for (let i = 0; i < config.WORKERS; i++) cluster.fork();
    // Workers that have served: one that ends before it did failed to start.
    const served = new Set<number>();
    let startFailures = 0;
    let gaveUp = false;
    cluster.on('listening', (w) => {
      served.add(w.id);
      startFailures = 0;
      if (++ready === config.WORKERS) printWelcome();
    });
    serveClusterMetrics(cluster);
    let failures = 0;
    cluster.on('exit', (worker, code, signal) => {
      alive.delete(worker.id);
      if (!stopping) {
        if (served.has(worker.id)) {
          log.error({ pid: worker.process.pid, code, signal }, 'API process died; starting another');
          cluster.fork();
          return;
        }
        // It never served: the next start would most likely fail the same way (its own fatal
        // line says why). A few tries, a second apart, then the primary stops, so that a
        // restart policy (compose, systemd) sees the failure instead of a process serving nothing.
        if (++startFailures < START_FAILURES_MAX) {
          log.error({ pid: worker.process.pid, code, signal, startFailures }, 'API process ended before it served; starting another in 1 s');
          setTimeout(() => stopping || cluster.fork(), 1000);
          return;
        }
        log.fatal({ startFailures }, `${startFailures} API processes in a row ended before they served; stopping`);
        gaveUp = true;
        stop('start failures');
        if (alive.size === 0) process.exit(1);
        return;
      }
      // Killed by the SIGTERM itself: it was still starting and had nothing to drain.
      if (code !== 0 && signal !== 'SIGTERM') failures++;
      if (alive.size === 0) {
        log.info({ failures }, 'all API processes stopped');
        process.exit(failures || gaveUp ? 1 : 0);
      }
    });
    // Only the primary gets the container's SIGTERM: it passes the stop on, then waits.
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping the API processes');
      // A worker still starting has no handler yet and simply ends; a serving one drains.
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      setTimeout(() => {
        log.error('API processes still running; killing them');
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        process.exit(1);
      }, KILL_MS).unref();
    };
    dropEarlyStop();
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  }
} else {
  await serve();
}
