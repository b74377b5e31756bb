import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Limits } from '../../lib/limits';
import { normalizePhone } from '../../lib/identity';
import { ErrorResponse } from '../../lib/zod';
import { AuthResponse, LoginBody, MyAttemptsResponse, RegisterBody, UserResponse } from './auth.schemas';
import * as service from './auth.service';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };

export const authRoutes: FastifyPluginAsyncZod<{ limits: Limits }> = async (app, { limits }) => {
  app.post(
    '/auth/register',
    {
      schema: { tags: ['accounts'], body: RegisterBody, response: { 201: AuthResponse, ...errors } },
      preValidation: async (req) => {
        await app.enforceRate(`rl:{ip:${req.ip}}:register`, limits.registerPerIp);
      },
    },
    async (req, reply) => {
      const user = await service.register(app.db, req.body);
      return reply.code(201).send({ token: app.signToken({ sub: user.id, role: user.role }), user: service.toUserResponse(user) });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: { tags: ['accounts'], body: LoginBody, response: { 200: AuthResponse, ...errors } },
    },
    async (req) => {
      await app.enforceRate(`rl:{ip:${req.ip}}:login`, limits.loginPerIp);
      const phoneKey = normalizePhone(req.body.phone) ?? req.body.phone.slice(0, 32);
      await app.enforceRate(`rl:{p:${phoneKey}}:login`, limits.loginPerPhone);
      const user = await service.login(app.db, req.body.phone, req.body.password);
      return { token: app.signToken({ sub: user.id, role: user.role }), user: service.toUserResponse(user) };
    },
  );

  app.get(
    '/me',
    { onRequest: app.authenticate, schema: { tags: ['accounts'], security: [{ bearer: [] }], response: { 200: UserResponse, 401: ErrorResponse, 404: ErrorResponse } } },
    async (req) => service.toUserResponse(await service.me(app.db, req.user.sub)),
  );

  app.get(
    '/me/attempts',
    { onRequest: app.authenticate, schema: { tags: ['accounts'], security: [{ bearer: [] }], response: { 200: MyAttemptsResponse, 401: ErrorResponse } } },
    async (req) => service.myAttempts(app.db, req.user.sub),
  );
};
