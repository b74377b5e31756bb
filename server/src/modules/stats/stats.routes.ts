import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../lib/zod';
import { RoundParams } from '../contests/index';
import { StatsResponse } from './stats.schemas';
import * as service from './stats.service';
import { staffOn } from '../../plugins/access';

export interface StatsOptions {
  /** How long one computed answer is served to every organizer polling the round. */
  cacheMs?: number;
}

const errors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export const statsRoutes: FastifyPluginAsyncZod<StatsOptions> = async (app, opts) => {
  const cacheMs = opts.cacheMs ?? 3000;
  // Organizers keep the stats page open during a round: each process computes a round's
  // figures at most once per cacheMs, and concurrent requests share the one query.
  // `at` is set when the figures are ready: a slow computation is still served for cacheMs.
  const cache = new Map<string, { at: number | null; value: Promise<StatsResponse> }>();

  app.get(
    '/admin/rounds/:roundId/stats',
    {
      config: staffOn.round('organizer', 'judge'),
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
      for (const [k, v] of cache) if (v.at !== null && now - v.at > cacheMs) cache.delete(k);
      const key = req.params.roundId;
      const hit = cache.get(key);
      if (hit) return hit.value;
      const entry: { at: number | null; value: Promise<StatsResponse> } = { at: null, value: service.roundStats(app.database, key) };
      cache.set(key, entry);
      entry.value.then(
        () => (entry.at = Date.now()),
        () => cache.delete(key),
      );
      return entry.value;
    },
  );
};
