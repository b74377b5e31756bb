import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const Health = z.object({ status: z.string(), database: z.string().optional(), redis: z.string().optional() });

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { tags: ['operating'], response: { 200: Health } } }, () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operating'], response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const [database, redis] = await Promise.all([
      within(2000, app.database.ping()).then(
        () => 'ok',
        () => 'down',
      ),
      app.redis
        ? within(1000, app.redis.ping()).then(
            () => 'ok',
            () => 'down',
          )
        : Promise.resolve('in-process'),
    ]);
    // Only the database decides: with Redis down the in-process fallback throttle serves,
    // and a load balancer that took every instance out during a Redis blip would stop the contest.
    if (database !== 'ok') {
      reply.header('retry-after', '5');
      return reply.code(503).send({ status: 'unavailable', database, redis });
    }
    return reply.code(200).send({ status: redis === 'down' ? 'degraded' : 'ok', database, redis });
  });
};
