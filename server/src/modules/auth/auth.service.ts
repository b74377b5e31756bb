import type { Db } from '../../../../db/client';
import type { User } from '../../../../db/schema/index';
import { AppError, badRequest, conflict, forbidden, notFound, tooManyRequests, unauthorized } from '../../lib/errors';
import { hashPassword, verifyPassword } from '../../lib/passwords';
import { normalizePhone } from '../../lib/identity';
import { checkPow, decodePowPayload, makePowChallenge, powKeys, type PowOptions } from '../../lib/pow';
import type { Throttle } from '../../lib/throttle';
import { recordAudit } from '../audit/index';
import * as repo from './auth.repo';
import type { RegisterBody, UserResponse } from './auth.schemas';

export { hashPassword };

/**
 * Proof of work on registration (lib/pow.ts), or none when `pow` is false: the challenge
 * GET /auth/challenge hands out, and the check of a solution, which buys one registration.
 */
export function proofOfWork(pow: PowOptions | false, secret: string, throttle: Throttle) {
  const keys = powKeys(secret);
  return {
    async challenge() {
      if (!pow) return { required: false };
      const challenge = await makePowChallenge(keys, pow);
      return { required: true, challenge: { parameters: { ...challenge.parameters }, signature: challenge.signature } };
    },
    async require(raw: string | undefined) {
      if (!pow) return;
      if (!raw)
        throw badRequest('POW_REQUIRED', 'Registration needs a solved challenge (GET /auth/challenge)', [{ field: 'body.altcha', message: 'required' }]);
      const payload = decodePowPayload(raw);
      const verdict = payload ? await checkPow(keys, payload) : 'invalid';
      if (verdict === 'expired') throw badRequest('POW_EXPIRED', 'The challenge expired: fetch a new one', [{ field: 'body.altcha', message: 'expired' }]);
      if (verdict !== 'ok' || !payload?.challenge.signature)
        throw badRequest('POW_INVALID', 'The challenge solution is not valid', [{ field: 'body.altcha', message: 'invalid' }]);
      // Each solved challenge buys one registration attempt.
      const first = await throttle.hit(`pow:{${payload.challenge.signature}}`, 1, pow.ttlMs);
      if (!first.allowed) throw badRequest('POW_REUSED', 'This challenge was already used: fetch a new one', [{ field: 'body.altcha', message: 'reused' }]);
    },
  };
}

export function toUserResponse(u: User): UserResponse {
  return {
    id: u.id,
    fullName: u.fullName,
    phone: u.phone,
    role: u.role,
    nationalId: u.nationalId ?? undefined,
    birthYear: u.birthYear ?? undefined,
    localityId: u.localityId ?? undefined,
    unitId: u.unitId ?? undefined,
    category: u.category ?? undefined,
    ...(u.passwordChangeRequired ? { mustChangePassword: true } : {}),
  };
}

export async function register(db: Db, body: RegisterBody): Promise<User> {
  if (body.localityId && !(await repo.localityExists(db, body.localityId)))
    throw badRequest('INVALID_LOCALITY', 'Unknown localityId', [{ field: 'body.localityId', message: 'unknown locality' }]);
  if (body.unitId && !(await repo.unitExists(db, body.unitId)))
    throw badRequest('INVALID_UNIT', 'Unknown unitId', [{ field: 'body.unitId', message: 'unknown unit' }]);
  const passwordHash = await hashPassword(body.password);
  // Only these fields reach the row: a role or id in the body is never read.
  const result = await repo.insertUser(db, {
    fullName: body.fullName,
    phone: body.phone,
    passwordHash,
    role: 'resident',
    nationalId: body.nationalId,
    birthYear: body.birthYear,
    localityId: body.localityId ?? null,
    unitId: body.unitId ?? null,
    category: body.category ?? null,
  });
  if ('taken' in result) {
    throw result.taken === 'phone'
      ? conflict('PHONE_TAKEN', 'This phone number is already registered')
      : conflict('NATIONAL_ID_TAKEN', 'This national id is already registered');
  }
  return result.user;
}

