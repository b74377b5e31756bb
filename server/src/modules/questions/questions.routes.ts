import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MULTIPART_OPTIONS } from '../../lib/upload';
import { errorResponses } from '../../lib/zod';
import { contestFileRoute, contestImportRoute, ContestParams, RoundParams } from '../contests/index';
import * as importer from './questions.import';
import { ProgressStore } from './questions.progress';
import {
  AdminQuestion,
  BankLintResponse,
  ImportJobParams,
  ImportProgressResponse,
  ImportQuery,
  ImportResponse,
  PoolBody,
  PoolResponse,
  QuestionBody,
  QuestionListQuery,
  QuestionParams,
  QuestionPatchBody,
  SavedQuestion,
} from './questions.schemas';
import * as service from './questions.service';
import { staffOn } from '../../plugins/access';

const sec = [{ bearer: [] }];

/** A saved question whose lint failed: logged (the answer carries no warnings; questions.service withWarnings). */
const lintFailed = (req: FastifyRequest) => (err: unknown) => req.log.error({ err }, 'question lint failed; answered without warnings');

export const questionsRoutes: FastifyPluginAsyncZod = async (app) => {
  // Only this plugin's routes accept multipart; the limits are checked again per file.
  await app.register(multipart, MULTIPART_OPTIONS);
  const progress = new ProgressStore(app.redis);

  contestImportRoute(
    app,
    'questions/import',
    {
      summary: 'Import a question bank from .xlsx or .csv (multipart field "file")',
      description:
        'Columns: Câu hỏi, Phương án A–D (D optional), Đáp án đúng (A–D, any case), Chủ đề, Giải thích. All or nothing: if any row fails nothing is written and `errors` lists every problem (row, field, column, Vietnamese `message`, English `messageEn`). `dryRun` checks without writing. CSV may be UTF-8 (with or without BOM), UTF-16 or Windows-1258, delimited by comma, semicolon or tab.',
      querystring: ImportQuery,
      response: ImportResponse,
    },
    (actorId, contestId, file, query) => importer.importQuestions(app.db, progress, actorId, contestId, file, query),
  );

  app.get(
    '/admin/imports/:jobId',
    {
      config: staffOn.none('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: 'Progress of a running (or recent) question import',
        description: 'Only the organizer who started the import sees it (404 otherwise); progress is kept for a while after the end.',
        params: ImportJobParams,
        response: { 200: ImportProgressResponse, ...errorResponses('NOT_FOUND') },
      },
    },
    (req) => importer.importProgress(progress, req.user.sub, req.params.jobId),
  );

  const files = [
    ['export', 'The bank as .xlsx or .csv, in the import format', importer.exportQuestions],
    ['template', 'An empty import file with the Vietnamese headers', importer.questionTemplate],
  ] as const;
  for (const [name, summary, make] of files) contestFileRoute(app, `questions/${name}`, summary, make);

  app.get(
    '/admin/contests/:contestId/questions/lint',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: 'Quality warnings over the whole bank (never blocking)',
        description:
          'Rules: lower_bound_options, longest_correct, answer_in_stem, near_duplicate, answered_elsewhere, all_of_the_above, undated_statistic. A pair (near duplicate, answer given away) is reported on both questions, each with the other as relatedQuestionId. `message` is Vietnamese, `messageEn` English.',
        params: ContestParams,
        response: { 200: BankLintResponse },
      },
    },
    (req) => service.lintContestBank(app.db, req.params.contestId),
  );

  app.post(
    '/admin/contests/:contestId/questions',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          'Answers the question with its option ids and the lint `warnings` (never blocking). 400 INVALID_QUESTION: not 3 or 4 options with exactly one correct.',
        params: ContestParams,
        body: QuestionBody,
        response: { 201: SavedQuestion, ...errorResponses('INVALID_QUESTION') },
      },
    },
    async (req, reply) => reply.code(201).send(await service.createQuestion(app.db, req.user.sub, req.params.contestId, req.body, lintFailed(req))),
  );

  app.get(
    '/admin/contests/:contestId/questions',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        params: ContestParams,
        querystring: QuestionListQuery,
        response: { 200: z.array(AdminQuestion) },
      },
    },
    (req) => service.listQuestions(app.db, req.params.contestId, req.query),
  );

  app.patch(
    '/admin/questions/:questionId',
    {
      config: staffOn.question('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          '400 INVALID_QUESTION as on create; 409 ROUND_LOCKED when the question is in the pool of a round that has attempts (a key is corrected with POST …/correction instead).',
        params: QuestionParams,
        body: QuestionPatchBody,
        response: { 200: SavedQuestion, ...errorResponses('INVALID_QUESTION', 'ROUND_LOCKED') },
      },
    },
    (req) => service.updateQuestion(app.db, req.user.sub, req.params.questionId, req.body, lintFailed(req)),
  );

  app.delete(
    '/admin/questions/:questionId',
    {
      config: staffOn.question('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description: '409 ROUND_LOCKED when the question is in the pool of a round that has attempts.',
        params: QuestionParams,
        response: { 204: z.null(), ...errorResponses('ROUND_LOCKED') },
      },
    },
    async (req, reply) => {
      await service.deleteQuestion(app.db, req.user.sub, req.params.questionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/rounds/:roundId/questions',
    {
      config: staffOn.round('organizer'),
      schema: { tags: ['organizing'], security: sec, summary: "The round's pool", params: RoundParams, response: { 200: PoolResponse } },
    },
    (req) => service.getPool(app.db, req.params.roundId),
  );

  app.put(
    '/admin/rounds/:roundId/questions',
    {
      config: staffOn.round('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        description:
          'Replaces the pool. 400 DUPLICATE_QUESTION, 400 UNKNOWN_QUESTION (not in the contest’s bank); 409 ROUND_LOCKED once the round has attempts; ' +
          '409 QUESTION_PUBLISHED for questions whose key is already public, unless `allowPublished: true` (`details: [{ field: "questionIds", questionId }]`); ' +
          '409 POOL_TOO_SMALL when the round is open and the pool would be smaller than questionCount. Audit-logged.',
        params: RoundParams,
        body: PoolBody,
        response: { 200: PoolResponse, ...errorResponses('DUPLICATE_QUESTION', 'UNKNOWN_QUESTION', 'ROUND_LOCKED', 'QUESTION_PUBLISHED', 'POOL_TOO_SMALL') },
      },
    },
    (req) => service.setPool(app.db, req.user.sub, req.params.roundId, req.body.questionIds, req.body.allowPublished ?? false),
  );
};
