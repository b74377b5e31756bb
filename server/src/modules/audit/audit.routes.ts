import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../lib/zod';
import { LIST_RECORDS, AuditParams, AuditQuery, AuditResponse, AuditRow } from './audit.schemas';
import { readAudit, readAuditRecord } from './audit.service';
import { staffOn } from '../../plugins/access';
import { LIST_JSON_MAX } from './audit.lists';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/audit',
    {
      config: staffOn.none('admin'),
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'What organizers and judges changed: who, what, when, before and after (admins only)',
        description: `Newest first. A \`before\` or \`after\` larger than ${LIST_JSON_MAX / 1024} KB is left out of the list (the row's \`complete\` is false): GET /admin/audit/{id} gives it. ${LIST_RECORDS}`,
        querystring: AuditQuery,
        response: { 200: AuditResponse },
      },
    },
    (req) => readAudit(app.db, req.query),
  );

  app.get(
    '/admin/audit/:id',
    {
      // Who may read the list may read a record of it: admins only.
      config: staffOn.none('admin'),
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'One audit record whole, however large (admins only)',
        description: `The row as the list gives it, with \`before\` and \`after\` whole (\`complete\` is true). ${LIST_RECORDS}`,
        params: AuditParams,
        response: { 200: AuditRow, ...errorResponses('NOT_FOUND') },
      },
    },
    (req) => readAuditRecord(app.db, req.params.id),
  );
};