/**
 * Checks a phone and password. Logins are counted per phone (known or not) in Postgres
 * before the password is checked, so parallel guesses count as sequential ones: past
 * FREE_LOGIN_FAILURES each further failure doubles the wait (429 with Retry-After, no
 * password checked), and a success clears the count. A disabled account is told so only
 * after its password was right, so a guess learns nothing from it.
 */
export async function login(db: Db, phoneInput: string, password: string, now = new Date()): Promise<User> {
  const phone = normalizePhone(phoneInput);
  const key = phone ?? phoneInput.slice(0, 32);
  const blockedUntil = await repo.reserveLoginAttempt(db, key, now);
  if (blockedUntil)
    throw tooManyRequests((blockedUntil.getTime() - now.getTime()) / 1000, 'Too many wrong passwords for this phone number: wait before trying again');
  let user: User | undefined;
  let ok: boolean;
  try {
    user = phone ? await repo.findUserByPhone(db, phone) : undefined;
    ok = await verifyPassword(user?.passwordHash, password);
  } catch (err) {
    // Not checked (the hashing cap's 429, or the database): the login does not count. If the
    // give-back fails too, the count keeps one login too many, no more.
    await repo.releaseLoginAttempt(db, key).catch(() => {});
    throw err;
  }
  if (!user || !ok) throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong phone number or password');
  await repo.clearLoginFailures(db, key);
  if (user.disabledAt) throw unauthorized('This account is disabled: contact the organizers', 'ACCOUNT_DISABLED');
  return user;
}

/** Every token of the account issued before now stops working. */
export async function logoutAll(db: Db, userId: string): Promise<User> {
  const user = await repo.bumpTokenVersion(db, userId);
  if (!user) throw notFound('User');
  return user;
}

/** A new password (the current one proves the caller): every older token is revoked, the caller's too. */
export async function changePassword(db: Db, userId: string, currentPassword: string, newPassword: string): Promise<User> {
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound('User');
  if (!(await verifyPassword(user.passwordHash, currentPassword))) throw forbidden('WRONG_PASSWORD', 'The current password is wrong');
  if (currentPassword === newPassword)
    throw badRequest('VALIDATION_FAILED', 'The new password must differ from the current one', [
      { field: 'body.newPassword', message: 'same as the current password' },
    ]);
  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    // Only over the account as read: a help-desk reset, a logout-all or another change made
    // while the password was checked revoked the caller's token, and stands.
    const after = await repo.bumpTokenVersion(tx, user.id, { passwordHash, passwordChangeRequired: false }, user.tokenVersion);
    if (!after) throw unauthorized('The account changed while the password was being changed (this token was revoked): log in again', 'TOKEN_REVOKED');
    await recordAudit(tx, { actorId: user.id, action: 'user.password', entity: 'user', entityId: user.id, after: { tokenVersion: after.tokenVersion } });
    return after;
  });
}

export async function me(db: Db, userId: string): Promise<User> {
  const user = await repo.findUserById(db, userId);
  if (!user) throw notFound('User');
  return user;
}

export async function myAttempts(db: Db, userId: string, now = new Date()) {
  const rows = await repo.listAttemptsOfUser(db, userId);
  return rows.map((r) => {
    const submitted = r.submittedAt !== null;
    const revealed = r.revealScore === 'immediately' || (r.sealedAt !== null && r.sealedAt <= now);
    return {
      attemptId: r.attemptId,
      roundId: r.roundId,
      contestId: r.contestId,
      roundNumber: r.roundNumber,
      roundTitle: r.roundTitle,
      attemptNo: r.attemptNo,
      status: submitted ? ('submitted' as const) : r.deadline.getTime() + 30_000 < now.getTime() ? ('expired' as const) : ('in_progress' as const),
      startedAt: r.startedAt.toISOString(),
      deadline: r.deadline.toISOString(),
      submittedAt: r.submittedAt?.toISOString(),
      durationMs: r.durationMs ?? undefined,
      score: submitted && revealed ? (r.score ?? undefined) : undefined,
      total: r.total,
      corrected: submitted && revealed && r.corrected ? (true as const) : undefined,
    };
  });
}
