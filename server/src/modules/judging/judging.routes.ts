import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../lib/zod';
import {
  AnswerKeyResponse,
  CollectiveQuery,
  CollectiveResponse,
  ContestParams,
  DisqualificationBody,
  DisqualificationParams,
  DisqualificationResponse,
  FinalizeResponse,
  PublishResponse,
  RankingQuery,
  RankingResponse,
  RoundParams,
  WinnersResponse,
} from './judging.schemas';
import * as service from './judging.service';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const sec = [{ bearer: [] }];

export const judgingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/rounds/:roundId/answer-key',
    { schema: { tags: ['contests'], params: RoundParams, response: { 200: AnswerKeyResponse, 404: ErrorResponse, 409: ErrorResponse } } },
    (req) => service.publicAnswerKey(app.db, req.params.roundId),
  );

  app.get(
    '/rounds/:roundId/winners',
    { schema: { tags: ['contests'], params: RoundParams, response: { 200: WinnersResponse, 404: ErrorResponse, 409: ErrorResponse } } },
    (req) => service.publicWinners(app.db, req.params.roundId),
  );

  const judge = app.requireRole('judge');

  app.post(
    '/judge/rounds/:roundId/finalize',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: FinalizeResponse, ...errors } } },
    (req) => service.finalizeRound(app.db, req.user.sub, req.params.roundId),
  );

  app.get(
    '/judge/rounds/:roundId/ranking',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: RoundParams, querystring: RankingQuery, response: { 200: RankingResponse, ...errors } } },
    (req) => service.getRanking(app.db, req.params.roundId, req.query.offset, req.query.limit),
  );

  app.get(
    '/judge/rounds/:roundId/disqualifications',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: z.array(DisqualificationResponse), ...errors } } },
    (req) => service.listDisqualifications(app.db, req.params.roundId),
  );

  app.post(
    '/judge/rounds/:roundId/disqualifications',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: RoundParams, body: DisqualificationBody, response: { 201: DisqualificationResponse, ...errors } } },
    async (req, reply) => reply.code(201).send(await service.disqualify(app.db, req.user.sub, req.params.roundId, req.body.userId, req.body.reason)),
  );

  app.delete(
    '/judge/rounds/:roundId/disqualifications/:userId',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: DisqualificationParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      await service.reinstate(app.db, req.user.sub, req.params.roundId, req.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/judge/rounds/:roundId/publish',
    { onRequest: judge, schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: PublishResponse, ...errors } } },
    (req) => service.publish(app.db, req.user.sub, req.params.roundId),
  );

  app.get(
    '/judge/contests/:contestId/collective-ranking',
    // Counts per locality and unit carry no personal data: organizers may see them too.
    { onRequest: app.requireRole('judge', 'organizer'), schema: { tags: ['judging'], security: sec, params: ContestParams, querystring: CollectiveQuery, response: { 200: CollectiveResponse, ...errors } } },
    (req) => service.collectiveRanking(app.db, req.params.contestId, req.query.roundId),
  );
};
