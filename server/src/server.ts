import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createDatabase, migrateDatabase } from '../../db/client';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../../db/seed';
import { buildApp } from './app';
import { defaultPow } from './lib/pow';
import { ConfigError, loadConfig, type Config } from './config';
import { createRedis, createRedisCluster } from './plugins/redis';
import { resolveJwtSecret } from './runtime';
import { ConsoleSender, HttpSender, type OtpSender } from './modules/otp/index';

const webRoot = fileURLToPath(new URL('../../web/build', import.meta.url));

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const log = pino({ level: config.LOG_LEVEL });

/** Migrations and the demo seed run once, before any API process serves. */
async function prepare(): Promise<void> {
  const database = await createDatabase({ url: config.DATABASE_URL, dataDir: config.pgliteDir, max: 1 });
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
  });

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close();
      redis?.disconnect();
      await database.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
}

function printWelcome() {
  const url = `http://localhost:${config.PORT}`;
  const lines = [
    '',
    `  Cuộc thi trực tuyến đang chạy tại ${url}  (API ${url}/api/v1, tài liệu ${url}/docs)`,
    `  Cơ sở dữ liệu: ${config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite nhúng tại ${config.pgliteDir}`}; giới hạn tần suất: ${config.REDIS_URL ? 'Redis' : 'trong tiến trình'}`,
  ];
  if (!config.DATABASE_URL || config.SEED_DEMO === 'true') {
    lines.push(`  Tài khoản demo (mật khẩu ${DEMO_PASSWORD}):`);
    for (const a of DEMO_ACCOUNTS) lines.push(`    ${a.role.padEnd(9)} ${a.phone}  ${a.fullName}`);
  }
  console.log(lines.join('\n') + '\n');
}

if (cluster.isPrimary) {
  if (config.WORKERS > 1 && !config.DATABASE_URL) {
    console.error('WORKERS > 1 needs DATABASE_URL: the embedded PGlite database belongs to a single process.');
    process.exit(1);
  }
  try {
    await prepare();
  } catch (err) {
    log.fatal({ err }, 'could not prepare the database');
    process.exit(1);
  }
  if (config.WORKERS === 1) {
    await serve();
    printWelcome();
  } else {
    let stopping = false;
    let ready = 0;
    // A larger young generation: a request's objects live for its few ms of I/O, and at
    // thousands of requests per second the default 16 MB semi-space promotes them to the old
    // generation, where collecting them costs several times more (measured by npm run bench).
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')];
    if (!flags.some((f) => f.startsWith('--max-semi-space-size'))) cluster.setupPrimary({ execArgv: [...process.execArgv, '--max-semi-space-size=32'] });
    for (let i = 0; i < config.WORKERS; i++) cluster.fork();
    cluster.on('listening', () => {
      if (++ready === config.WORKERS) printWelcome();
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      log.error({ pid: worker.process.pid, code, signal }, 'API process died; starting another');
      cluster.fork();
    });
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }
} else {
  await serve();
}
