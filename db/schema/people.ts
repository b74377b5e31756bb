import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, pgTable, primaryKey, smallint, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { id, ts, createdAt, roleEnum, otpPurposeEnum, memberRoleEnum } from './columns';
import { contests, localities, units } from './contests';

export const users = pgTable(
  'users',
  {
    id: id(),
    fullName: text('full_name').notNull(),
    phone: text('phone').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: roleEnum('role').notNull().default('resident'),
    nationalId: text('national_id'),
    birthYear: smallint('birth_year'),
    localityId: text('locality_id').references(() => localities.id, { onDelete: 'set null' }),
    unitId: text('unit_id').references(() => units.id, { onDelete: 'set null' }),
    category: text('category'),
    createdAt: createdAt(),
    // Revocation: every token carries the version it was issued under; a role change, a
    // disable, a logout-all or a password change bumps it, and older tokens stop working.
    tokenVersion: integer('token_version').notNull().default(0),
    // When the version last moved: each API process polls the recent moves (plugins/auth).
    tokenChangedAt: ts('token_changed_at'),
    disabledAt: ts('disabled_at'),
    // Set by a help-desk reset: the account must choose its own password before anything else.
    passwordChangeRequired: boolean('password_change_required').notNull().default(false),
  },
  (t) => [
    uniqueIndex('users_phone_uq').on(t.phone),
    index('users_token_changed_idx').on(t.tokenChangedAt),
    uniqueIndex('users_national_id_uq').on(t.nationalId),
    check('users_phone_ck', sql`${t.phone} ~ '^0[0-9]{9}$'`),
    check('users_national_id_ck', sql`${t.nationalId} is null or ${t.nationalId} ~ '^[0-9]{12}$'`),
    check('users_resident_national_id_ck', sql`${t.role} <> 'resident' or ${t.nationalId} is not null`),
  ],
);

/**
 * Failed logins per phone (known or not, so the answer tells nothing): after a few, each
 * further failure doubles the wait before the next try (API.md v1.1); a success clears it.
 * In Postgres, so a Redis loss does not reset it and every API process sees the same count.
 */
export const loginFailures = pgTable('login_failures', {
  phone: text('phone').primaryKey(),
  failures: integer('failures').notNull(),
  blockedUntil: ts('blocked_until'),
  lastAt: ts('last_at').notNull().defaultNow(),
});

/**
 * One-time codes (API.md v1.1): only an HMAC of the code is kept. Every request for a
 * code leaves a row, also for a phone that gets none (code_hash null), so the per-phone
 * limits count the same whether or not the phone has an account.
 */
export const otpCodes = pgTable(
  'otp_codes',
  {
    id: id(),
    phone: text('phone').notNull(),
    purpose: otpPurposeEnum('purpose').notNull(),
    codeHash: text('code_hash'),
    expiresAt: ts('expires_at').notNull(),
    tries: integer('tries').notNull().default(0),
    usedAt: ts('used_at'),
    // Too many wrong tries, or the message could not be delivered: never usable again.
    burnedAt: ts('burned_at'),
    createdAt: createdAt(),
  },
  (t) => [index('otp_codes_phone_idx').on(t.phone, t.createdAt), check('otp_codes_tries_ck', sql`${t.tries} >= 0`)],
);

/** Messages to send, written with their code in one transaction and sent after the answer. */
export const otpOutbox = pgTable(
  'otp_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    codeId: text('code_id')
      .notNull()
      .references(() => otpCodes.id, { onDelete: 'cascade' }),
    phone: text('phone').notNull(),
    purpose: otpPurposeEnum('purpose').notNull(),
    // The message, encrypted (AES-GCM under a key derived from the server secret), and
    // emptied once sent or given up: the code never rests in clear text.
    sealed: text('sealed'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
    failedAt: ts('failed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('otp_outbox_pending_idx').on(t.nextAttemptAt).where(sql`${t.sentAt} is null and ${t.failedAt} is null`)],
);

/** Who may act on a contest (admins act on all): API.md v1.1 "Who may act on a contest". */
export const contestMembers = pgTable(
  'contest_members',
  {
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: memberRoleEnum('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.contestId, t.userId] }), index('contest_members_user_idx').on(t.userId)],
);
