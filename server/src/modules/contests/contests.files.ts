import type { FastifyInstance, FastifyBaseLogger, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../../../../db/client';
import { FileFormatQuery, FileResponse, sendFile, type FileOut } from '../../lib/upload';
import { errorResponses } from '../../lib/zod';
import { staffOn } from '../../plugins/access';
import { ContestParams } from './contests.schemas';

type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/**
 * GET /admin/contests/:contestId/`path`: a file an organizer downloads (a list in its import
 * format, or an empty template), as .xlsx or .csv by `?format`.
 */
export function contestFileRoute(app: App, path: string, summary: string, make: (db: Db, contestId: string, format: 'xlsx' | 'csv') => Promise<FileOut>) {
  app.get(
    `/admin/contests/:contestId/${path}`,
    {
      config: staffOn.contest('organizer'),
      schema: {
        tags: ['organizing'],
        security: [{ bearer: [] }],
        summary,
        params: ContestParams,
        querystring: FileFormatQuery,
        response: { 200: FileResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => sendFile(reply, await make(app.db, req.params.contestId, req.query.format)),
  );
}
