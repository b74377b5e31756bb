import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { badRequest } from '../../lib/errors';
import type { Limits } from '../../lib/limits';
import { checkPow, decodePowPayload, makePowChallenge, powKeys, type PowOptions } from '../../lib/pow';
import { normalizePhone } from '../../lib/identity';
import { ErrorResponse } from '../../lib/zod';
import { AuthResponse, ChallengeResponse, LoginBody, MyAttemptsResponse, RegisterBody, UserResponse } from './auth.schemas';
import * as service from './auth.service';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };

export interface AuthRoutesOptions {
  limits: Limits;
  /** Proof of work required on registration, or false. */
  pow: PowOptions | false;
  secret: string;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { limits, pow, secret }) => {
  const keys = powKeys(secret);

  app.get('/auth/challenge', { schema: { tags: ['accounts'], response: { 200: ChallengeResponse } } }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    if (!pow) return { required: false };
    const challenge = await makePowChallenge(keys, pow);
    return { required: true, challenge: { parameters: { ...challenge.parameters }, signature: challenge.signature } };
  });

  async function requirePow(raw: string | undefined) {
    if (!pow) return;
    if (!raw) throw badRequest('POW_REQUIRED', 'Registration needs a solved challenge (GET /auth/challenge)', [{ field: 'body.altcha', message: 'required' }]);
    const payload = decodePowPayload(raw);
    const verdict = payload ? await checkPow(keys, payload) : 'invalid';
    if (verdict === 'expired') throw badRequest('POW_EXPIRED', 'The challenge expired: fetch a new one', [{ field: 'body.altcha', message: 'expired' }]);
    if (verdict !== 'ok' || !payload?.challenge.signature) throw badRequest('POW_INVALID', 'The challenge solution is not valid', [{ field: 'body.altcha', message: 'invalid' }]);
    // Each solved challenge buys one registration attempt.
    const first = await app.throttle.hit(`pow:{${payload.challenge.signature}}`, 1, pow.ttlMs);
    if (!first.allowed) throw badRequest('POW_REUSED', 'This challenge was already used: fetch a new one', [{ field: 'body.altcha', message: 'reused' }]);
  }
  app.post(
    '/auth/register',
    {
      schema: { tags: ['accounts'], body: RegisterBody, response: { 201: AuthResponse, ...errors } },
      preValidation: async (req) => {
        await app.enforceRate(`rl:{ip:${req.ip}}:register`, limits.registerPerIp);
      },
    },
    async (req, reply) => {
      await requirePow(req.body.altcha);
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
