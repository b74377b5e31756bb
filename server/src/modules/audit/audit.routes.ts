import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditQuery, AuditResponse } from './audit.schemas';
import { readAudit } from './audit.service';
import { staffOn } from '../../plugins/access';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/audit',
    {
      config: staffOn.none('admin'),
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'What organizers and judges changed: who, what, when, before and after (admins only)',
        querystring: AuditQuery,
        response: { 200: AuditResponse },
      },
    },
    (req) => readAudit(app.db, req.query),
  );
};
