import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, IdParam } from '../../lib/zod';
import { exportToFile, openExport } from './exports.file';
import { staffOn } from '../../plugins/access';

const ExportParams = z.object({ roundId: IdParam });
const ExportQuery = z.object({ format: z.enum(['csv', 'xlsx', 'pdf']).default('csv') });
const errors = errorResponses(400, 401, 403, 404, 409);

export const exportsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/judge/rounds/:roundId/export',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: [{ bearer: [] }],
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: z.any().describe('The ranked prize list as a CSV, XLSX or PDF file; header x-content-sha256 is the SHA-256 of these bytes'), ...errors },
      },
    },
    async (req, reply) => {
      const file = await exportToFile(app.db, req.user.sub, req.params.roundId, req.query.format);
      return reply
        .header('content-type', file.contentType)
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-sha256', file.sha256)
        .header('x-results-checksum', file.checksum)
        .header('cache-control', 'no-store')
        .send(openExport(file));
    },
  );
};
