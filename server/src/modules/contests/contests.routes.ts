import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../lib/zod';
import {
  ContestBody,
  ContestDetail,
  ContestParams,
  ContestPatchBody,
  ContestSummary,
  RoundBody,
  RoundParams,
  RoundPatchBody,
  RoundResponse,
} from './contests.schemas';
import * as service from './contests.service';

const adminErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const ContestResponse = ContestSummary.extend({ description: z.string(), rules: z.string(), onePrizePerPerson: z.boolean() });

export const contestsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/contests', { schema: { tags: ['contests'], response: { 200: z.array(ContestSummary) } } }, () => service.listContests(app.db));

  app.get(
    '/contests/:contestId',
    { schema: { tags: ['contests'], params: ContestParams, response: { 200: ContestDetail, 404: ErrorResponse } } },
    (req) => service.getContest(app.db, req.params.contestId, { includeDraft: false }),
  );

  const organizer = app.requireRole('organizer');
  const sec = [{ bearer: [] }];

  app.get(
    '/admin/contests/:contestId',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: ContestParams, response: { 200: ContestDetail, ...adminErrors } } },
    (req) => service.getContest(app.db, req.params.contestId, { includeDraft: true }),
  );

  app.post(
    '/admin/contests',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, body: ContestBody, response: { 201: ContestResponse, ...adminErrors } } },
    async (req, reply) => reply.code(201).send(await service.createContest(app.db, req.user.sub, req.body)),
  );

  app.patch(
    '/admin/contests/:contestId',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: ContestParams, body: ContestPatchBody, response: { 200: ContestResponse, ...adminErrors } } },
    (req) => service.updateContest(app.db, req.user.sub, req.params.contestId, req.body),
  );

  app.post(
    '/admin/contests/:contestId/rounds',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: ContestParams, body: RoundBody, response: { 201: RoundResponse, ...adminErrors } } },
    async (req, reply) => reply.code(201).send(await service.createRound(app.db, req.user.sub, req.params.contestId, req.body)),
  );

  app.patch(
    '/admin/rounds/:roundId',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: RoundParams, body: RoundPatchBody, response: { 200: RoundResponse, ...adminErrors } } },
    (req) => service.updateRound(app.db, req.user.sub, req.params.roundId, req.body),
  );
};
