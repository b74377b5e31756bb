import { sql } from 'drizzle-orm';
import { customType, pgEnum, text, timestamp } from 'drizzle-orm/pg-core';

// Ids are opaque text (random UUIDs): a malformed id in a URL is simply "not found",
// never a cast error, and option ids leak nothing about order or correctness.
export const id = () =>
  text('id')
    .primaryKey()
    .default(sql`gen_random_uuid()::text`);

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const createdAt = () => ts('created_at').notNull().defaultNow();

/** Postgres bytea as a Buffer (drizzle has no built-in bytea column). */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array | string }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (typeof v === 'string' ? Buffer.from(v.replace(/^\\x/, ''), 'hex') : Buffer.from(v)),
});

export const roleEnum = pgEnum('role', ['resident', 'organizer', 'judge', 'admin']);

export const contestStatusEnum = pgEnum('contest_status', ['draft', 'active', 'archived']);

export const revealScoreEnum = pgEnum('reveal_score', ['immediately', 'after_close']);

export const predictionTargetEnum = pgEnum('prediction_target', [
  'all_correct_people',
  'all_correct_entries',
  'participants',
  'entries',
]);

export const otpPurposeEnum = pgEnum('otp_purpose', ['reset', 'register']);

export const memberRoleEnum = pgEnum('member_role', ['organizer', 'judge']);
