import type { FastifyInstance, FastifyBaseLogger, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Db } from '../../../../db/client';
import { FileFormatQuery, fileResponse, readUpload, sendFile, SHEET_MEDIA_TYPES, type FileOut, type Upload } from '../../lib/upload';
import { errorResponses } from '../../lib/zod';
import { staffOn } from '../../plugins/access';
import { ContestParams } from './contests.schemas';

/** The start of every schema here: an organizer's route, signed in. */
const organizing = (summary: string) => ({ tags: ['organizing'], security: [{ bearer: [] }], summary });

type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/**
 * GET /admin/contests/:contestId/`path`: a file an organizer downloads (a list in its import
 * format, or an empty template), as .xlsx or .csv by `?format`.
 */
export function contestFileRoute(
  app: App,
  path: string,
  summary: string,
  make: (db: Db, contestId: string, format: 'xlsx' | 'csv', actorId: string) => Promise<FileOut>,
) {
  app.get(
    `/admin/contests/:contestId/${path}`,
    {
      config: staffOn.contest('organizer'),
      schema: {
        ...organizing(summary),
        params: ContestParams,
        querystring: FileFormatQuery,
        response: { 200: fileResponse('The file, as .xlsx or .csv by `format`', SHEET_MEDIA_TYPES) },
      },
    },
    async (req, reply) => sendFile(reply, await make(app.db, req.params.contestId, req.query.format, req.user.sub)),
  );
}

/**
 * POST /admin/contests/:contestId/`path`: a file an organizer uploads (multipart field "file"),
 * then `run` on it. The document shows the multipart body (UPLOAD_FORM, plugins/docs.ts).
 */
export function contestImportRoute<Q extends z.ZodType, R extends z.ZodType>(
  app: App,
  path: string,
  doc: { summary: string; description: string; querystring: Q; response: R },
  run: (actorId: string, contestId: string, file: Upload, query: z.output<Q>) => Promise<z.input<R>>,
) {
  const answer: z.ZodType = doc.response; // checked against `run` above; fastify cannot follow a generic schema
  app.post(
    `/admin/contests/:contestId/${path}`,
    {
      config: staffOn.contest('organizer'),
      schema: {
        ...organizing(doc.summary),
        description: doc.description,
        consumes: ['multipart/form-data'],
        params: ContestParams,
        querystring: doc.querystring,
        response: { 200: answer, ...errorResponses('FILE_REQUIRED', 'INVALID_MULTIPART', 'INVALID_FILE', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE') },
      },
    },
    async (req) => run(req.user.sub, req.params.contestId, await readUpload(req), req.query as z.output<Q>),
  );
}
