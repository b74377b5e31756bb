import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { exportToFile, openExport } from './exports.file';
import { ExportParams, ExportQuery, ExportResponse } from './exports.schemas';
import { staffOn } from '../../plugins/access';

export const exportsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/judge/rounds/:roundId/export',
    {
      config: staffOn.round('judge'),
      schema: {
        tags: ['judging'],
        security: [{ bearer: [] }],
        description:
          'The ranked prize list of the finalized results as a file; `x-content-sha256` is the SHA-256 of its bytes, `x-results-checksum` the results’ checksum. 409 ROUND_NOT_FINALIZED before a finalize; 409 RESULTS_STALE when something the results depend on changed since: finalize again. Audit-logged (the file carries personal data).',
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: ExportResponse, ...errorResponses('ROUND_NOT_FINALIZED', 'RESULTS_STALE') },
      },
    },
    async (req, reply) => {
      // A client that leaves before the file is made (its connection closes with no answer
      // sent) stops the export: its temp file goes at once, the export at its next write.
      const left = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) left.abort(new Error('the client closed the export request'));
      };
      reply.raw.once('close', onClose);
      let file;
      try {
        file = await exportToFile(app.db, req.user.sub, req.params.roundId, req.query.format, left.signal);
      } catch (err) {
        // Nobody to answer, and nothing wrong to log: 499, the "client closed request" of proxies' logs.
        if (left.signal.aborted) return (reply as unknown as FastifyReply).code(499).send();
        throw err;
      } finally {
        reply.raw.off('close', onClose);
      }
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
