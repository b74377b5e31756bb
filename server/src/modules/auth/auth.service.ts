import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../../../db/client';
import type { User } from '../../../../db/schema/index';
import { AppError, badRequest, conflict, notFound } from '../../lib/errors';
import { normalizePhone } from '../../lib/identity';
import * as repo from './auth.repo';
import type { RegisterBody, UserResponse } from './auth.schemas';

// argon2id, OWASP's minimum profile (19 MiB, 2 passes): memory-hard, yet a login burst
// of a whole office stays within a few ms of CPU each.
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
// Verified when the phone is unknown, so a login takes as long either way.
const DUMMY_HASH = hash('timing-equalizer-password', ARGON);

export const hashPassword = (password: string) => hash(password, ARGON);

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

export async function login(db: Db, phoneInput: string, password: string): Promise<User> {
  const phone = normalizePhone(phoneInput);
  const user = phone ? await repo.findUserByPhone(db, phone) : undefined;
  const ok = await verify(user?.passwordHash ?? (await DUMMY_HASH), password).catch(() => false);
  if (!user || !ok) throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong phone number or password');
  return user;
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
    const revealed = r.revealScore === 'immediately' || r.closesAt <= now;
    return {
      attemptId: r.attemptId,
      roundId: r.roundId,
      contestId: r.contestId,
      roundNumber: r.roundNumber,
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
