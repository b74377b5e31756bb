import { z } from 'zod';
import { nationalIdProblem, normalizePhone } from '../../lib/identity';
import { IdParam, text } from '../../lib/zod';

export const Phone = z
  .string()
  .max(32)
  .transform((v, ctx) => {
    const p = normalizePhone(v);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: 'must be a Vietnamese mobile number, e.g. 0912345678' });
      return z.NEVER;
    }
    return p;
  });

export const NationalId = z
  .string()
  .max(32)
  .transform((v) => v.replace(/\s/g, ''))
  .pipe(z.string().regex(/^[0-9]{12}$/, 'must be exactly 12 digits (CCCD)'));

const thisYear = () => new Date().getUTCFullYear();

export const RegisterBody = z
  .object({
    fullName: text(2, 100),
    phone: Phone,
    password: z.string().min(8, 'must be at least 8 characters').max(200),
    nationalId: NationalId,
    birthYear: z
      .number()
      .int()
      .min(1900)
      .refine((y) => y <= thisYear(), 'cannot be in the future'),
    localityId: IdParam.optional(),
    unitId: IdParam.optional(),
    category: text(1, 50).optional(),
    /** Proof of work (base64 ALTCHA payload), when the server asks for it (GET /auth/challenge). */
    altcha: z.string().max(16_384).optional(),
    /** With REGISTRATION_OTP=on: the code sent for purpose "register" (400 OTP_REQUIRED / OTP_INVALID). */
    otp: z.string().max(20).optional(),
  })
  .superRefine((b, ctx) => {
    const problem = nationalIdProblem(b.nationalId, b.birthYear);
    if (problem) ctx.addIssue({ code: 'custom', path: ['nationalId'], message: problem });
  });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  phone: z.string().max(32),
  password: z.string().min(1).max(200),
});

export const UserResponse = z.object({
  id: z.string(),
  fullName: z.string(),
  phone: z.string(),
  role: z.enum(['resident', 'organizer', 'judge', 'admin']),
  nationalId: z.string().optional(),
  birthYear: z.number().optional(),
  localityId: z.string().optional(),
  unitId: z.string().optional(),
  category: z.string().optional(),
  /** After a help-desk reset: only POST /auth/password (and GET /me, logout-all) work until it is changed. */
  mustChangePassword: z.boolean().optional(),
});
export type UserResponse = z.infer<typeof UserResponse>;

export const AuthResponse = z.object({ token: z.string(), user: UserResponse, mustChangePassword: z.boolean().optional() });

export const NewPassword = z.string().min(8, 'must be at least 8 characters').max(200);

export const PasswordChangeBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: NewPassword });

export const MyAttemptsResponse = z.array(
  z.object({
    attemptId: z.string(),
    roundId: z.string(),
    contestId: z.string(),
    roundNumber: z.number(),
    roundTitle: z.string().describe("extension: the round's title as organizers named it (may be empty)"),
    attemptNo: z.number(),
    status: z.enum(['in_progress', 'submitted', 'expired']),
    startedAt: z.string(),
    deadline: z.string(),
    submittedAt: z.string().optional(),
    durationMs: z.number().optional(),
    score: z.number().optional(),
    total: z.number(),
    corrected: z
      .literal(true)
      .optional()
      .describe('extension: a question of this attempt was corrected or voided after it was taken; `score` is the regraded one'),
  }),
);

export const ChallengeResponse = z.object({
  required: z.boolean(),
  challenge: z
    .object({
      parameters: z.record(z.string(), z.unknown()),
      signature: z.string().optional(),
    })
    .optional(),
});
