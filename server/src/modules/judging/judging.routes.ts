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
import { CollectiveCache, PublicCache, SubmissionsDigestCache } from './judging.cache';
import { collectiveRanking } from './collective.service';
import { finalizeRound } from './finalize.service';
import * as service from './judging.service';
import { staffOn } from '../../plugins/access';

const sec = [{ bearer: [] }];

/** The headers of the public answers served from memory (sendCached). */
const CACHED = {
  'cache-control': { type: 'string', description: 'public, max-age=5' },
  etag: { type: 'string', description: 'The answer’s version: send it back in If-None-Match for a 304 while it has not changed' },
};
const NotModified = z.null().meta({ description: 'Not Modified: the If-None-Match ETag is still the current one', headers: CACHED });

export const judgingRoutes: FastifyPluginAsyncZod<{ cache: PublicCache }> = async (app, { cache }) => {
  // The ranking page's count of the round's submissions, a few seconds per process.
  const submissionsDigests = new SubmissionsDigestCache();
  // The collective ranking's counts, while what they read is unchanged (30 s at most).
  const collectiveCounts = new CollectiveCache();
  // Ready bytes with an ETag: a conditional GET of an unchanged answer gets 304 and no body.
  async function sendCached(req: FastifyRequest, reply: FastifyReply, key: string, build: () => Promise<unknown>) {
    const { body, etag, headers } = await cache.get(key, build);
    reply.header('cache-control', 'public, max-age=5').header('etag', etag);
    if (headers) reply.headers(headers);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  }

  app.get(
    '/rounds/:roundId/answer-key',
    {
      schema: {
        tags: ['contests'],
        description:
          "Once the round is sealed (closesAt, every running attempt's deadline with overrides, plus the 30 s grace): before that 409 ROUND_NOT_CLOSED with Retry-After. Served from memory with Cache-Control and an ETag (If-None-Match → 304). A question that is also in the pool of another round not sealed yet is left out until that round is sealed; the header X-Withheld-Questions (an extension) counts them.",
        params: RoundParams,
        response: {
          200: AnswerKeyResponse.meta({
            headers: {
              ...CACHED,
              'x-withheld-questions': {
                type: 'string',
                description: 'Extension: how many questions of the pool are left out while another round that draws them is not sealed',
              },
            },
          }),
          304: NotModified,
          ...errorResponses('NOT_FOUND', 'ROUND_NOT_CLOSED'),
        },
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
        response: {
          200: AttemptReviewResponse.meta({ headers: { 'cache-control': { type: 'string', description: 'private, no-store' } } }),
          ...errorResponses('NOT_FOUND', 'ROUND_NOT_CLOSED'),
        },
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
        response: { 200: WinnersResponse.meta({ headers: CACHED }), 304: NotModified, ...errorResponses('NOT_FOUND', 'RESULTS_NOT_PUBLISHED') },
      },
    },
    (req, reply) => sendCached(req, reply, `winners:${req.params.roundId}`, () => service.publicWinners(app.db, req.params.roundId)),
  );

  app.post(
    '/judge/rounds/:roundId/finalize',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        summary: 'Rank the round and store the results with their checksum',
        description:
          'Once the round is sealed (no submission can still be accepted): before that 409 ROUND_NOT_CLOSED, with Retry-After the seconds until it is. ' +
          'Finalizing again over the same data gives the same rows and checksum; it replaces the results and withdraws a publication.',
        params: RoundParams,
        response: { 200: FinalizeResponse, ...errorResponses('ROUND_NOT_CLOSED') },
      },
    },
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
      schema: {
        tags: ['judging'],
        security: sec,
        description:
          'The finalized rows, a page at a time; `stale: true` when something they depend on changed since (finalize again). 409 ROUND_NOT_FINALIZED before the first finalize. ' +
          'Extension: `only=flagged` (rows with at least one fair-play flag), `only=ineligible` (rows with `eligible: false`) and `flag=<name>` (rows carrying that flag; with `only`, rows that pass both) keep the rows a judge must look at, in ranking order with their own `position`; `offset` and `limit` then page through them and the answer adds `total`, how many match (`actualCount`, `participants` and `ranked` stay the round’s). Any other value is 400 VALIDATION_FAILED. Without them the answer is unchanged.',
        params: RoundParams,
        querystring: RankingQuery,
        response: { 200: RankingResponse, ...errorResponses('ROUND_NOT_FINALIZED') },
      },
    },
    (req) => {
      const { offset, limit, only, flag } = req.query;
      return service.getRanking(app.db, req.params.roundId, offset, limit, submissionsDigests, { only, flag });
    },
  );

  app.get(
    '/judge/rounds/:roundId/disqualifications',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        summary: "The round's disqualifications",
        params: RoundParams,
        response: { 200: z.array(DisqualificationResponse) },
      },
    },
    (req) => service.listDisqualifications(app.db, req.params.roundId),
  );

  app.post(
    '/judge/rounds/:roundId/disqualifications',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        description:
          'The results become stale (`resultsStale`): finalize the round again. 404 NOT_FOUND when the user has no attempt in the round; 409 ALREADY_DISQUALIFIED. Audit-logged.',
        params: RoundParams,
        body: DisqualificationBody,
        response: { 201: DisqualificationResponse, ...errorResponses('ALREADY_DISQUALIFIED') },
      },
    },
    async (req, reply) => {
      const row = await service.disqualify(app.db, req.user.sub, req.params.roundId, req.body.userId, req.body.reason);
      cache.forget(req.params.roundId);
      return reply.code(201).send(row);
    },
  );

  app.delete(
    '/judge/rounds/:roundId/disqualifications/:userId',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        description:
          'Reinstates the participant; the results become stale: finalize the round again. 404 NOT_FOUND when they were not disqualified. Audit-logged.',
        params: DisqualificationParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await service.reinstate(app.db, req.user.sub, req.params.roundId, req.params.userId);
      cache.forget(req.params.roundId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/judge/rounds/:roundId/publish',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        description:
          'The winners become public (GET /rounds/:roundId/winners). 409 ROUND_NOT_FINALIZED before a finalize; 409 RESULTS_STALE when something the results depend on changed since (a correction, a disqualification, the exclusion list): finalize again. Publishing again answers the same.',
        params: RoundParams,
        response: { 200: PublishResponse, ...errorResponses('ROUND_NOT_FINALIZED', 'RESULTS_STALE') },
      },
    },
    async (req) => {
      const out = await service.publish(app.db, req.user.sub, req.params.roundId);
      cache.forget(req.params.roundId);
      return out;
    },
  );

  app.get(
    '/judge/contests/:contestId/collective-ranking',
    // A /judge route: judge members only, as API.md v1.1's scope rule has it (organizer
    // members get 403; they see participation by locality and unit in the round's stats).
    {
      config: staffOn.contest('judge'),
      schema: {
        tags: ['judging'],
        security: sec,
        summary: 'Participation and results by locality and unit (no personal data)',
        params: ContestParams,
        querystring: CollectiveQuery,
        response: { 200: CollectiveResponse },
      },
    },
    (req) => collectiveRanking(app.db, req.params.contestId, req.query.roundId, collectiveCounts),
  );
};
