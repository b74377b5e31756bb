import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import {
  AnswerKeyResponse,
  AttemptReviewResponse,
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
  ReviewParams,
  RoundParams,
  WinnersResponse,
} from './judging.schemas';
import { PublicCache } from './judging.cache';
import { collectiveRanking } from './collective.service';
import { finalizeRound } from './finalize.service';
import * as service from './judging.service';
import { staffOn } from '../../plugins/access';

const errors = errorResponses(400, 401, 403, 404, 409);
const sec = [{ bearer: [] }];

export const judgingRoutes: FastifyPluginAsyncZod<{ cache: PublicCache }> = async (app, { cache }) => {
  // Ready bytes with an ETag: a conditional GET of an unchanged answer gets 304 and no body.
  async function sendCached(req: FastifyRequest, reply: FastifyReply, key: string, build: () => Promise<unknown>) {
    const { body, etag } = await cache.get(key, build);
    reply.header('cache-control', 'public, max-age=5').header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  }

  app.get(
    '/rounds/:roundId/answer-key',
    {
      schema: {
        tags: ['contests'],
        description:
          "Once the round is sealed (closesAt, every running attempt's deadline with overrides, plus the 30 s grace): before that 409 ROUND_NOT_CLOSED with Retry-After. Served from memory with Cache-Control and an ETag (If-None-Match → 304).",
        params: RoundParams,
        response: { 200: AnswerKeyResponse, ...errorResponses(404, 409) },
      },
    },
    (req, reply) => sendCached(req, reply, `key:${req.params.roundId}`, () => service.publicAnswerKey(app.db, req.params.roundId)),
  );

  app.get(
    '/me/attempts/:attemptId/review',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['accounts'],
        security: sec,
        description:
          "The caller's own attempt beside the answer key: its questions and option order as served, the option chosen and the correct one. Under the answer key's rule (409 ROUND_NOT_CLOSED with Retry-After before); someone else's attempt is 404.",
        params: ReviewParams,
        response: { 200: AttemptReviewResponse, ...errorResponses(401, 404, 409) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store');
      return service.attemptReview(app.db, req.user.sub, req.params.attemptId);
    },
  );

  app.get(
    '/rounds/:roundId/winners',
    {
      schema: {
        tags: ['contests'],
        description: 'Once published; 409 RESULTS_NOT_PUBLISHED before. Served from memory with Cache-Control and an ETag (If-None-Match → 304).',
        params: RoundParams,
        response: { 200: WinnersResponse, ...errorResponses(404, 409) },
      },
    },
    (req, reply) => sendCached(req, reply, `winners:${req.params.roundId}`, () => service.publicWinners(app.db, req.params.roundId)),
  );

  app.post(
    '/judge/rounds/:roundId/finalize',
    { config: staffOn.round('judge'), schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: FinalizeResponse, ...errors } } },
    async (req) => {
      const out = await finalizeRound(app.db, req.user.sub, req.params.roundId);
      cache.forget(req.params.roundId);
      return out;
    },
  );

  app.get(
    '/judge/rounds/:roundId/ranking',
    {
      config: staffOn.round('judge'),
      schema: { tags: ['judging'], security: sec, params: RoundParams, querystring: RankingQuery, response: { 200: RankingResponse, ...errors } },
    },
    (req) => service.getRanking(app.db, req.params.roundId, req.query.offset, req.query.limit),
  );

  app.get(
    '/judge/rounds/:roundId/disqualifications',
    {
      config: staffOn.round('judge'),
      schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: z.array(DisqualificationResponse), ...errors } },
    },
    (req) => service.listDisqualifications(app.db, req.params.roundId),
  );

  app.post(
    '/judge/rounds/:roundId/disqualifications',
    {
      config: staffOn.round('judge'),
      schema: { tags: ['judging'], security: sec, params: RoundParams, body: DisqualificationBody, response: { 201: DisqualificationResponse, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await service.disqualify(app.db, req.user.sub, req.params.roundId, req.body.userId, req.body.reason)),
  );

  app.delete(
    '/judge/rounds/:roundId/disqualifications/:userId',
    { config: staffOn.round('judge'), schema: { tags: ['judging'], security: sec, params: DisqualificationParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      await service.reinstate(app.db, req.user.sub, req.params.roundId, req.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/judge/rounds/:roundId/publish',
    { config: staffOn.round('judge'), schema: { tags: ['judging'], security: sec, params: RoundParams, response: { 200: PublishResponse, ...errors } } },
    async (req) => {
      const out = await service.publish(app.db, req.user.sub, req.params.roundId);
      cache.forget(req.params.roundId);
      return out;
    },
  );

  app.get(
    '/judge/contests/:contestId/collective-ranking',
    // Counts per locality and unit carry no personal data: organizers may see them too.
    {
      config: staffOn.contest('judge', 'organizer'),
      schema: { tags: ['judging'], security: sec, params: ContestParams, querystring: CollectiveQuery, response: { 200: CollectiveResponse, ...errors } },
    },
    (req) => collectiveRanking(app.db, req.params.contestId, req.query.roundId),
  );
};
