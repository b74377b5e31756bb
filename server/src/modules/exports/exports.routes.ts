import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { exportToFile, openExport } from './exports.file';
import { ExportParams, ExportQuery, ExportResponse } from './exports.schemas';
import { staffOn } from '../../plugins/access';

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
        response: { 200: ExportResponse, ...errors },
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
