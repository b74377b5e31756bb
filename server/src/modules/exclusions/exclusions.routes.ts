import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { contestFileRoute, contestImportRoute, ContestParams } from '../contests/index';
import { MULTIPART_OPTIONS } from '../../lib/upload';
import { ExclusionImportQuery, ExclusionImportResponse, ExclusionsBody, ExclusionsResponse } from './exclusions.schemas';
import * as service from './exclusions.service';
import { staffOn } from '../../plugins/access';

const sec = [{ bearer: [] }];

export const exclusionsRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(multipart, MULTIPART_OPTIONS);

  app.get(
    '/admin/contests/:contestId/exclusions',
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: "The contest's exclusion list",
        params: ContestParams,
        response: { 200: ExclusionsResponse },
      },
    },
    (req) => service.getExclusions(app.db, req.params.contestId),
  );

  for (const [path, empty, summary] of [
    ['export', false, 'The exclusion list as .xlsx or .csv, in the import format'],
    ['template', true, 'An empty exclusion list file with the Vietnamese headers'],
  ] as const) {
    contestFileRoute(app, `exclusions/${path}`, summary, (db, contestId, format, actorId) => service.exportExclusions(db, contestId, format, empty, actorId));
  }

  app.put(
    '/admin/contests/:contestId/exclusions',
    {
      config: staffOn.contest('organizer'),
      // A province's staff list is tens of thousands of entries: more than the app's default body limit.
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['organizing'],
        security: sec,
        summary: 'Replace the exclusion list',
        description:
          'Each entry needs a nationalId (12 digits) or a Vietnamese mobile phone (any of +84…, 84…, 0…); both are stored normalized. Whoever matches either cannot start an attempt and is ineligible in rankings. 400 INVALID_EXCLUSION names the entries that are not valid (`details`); nothing is written then.',
        params: ContestParams,
        body: ExclusionsBody,
        response: { 200: ExclusionsResponse, ...errorResponses('INVALID_EXCLUSION') },
      },
    },
    (req) => service.putExclusions(app.db, req.user.sub, req.params.contestId, req.body.entries),
  );

  contestImportRoute(
    app,
    'exclusions/import',
    {
      summary: 'Import the exclusion list from .xlsx or .csv (multipart field "file")',
      description:
        'Columns (any order, a title line above is fine): Họ và tên, Số CCCD, Số điện thoại, Ghi chú; at least one of Số CCCD / Số điện thoại. All or nothing, like the question import.',
      querystring: ExclusionImportQuery,
      response: ExclusionImportResponse,
    },
    (actorId, contestId, file, query) => service.importExclusions(app.db, actorId, contestId, file, query),
  );
};
