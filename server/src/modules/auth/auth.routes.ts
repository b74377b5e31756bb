import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, badRequest, tooManyRequests } from '../../lib/errors';
import type { Limits } from '../../lib/limits';
import type { PowOptions } from '../../lib/pow';
import { errorResponses } from '../../lib/zod';
import { AuthResponse, ChallengeResponse, LoginBody, MyAttemptsResponse, PasswordChangeBody, RegisterBody, UserResponse } from './auth.schemas';
import * as service from './auth.service';
import type { OtpService } from '../otp/index';

export interface AuthRoutesOptions {
  limits: Limits;
  /** Codes for REGISTRATION_OTP (the otp module's service). */
  otp: OtpService;
  /** REGISTRATION_OTP=on: registration needs a code sent to the phone. */
  registrationOtp: boolean;
  /** Proof of work required on registration, or false. */
  pow: PowOptions | false;
  secret: string;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { limits, pow, secret, otp, registrationOtp }) => {
  const proofOfWork = service.proofOfWork(pow, secret, app.throttle);

  app.get(
    '/auth/challenge',
    {
      schema: {
        tags: ['accounts'],
        summary: 'A proof-of-work challenge for registration (`required: false` when the server asks none)',
        response: { 200: ChallengeResponse.meta({ headers: { 'cache-control': { type: 'string', description: 'no-store' } } }) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return proofOfWork.challenge();
    },
  );

  app.get(
    '/auth/options',
    {
      schema: {
        tags: ['accounts'],
        summary: 'What registration and recovery need on this server',
        description:
          '`registrationOtp`: register needs `otp` (a code from POST /auth/otp, purpose "register"). `passwordReset`: codes can be sent (POST /auth/otp, purpose "reset"); otherwise the help desk resets passwords.',
        response: { 200: z.object({ registrationOtp: z.boolean(), passwordReset: z.boolean() }) },
      },
    },
    async () => ({ registrationOtp, passwordReset: otp.enabled }),
  );

  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['accounts'],
        description:
          'With REGISTRATION_OTP=on, `otp` (a code from POST /auth/otp, purpose "register") is checked before anything about the phone. With proof of work on, `altcha` is a solved GET /auth/challenge. 429 RATE_LIMITED past the per-address budget, or while the server is busy hashing passwords.',
        body: RegisterBody,
        response: {
          201: AuthResponse,
          ...errorResponses(
            'OTP_REQUIRED',
            'OTP_INVALID',
            'POW_REQUIRED',
            'POW_EXPIRED',
            'POW_INVALID',
            'POW_REUSED',
            'INVALID_LOCALITY',
            'INVALID_UNIT',
            'PHONE_TAKEN',
            'NATIONAL_ID_TAKEN',
            'RATE_LIMITED',
          ),
        },
      },
      preValidation: async (req) => {
        await app.enforceRate(`rl:{ip:${req.ip}}:register`, limits.registerPerIp);
      },
    },
    async (req, reply) => {
      await proofOfWork.require(req.body.altcha);
      let user;
      if (registrationOtp) {
        // The code is checked before anything about the phone: a taken number learns nothing more.
        if (!req.body.otp)
          throw badRequest('OTP_REQUIRED', 'Registration needs the code sent to this phone (POST /auth/otp with purpose "register")', [
            { field: 'body.otp', message: 'required' },
          ]);
        user = await otp.withCode(req.body.phone, 'register', req.body.otp, (tx) => service.register(tx, req.body));
      } else {
        user = await service.register(app.db, req.body);
      }
      return reply.code(201).send({ token: app.signToken(user), user: service.toUserResponse(user) });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['accounts'],
        description:
          '401 INVALID_CREDENTIALS; 401 ACCOUNT_DISABLED (right password, disabled account). Failed logins count per phone: after 5, 429 RATE_LIMITED with a Retry-After that doubles per further failure (up to 15 min); a success resets it. Failures per address have a budget too, and password checks per process are capped (429 with Retry-After past it).',
        body: LoginBody,
        response: { 200: AuthResponse, ...errorResponses('INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'RATE_LIMITED') },
      },
    },
    async (req) => {
      await app.enforceRate(`rl:{ip:${req.ip}}:login`, limits.loginPerIp);
      const ipFailures = `rl:{ip:${req.ip}}:login-failed`;
      const seen = await app.throttle.peek(ipFailures);
      if (seen.count >= limits.loginFailuresPerIp.limit)
        throw tooManyRequests(seen.retryAfterMs / 1000, 'Too many failed logins from this address: wait before trying again');
      let user;
      try {
        user = await service.login(app.db, req.body.phone, req.body.password);
      } catch (err) {
        if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS')
          await app.throttle.hit(ipFailures, limits.loginFailuresPerIp.limit, limits.loginFailuresPerIp.windowMs);
        throw err;
      }
      return { token: app.signToken(user), user: service.toUserResponse(user), ...(user.passwordChangeRequired ? { mustChangePassword: true } : {}) };
    },
  );

  app.post(
    '/auth/logout-all',
    {
      onRequest: app.authenticate,
      config: { allowPasswordChangeRequired: true },
      schema: {
        tags: ['accounts'],
        summary: 'Revoke every token of the caller',
        description:
          'Every token of the caller issued before stops working (401 TOKEN_REVOKED within 5 s on every route). Answers a token that must change its password too.',
        security: [{ bearer: [] }],
        response: { 204: z.null(), ...errorResponses('NOT_FOUND') },
      },
    },
    async (req, reply) => {
      app.revokeLocally(await service.logoutAll(app.db, req.user.sub));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      onRequest: app.authenticate,
      config: { allowPasswordChangeRequired: true },
      schema: {
        tags: ['accounts'],
        summary: 'Change the password',
        description:
          "204; every token issued before (the caller's too) stops working: log in again. 403 WRONG_PASSWORD for a wrong currentPassword; 400 VALIDATION_FAILED for a new password equal to the current one; 401 TOKEN_REVOKED, nothing changed, when the account's tokens were revoked while it ran (a help-desk reset, a logout-all). Answers a token that must change its password (that is what it is for).",
        security: [{ bearer: [] }],
        body: PasswordChangeBody,
        response: { 204: z.null(), ...errorResponses('WRONG_PASSWORD', 'NOT_FOUND', 'RATE_LIMITED') },
      },
    },
    async (req, reply) => {
      await app.enforceRate(`rl:{u:${req.user.sub}}:password`, limits.passwordChangePerUser);
      app.revokeLocally(await service.changePassword(app.db, req.user.sub, req.body.currentPassword, req.body.newPassword));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      onRequest: app.authenticate,
      config: { allowPasswordChangeRequired: true },
      schema: {
        tags: ['accounts'],
        description: 'The caller’s account; `mustChangePassword: true` after a help-desk reset (this route still answers then).',
        security: [{ bearer: [] }],
        response: { 200: UserResponse, ...errorResponses('NOT_FOUND') },
      },
    },
    async (req) => service.toUserResponse(await service.me(app.db, req.user.sub)),
  );

  app.get(
    '/me/attempts',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['accounts'],
        description: 'The caller’s attempts; `score` once the round reveals it (its revealScore rule), following any correction.',
        security: [{ bearer: [] }],
        response: { 200: MyAttemptsResponse },
      },
    },
    async (req) => service.myAttempts(app.db, req.user.sub),
  );
};
