import { randomInt } from 'node:crypto';
import type { Db } from '../../../../db/client';
import type { User } from '../../../../db/schema/index';
import { badRequest, notFound } from '../../lib/errors';
import { normalizePhone } from '../../lib/identity';
import { hashPassword } from '../../lib/passwords';
import { recordAudit } from '../audit/index';
import { clearLoginFailures, toUserResponse } from '../auth/index';
import { roleChanged } from '../judging/index';
import * as repo from './users.repo';
import type { AdminUser, UserPatchBody } from './users.schemas';

export const toAdminUser = (u: User): AdminUser => ({ ...toUserResponse(u), disabled: u.disabledAt !== null });

export async function findUsers(db: Db, phoneInput: string): Promise<AdminUser[]> {
  const phone = normalizePhone(phoneInput);
  if (phone) {
    const u = await repo.findUserByPhone(db, phone);
    return u ? [toAdminUser(u)] : [];
  }
  const digits = phoneInput.replace(/[^0-9]/g, '');
  if (digits.length < 4)
    throw badRequest('VALIDATION_FAILED', 'Give a phone number or at least 4 of its digits', [{ field: 'querystring.phone', message: 'at least 4 digits' }]);
  return (await repo.findUsersByDigits(db, digits)).map(toAdminUser);
}

/**
 * An admin changes an account's role or disables it (or enables it again). Either bumps
 * the token version, so the account's tokens stop working everywhere within seconds;
 * memberships that no longer fit the role go. Admins cannot change their own account
 * (nobody locks the last admin out by a slip).
 */
export async function updateUser(db: Db, actorId: string, userId: string, body: UserPatchBody, now = new Date()): Promise<User> {
  if (userId === actorId) throw badRequest('CANNOT_CHANGE_SELF', 'Admins cannot change their own role or disable their own account');
  return db.transaction(async (tx) => {
    const before = await repo.findUser(tx, userId);
    if (!before) throw notFound('User');
    if (body.role === 'resident' && !before.nationalId)
      throw badRequest('VALIDATION_FAILED', 'A resident needs a national id (CCCD): this account has none', [
        { field: 'body.role', message: 'account has no nationalId' },
      ]);
    const change: repo.AccountChange = {};
    if (body.role !== undefined && body.role !== before.role) change.role = body.role;
    if (body.disabled !== undefined && body.disabled !== (before.disabledAt !== null)) change.disabledAt = body.disabled ? now : null;
    if (!Object.keys(change).length) return before;
    const after = (await repo.bumpTokenVersion(tx, before.id, change))!;
    if (change.role) await repo.dropMismatchedMemberships(tx, after.id, after.role);
    // Eligibility reads the role: the rounds the account took part in no longer stand as finalized.
    const results = change.role && (before.role === 'resident' || after.role === 'resident') ? await roleChanged(tx, after.id, now) : null;
    await recordAudit(tx, {
      actorId,
      action: 'user.update',
      entity: 'user',
      entityId: after.id,
      before: { role: before.role, disabled: before.disabledAt !== null, tokenVersion: before.tokenVersion },
      after: {
        role: after.role,
        disabled: after.disabledAt !== null,
        tokenVersion: after.tokenVersion,
        ...(results?.staleRounds.length ? { staleRounds: results.staleRounds } : {}),
        ...(results?.withdrawnRounds.length ? { withdrawnRounds: results.withdrawnRounds } : {}),
      },
    });
    return after;
  });
}

// No 0/O or 1/l/I: read out over the phone by the help desk without mistakes.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function temporaryPassword(length = 10): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/**
 * The help desk's reset: a one-time temporary password, answered once and stored only
 * hashed. Every older token is revoked, and the account must choose its own password at
 * its next login before anything else works. The phone's count of wrong passwords is
 * cleared, so a locked-out resident who calls the help desk can log in at once.
 */
export async function resetPassword(db: Db, actorId: string, userId: string): Promise<{ user: User; temporaryPassword: string }> {
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const before = await repo.findUser(tx, userId);
    if (!before) throw notFound('User');
    const after = (await repo.bumpTokenVersion(tx, before.id, { passwordHash, passwordChangeRequired: true }))!;
    // The wrong passwords that locked the account out are behind it, as after an OTP reset:
    // the temporary password works at once.
    await clearLoginFailures(tx, after.phone);
    await recordAudit(tx, {
      actorId,
      action: 'user.password_reset',
      entity: 'user',
      entityId: after.id,
      after: { by: actorId, tokenVersion: after.tokenVersion },
    });
    return { user: after, temporaryPassword: password };
  });
}
