import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../lib/zod';
import { ContestParams, RoundParams } from '../contests/index';
import { AdminQuestion, PoolBody, PoolResponse, QuestionBody, QuestionListQuery, QuestionParams, QuestionPatchBody } from './questions.schemas';
import * as service from './questions.service';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const sec = [{ bearer: [] }];

export const questionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const organizer = app.requireRole('organizer');

  app.post(
    '/admin/contests/:contestId/questions',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: ContestParams, body: QuestionBody, response: { 201: AdminQuestion, ...errors } } },
    async (req, reply) => reply.code(201).send(await service.createQuestion(app.db, req.user.sub, req.params.contestId, req.body)),
  );

  app.get(
    '/admin/contests/:contestId/questions',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: ContestParams, querystring: QuestionListQuery, response: { 200: z.array(AdminQuestion), ...errors } } },
    (req) => service.listQuestions(app.db, req.params.contestId, req.query),
  );

  app.patch(
    '/admin/questions/:questionId',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: QuestionParams, body: QuestionPatchBody, response: { 200: AdminQuestion, ...errors } } },
    (req) => service.updateQuestion(app.db, req.user.sub, req.params.questionId, req.body),
  );

  app.delete(
    '/admin/questions/:questionId',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: QuestionParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      await service.deleteQuestion(app.db, req.user.sub, req.params.questionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/rounds/:roundId/questions',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: RoundParams, response: { 200: PoolResponse, ...errors } } },
    (req) => service.getPool(app.db, req.params.roundId),
  );

  app.put(
    '/admin/rounds/:roundId/questions',
    { onRequest: organizer, schema: { tags: ['organizing'], security: sec, params: RoundParams, body: PoolBody, response: { 200: PoolResponse, ...errors } } },
    (req) => service.setPool(app.db, req.user.sub, req.params.roundId, req.body.questionIds),
  );
};
