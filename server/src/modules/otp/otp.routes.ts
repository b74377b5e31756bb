import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Limits } from '../../lib/limits';
import { hashPassword } from '../../lib/passwords';
import { errorResponses } from '../../lib/zod';
import { bumpTokenVersion, clearLoginFailures, findUserByPhone } from '../auth/index';
import { OtpBody, PasswordResetBody } from './otp.schemas';
import type { OtpService } from './otp.service';

export interface OtpRoutesOptions {
  otp: OtpService;
  limits: Limits;
}

export const otpRoutes: FastifyPluginAsyncZod<OtpRoutesOptions> = async (app, { otp, limits }) => {
  app.post(
    '/auth/otp',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Send a one-time code by SMS (or the configured channel)',
        description:
          '202, with no body, whether or not the phone has an account (nothing tells them apart); the code (6 digits, 5 minutes, 5 tries) goes out after the answer. 429 RATE_LIMITED with Retry-After past 1 a minute or 5 a day per phone, or past the per-address budget. With no OTP provider configured nothing is sent and the answer is still 202: GET /auth/options says whether codes can be sent.',
        body: OtpBody,
        response: { 202: z.null(), ...errorResponses('RATE_LIMITED') },
      },
    },
    async (req, reply) => {
      await app.enforceRate(`rl:{ip:${req.ip}}:otp`, limits.otpPerIp);
      const { phone, purpose } = req.body;
      // Reset by SMS is for residents: a staff or admin account (every contest's data) is not
      // taken over by whoever gets its SIM; staff go through an administrator (help-desk reset).
      await otp.request(phone, purpose, async (db) => {
        const account = await findUserByPhone(db, phone);
        return purpose === 'reset' ? account?.role === 'resident' : !account;
      });
      // No body at all: the same empty answer for every phone.
      return reply.code(202).send(undefined as unknown as null);
    },
  );

  app.post(
    '/auth/password/reset',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Choose a new password with a code sent to the phone',
        description:
          '204; every older token of the account is revoked. 400 OTP_INVALID for a wrong, expired, used or burned code (the fifth wrong try burns it); nothing else changes on a refusal.',
        body: PasswordResetBody,
        response: { 204: z.null(), ...errorResponses('OTP_INVALID', 'RATE_LIMITED') },
      },
    },
    async (req, reply) => {
      await app.enforceRate(`rl:{ip:${req.ip}}:otp-verify`, limits.otpVerifyPerIp);
      const { phone, code, newPassword } = req.body;
      const user = await otp.withCode(phone, 'reset', code, async (tx) => {
        const account = await findUserByPhone(tx, phone);
        if (!account || account.role !== 'resident') return null;
        const passwordHash = await hashPassword(newPassword);
        await clearLoginFailures(tx, phone);
        return bumpTokenVersion(tx, account.id, { passwordHash, passwordChangeRequired: false });
      });
      if (user) app.revokeLocally(user);
      return reply.code(204).send(null);
    },
  );
};
