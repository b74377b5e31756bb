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
    const ready = database === 'ok' && redis !== 'down';
    if (!ready) reply.header('retry-after', '5');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', database, redis });
  });
};
