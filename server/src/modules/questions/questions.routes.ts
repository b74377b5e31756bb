import multipart from '@fastify/multipart';
import { z } from 'zod';
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

const errors = errorResponses(400, 401, 403, 404, 409);
const sec = [{ bearer: [] }];

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
        params: ImportJobParams,
        response: { 200: ImportProgressResponse, ...errors },
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
        response: { 200: BankLintResponse, ...errors },
      },
    },
    (req) => service.lintContestBank(app.db, req.params.contestId),
  );

  app.post(
    '/admin/contests/:contestId/questions',
    {
      config: staffOn.contest('organizer'),
      schema: { tags: ['organizing'], security: sec, params: ContestParams, body: QuestionBody, response: { 201: SavedQuestion, ...errors } },
    },
    async (req, reply) => reply.code(201).send(await service.createQuestion(app.db, req.user.sub, req.params.contestId, req.body)),
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
        response: { 200: z.array(AdminQuestion), ...errors },
      },
    },
    (req) => service.listQuestions(app.db, req.params.contestId, req.query),
  );

  app.patch(
    '/admin/questions/:questionId',
    {
      config: staffOn.question('organizer'),
      schema: { tags: ['organizing'], security: sec, params: QuestionParams, body: QuestionPatchBody, response: { 200: SavedQuestion, ...errors } },
    },
    (req) => service.updateQuestion(app.db, req.user.sub, req.params.questionId, req.body),
  );

  app.delete(
    '/admin/questions/:questionId',
    { config: staffOn.question('organizer'), schema: { tags: ['organizing'], security: sec, params: QuestionParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      await service.deleteQuestion(app.db, req.user.sub, req.params.questionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/rounds/:roundId/questions',
    { config: staffOn.round('organizer'), schema: { tags: ['organizing'], security: sec, params: RoundParams, response: { 200: PoolResponse, ...errors } } },
    (req) => service.getPool(app.db, req.params.roundId),
  );

  app.put(
    '/admin/rounds/:roundId/questions',
    {
      config: staffOn.round('organizer'),
      schema: { tags: ['organizing'], security: sec, params: RoundParams, body: PoolBody, response: { 200: PoolResponse, ...errors } },
    },
    (req) => service.setPool(app.db, req.user.sub, req.params.roundId, req.body.questionIds, req.body.allowPublished ?? false),
  );
};
