import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReferenceKind } from '../../lib/reference-sheet';
import { contestImportRoute, ContestParams } from '../contests/index';
import { MULTIPART_OPTIONS } from '../../lib/upload';
import { ReferenceImportQuery, ReferenceImportResponse, ReferenceItemResponse } from './reference.schemas';
import * as service from './reference.service';
import { staffOn } from '../../plugins/access';

const sec = [{ bearer: [] }];
const LABEL: Record<ReferenceKind, string> = { localities: 'localities (communes, wards)', units: 'units (agencies, organizations)' };

export const referenceRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(multipart, MULTIPART_OPTIONS);

  for (const kind of ['localities', 'units'] as const) {
    app.get(
      `/admin/contests/:contestId/${kind}`,
      {
        config: staffOn.contest('organizer'),
        schema: {
          tags: ['organizing'],
          security: sec,
          summary: `The contest's ${LABEL[kind]}`,
          params: ContestParams,
          response: { 200: z.array(ReferenceItemResponse) },
        },
      },
      (req) => service.listReference(app.db, kind, req.params.contestId),
    );

    contestImportRoute(
      app,
      `${kind}/import`,
      {
        summary: `Import ${LABEL[kind]} from .csv or .xlsx (multipart field "file")`,
        description:
          "Columns: Tên (the name) and optionally Số người (headcount, used for participation rates). New names are added, names already listed (any case) get the file's headcount, names not in the file stay. All or nothing; `dryRun` checks only. Residents choose from these lists at registration (GET /contests/:id).",
        querystring: ReferenceImportQuery,
        response: ReferenceImportResponse,
      },
      (actorId, contestId, file, query) => service.importReference(app.db, actorId, kind, contestId, file, query),
    );
  }
};
