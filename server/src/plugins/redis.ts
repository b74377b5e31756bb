import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { tooManyRequests } from '../lib/errors';
import { MemoryThrottle, RedisThrottle, type Throttle } from '../lib/throttle';

declare module 'fastify' {
  interface FastifyInstance {
    /** null in the embedded default (no REDIS_URL). */
    redis: Redis | null;
    throttle: Throttle;
    /** Counts a hit on `key`; throws 429 RATE_LIMITED with Retry-After past the budget. */
    enforceRate(key: string, budget: { limit: number; windowMs: number }): Promise<void>;
  }
}

/**
 * Options for every Redis client of the app: no offline queue and a short command
 * timeout, so an outage turns into a fast error (and the fallback throttle) instead of
 * requests piling up behind a dead connection.
 */
export const redisClientOptions: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: 300,
  connectTimeout: 1000,
  maxRetriesPerRequest: 0,
  retryStrategy: (times) => Math.min(100 * times, 1000),
  lazyConnect: false,
  // Commands issued in one tick leave in one write: at a few thousand requests per second
  // this turns thousands of small writes into a few hundred.
  enableAutoPipelining: true,
};

export function createRedis(url: string, keyPrefix?: string): Redis {
  return new Redis(url, { ...redisClientOptions, keyPrefix });
}

/**
 * A Redis Cluster client from one or more seed URLs (the rest of the cluster is
 * discovered). The throttle sends one script per hash tag, so every script stays in one
 * slot. Typed as Redis: the app uses only commands both clients share.
 */
export function createRedisCluster(urls: string[], keyPrefix?: string): Redis {
  const { retryStrategy: _ignored, enableAutoPipelining: _node, ...nodeOptions } = redisClientOptions;
  const cluster = new Cluster(
    urls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname, port: Number(url.port || 6379) };
    }),
    {
      keyPrefix,
      enableOfflineQueue: false,
      // ioredis's auto-pipelining mixes slots of one node into one pipeline and then refuses it.
      enableAutoPipelining: false,
      clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
      redisOptions: { ...nodeOptions, password: urls[0] ? new URL(urls[0]).password || undefined : undefined },
    },
  );
  return cluster as unknown as Redis;
}

export default fp(
  async function redisPlugin(app: FastifyInstance, opts: { redis: Redis | null }) {
    const redis = opts.redis;
    app.decorate('redis', redis);
    const throttle: Throttle = redis ? new RedisThrottle(redis, app.log) : new MemoryThrottle();
    app.decorate('throttle', throttle);
    app.decorate('enforceRate', async (key: string, budget: { limit: number; windowMs: number }) => {
      const r = await throttle.hit(key, budget.limit, budget.windowMs);
      if (!r.allowed) throw tooManyRequests(r.retryAfterMs / 1000);
    });
    // An error event with no listener would crash the process; the throttle logs outages.
    redis?.on('error', () => {});
  },
  { name: 'redis' },
);
