import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../lib/zod';
import { RoundParams } from '../contests/index';
import { StatsResponse } from './stats.schemas';
import * as service from './stats.service';

export interface StatsOptions {
  /** How long one computed answer is served to every organizer polling the round. */
  cacheMs?: number;
}

const errors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export const statsRoutes: FastifyPluginAsyncZod<StatsOptions> = async (app, opts) => {
  const staff = app.requireRole('organizer', 'judge');
  const cacheMs = opts.cacheMs ?? 3000;
  // Organizers keep the stats page open during a round: each process computes a round's
  // figures at most once per cacheMs, and concurrent requests share the one query.
  const cache = new Map<string, { at: number; value: Promise<StatsResponse> }>();

  app.get(
    '/admin/rounds/:roundId/stats',
    {
      onRequest: staff,
      schema: {
        tags: ['organizing'],
        security: [{ bearer: [] }],
        summary: 'Who takes part, where and when',
        description: `Counts for the round, by locality and unit (with participation rates where a headcount is known) and per hour. Score figures (\`scores\`) appear only after the round has closed and the submit grace is over. Figures may be up to ${cacheMs / 1000} s old (\`generatedAt\`).`,
        params: RoundParams,
        response: { 200: StatsResponse, ...errors },
      },
    },
    async (req) => {
      const now = Date.now();
      for (const [k, v] of cache) if (now - v.at > cacheMs) cache.delete(k);
      const hit = cache.get(req.params.roundId);
      if (hit) return hit.value;
      const value = service.roundStats(app.database, req.params.roundId);
      cache.set(req.params.roundId, { at: now, value });
      value.catch(() => cache.delete(req.params.roundId));
      return value;
    },
  );
};
