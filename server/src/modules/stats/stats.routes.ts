import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RoundParams } from '../contests/index';
import { StatsResponse } from './stats.schemas';
import * as service from './stats.service';
import { staffOn } from '../../plugins/access';

export interface StatsOptions {
  /** How long one computed answer is served to every organizer polling the round. */
  cacheMs?: number;
}

export const statsRoutes: FastifyPluginAsyncZod<StatsOptions> = async (app, opts) => {
  const cacheMs = opts.cacheMs ?? 3000;
  const stats = service.cachedRoundStats(app.database, cacheMs);

  app.get(
    '/admin/rounds/:roundId/stats',
    {
      config: staffOn.round('organizer', 'judge'),
      schema: {
        tags: ['organizing'],
        security: [{ bearer: [] }],
        summary: 'Who takes part, where and when',
        description: `Counts for the round, by locality and unit (with participation rates where a headcount is known) and per hour. Score figures (\`scores\`) appear only once the round is sealed: closed, and every attempt still running (an override's extra seconds included) over, plus the submit grace. Figures may be up to ${cacheMs / 1000} s old (\`generatedAt\`).`,
        params: RoundParams,
        response: { 200: StatsResponse },
      },
    },
    (req) => stats(req.params.roundId),
  );
};
