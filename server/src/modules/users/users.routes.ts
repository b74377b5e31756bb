import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../lib/zod';
import { staffOn } from '../../plugins/access';
import { AdminUser, TemporaryPasswordResponse, UserParams, UserPatchBody, UserSearchQuery } from './users.schemas';
import * as service from './users.service';

const sec = [{ bearer: [] }];

export const usersRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/users',
    {
      config: staffOn.none('admin'),
      schema: {
        tags: ['accounts'],
        summary: 'Find accounts by phone (admin)',
        description: 'A whole phone number, or at least 4 of its digits (400 VALIDATION_FAILED otherwise).',
        security: sec,
        querystring: UserSearchQuery,
        response: { 200: z.array(AdminUser) },
      },
    },
    (req) => service.findUsers(app.db, req.query.phone),
  );

  app.patch(
    '/admin/users/:userId',
    {
      config: staffOn.none('admin'),
      schema: {
        tags: ['accounts'],
        summary: "Change an account's role, or disable / enable it (admin)",
        description:
          'Either revokes every token of the account (401 TOKEN_REVOKED within 5 s on every route). A disabled account cannot log in (401 ACCOUNT_DISABLED). 400 CANNOT_CHANGE_SELF for the caller’s own account; 400 VALIDATION_FAILED for making an account without a national id a resident. Audit-logged.',
        security: sec,
        params: UserParams,
        body: UserPatchBody,
        response: { 200: AdminUser, ...errorResponses('CANNOT_CHANGE_SELF', 'NOT_FOUND') },
      },
    },
    async (req) => {
      const user = await service.updateUser(app.db, req.user.sub, req.params.userId, req.body);
      app.revokeLocally(user);
      return service.toAdminUser(user);
    },
  );

  app.post(
    '/admin/users/:userId/password-reset',
    {
      config: staffOn.none('admin'),
      schema: {
        tags: ['accounts'],
        summary: 'Help-desk password reset (admin)',
        description:
          'Answers a temporary password once (it is stored only hashed). Every older token is revoked; at the next login the account gets mustChangePassword: true and every route but POST /auth/password, GET /me and POST /auth/logout-all answers 403 PASSWORD_CHANGE_REQUIRED until it is changed. Audit-logged with who did it.',
        security: sec,
        params: UserParams,
        response: {
          200: TemporaryPasswordResponse.meta({ headers: { 'cache-control': { type: 'string', description: 'no-store' } } }),
          ...errorResponses('NOT_FOUND', 'RATE_LIMITED'),
        },
      },
    },
    async (req, reply) => {
      const { user, temporaryPassword } = await service.resetPassword(app.db, req.user.sub, req.params.userId);
      app.revokeLocally(user);
      reply.header('cache-control', 'no-store');
      return { temporaryPassword };
    },
  );
};
