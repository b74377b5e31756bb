import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, migrateDatabase, type Database } from '../../db/client';
import { buildApp, type AppDeps } from '../../server/src/app';
import { createRedis } from '../../server/src/plugins/redis';
import { createTestDatabase, type TestDatabase } from './db';
import { makeMemberStaff, tokenFor } from './factories';
import { redisUrl } from './env';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestContext {
  app: FastifyInstance;
  database: TestDatabase;
  redis: Redis | null;
  keyPrefix: string;
  close(): Promise<void>;
}

/** An app on a fresh cloned database and a Redis key prefix of its own. */
export async function makeTestApp(overrides: Partial<AppDeps> & { withRedis?: boolean; database?: TestDatabase } = {}): Promise<TestContext> {
  const database = overrides.database ?? (await createTestDatabase());
  const keyPrefix = `t:${randomBytes(4).toString('hex')}:`;
  const redis = overrides.withRedis === false ? null : (overrides.redis ?? createRedis(redisUrl(), keyPrefix));
  // A client given by the test may be meant to be broken; only our own is awaited.
  if (redis && !overrides.redis && redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const app = await buildApp({
    config: { JWT_EXPIRES_IN: '1h', STAFF_JWT_EXPIRES_IN: '30m', TRUST_PROXY: undefined },
    database,
    redis,
    jwtSecret: TEST_JWT_SECRET,
    logger: false,
    ...overrides,
  });
  await app.ready();
  return {
    app,
    database,
    redis,
    keyPrefix,
    async close() {
      await app.close();
      if (redis) {
        // KEYS takes a pattern, which ioredis does not prefix; del() prefixes its keys itself.
        const keys = await redis.keys(`${keyPrefix}*`).catch(() => [] as string[]);
        if (keys.length) await redis.del(...keys.map((k) => k.slice(keyPrefix.length))).catch(() => {});
        redis.disconnect();
      }
      if (!overrides.database) await database.destroy();
    },
  };
}

type TestAppOptions = Parameters<typeof makeTestApp>[0];

/**
 * The app of a test file: built before its tests, closed after them. Its fields are
 * there from the first test on (`const t = useTestApp(); ... t.app.inject(...)`).
 */
export function useTestApp(options?: TestAppOptions): TestContext {
  const t = {} as TestContext;
  beforeAll(async () => {
    Object.assign(t, await makeTestApp(options));
  });
  afterAll(() => t.close?.());
  return t;
}

type Role = 'organizer' | 'judge';

/** A new organizer or judge who is a member of every contest the file makes from now on: id and token. */
export async function member(
  t: Pick<TestContext, 'app' | 'database'>,
  role: Role,
  o?: Parameters<typeof makeMemberStaff>[2],
): Promise<{ id: string; token: string }> {
  const user = await makeMemberStaff(t.database.db, role, o);
  return { id: user.id, token: tokenFor(t.app, user) };
}

/** The token of such a member. */
export const memberToken = async (t: Pick<TestContext, 'app' | 'database'>, role: Role) => (await member(t, role)).token;

/** The tokens of one such member per role, made in the order given. */
export async function memberTokens(t: Pick<TestContext, 'app' | 'database'>, ...roles: Role[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const role of roles) tokens.push(await memberToken(t, role));
  return tokens;
}

export interface EmbeddedContext {
  app: FastifyInstance;
  database: Database;
}

/**
 * The embedded default for a test file: PGlite (in memory, migrated), no Redis, the
 * in-process throttle. Built before the file's tests, closed after them.
 */
export function useEmbeddedApp(options: { dataDir?: string } = {}): EmbeddedContext {
  const e = {} as EmbeddedContext;
  beforeAll(async () => {
    e.database = await createDatabase(options);
    await migrateDatabase(e.database);
    e.app = await buildApp({
      config: { JWT_EXPIRES_IN: '1h', TRUST_PROXY: undefined },
      database: e.database,
      redis: null,
      jwtSecret: TEST_JWT_SECRET,
      logger: false,
    });
    await e.app.ready();
  }, 120_000);
  afterAll(() => Promise.resolve(e.app?.close()).then(() => e.database?.close()));
  return e;
}
