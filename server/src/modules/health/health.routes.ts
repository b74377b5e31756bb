import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Health } from './health.schemas';
import { dependencies } from './health.service';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { tags: ['operating'], summary: 'Liveness: 200 while the process is up', response: { 200: Health } } }, () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operating'],
        summary: 'Readiness: 200 when the database answers',
        description:
          'With Redis down and the in-process throttle serving: 200 `{ status: "degraded" }`. 503 `{ status: "unavailable" }` with Retry-After when the database does not answer, `{ status: "stopping" }` while the process stops (/healthz stays 200 until it has stopped).',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const { database, redis } = await dependencies(app.database, app.redis);
      // Only the database decides: with Redis down the in-process fallback throttle serves,
      // and a load balancer that took every instance out during a Redis blip would stop the contest.
      if (database !== 'ok') {
        reply.header('retry-after', '5');
        return reply.code(503).send({ status: 'unavailable', database, redis });
      }
      return reply.code(200).send({ status: redis === 'down' ? 'degraded' : 'ok', database, redis });
    },
  );
};
