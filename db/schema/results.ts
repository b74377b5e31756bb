import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { ts, createdAt } from './columns';
import { users } from './people';
import { rounds } from './rounds';

export const disqualifications = pgTable(
  'disqualifications',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.userId] })],
);

/** The outcome of the latest finalize of a round. */
export const roundResults = pgTable('round_results', {
  roundId: text('round_id')
    .primaryKey()
    .references(() => rounds.id, { onDelete: 'cascade' }),
  actualCount: integer('actual_count').notNull(),
  participants: integer('participants').notNull(),
  ranked: integer('ranked').notNull(),
  checksum: text('checksum').notNull(),
  finalizedAt: ts('finalized_at').notNull(),
  finalizedBy: text('finalized_by').references(() => users.id, { onDelete: 'set null' }),
  // Set when something the results depend on changed (a disqualification, an earlier
  // round's winners): the round must be finalized again before publish or export.
  stale: boolean('stale').notNull().default(false),
  // The rules as applied (target, prizes, onePrizePerPerson), so exports of these
  // results never depend on later edits of the contest.
  rules: jsonb('rules').notNull().default({}),
  // A digest of what eligibility and the order read besides the rows themselves (the
  // exclusion list, the disqualifications, earlier winners, the submissions): when it no
  // longer matches, the results are stale even if nobody flagged them.
  inputs: text('inputs'),
});

/** One row per participant of a finalized round, in ranking order. */
export const roundResultRows = pgTable(
  'round_result_rows',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    rank: integer('rank'),
    prize: text('prize'),
    userId: text('user_id').notNull(),
    attemptId: text('attempt_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    score: integer('score').notNull(),
    total: integer('total').notNull(),
    prediction: integer('prediction').notNull(),
    predictionError: integer('prediction_error').notNull(),
    durationMs: integer('duration_ms').notNull(),
    submittedAt: ts('submitted_at').notNull(),
    eligible: boolean('eligible').notNull(),
    ineligibleReason: text('ineligible_reason'),
    // Who the row was, as of the finalize: the signed prize list must not change when a
    // profile does.
    fullName: text('full_name'),
    nationalId: text('national_id'),
    phone: text('phone'),
    birthYear: smallint('birth_year'),
    locality: text('locality'),
    unit: text('unit'),
    category: text('category'),
    // Fair-play signals for the judges (lib/fairplay.ts); never part of the checksum and
    // never a change of rank or prize by themselves.
    flags: text('flags').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.position] }), index('round_result_rows_user_idx').on(t.userId)],
);

/** Who did what to the contest data, with the state before and after. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId), index('audit_log_at_idx').on(t.at), index('audit_log_actor_idx').on(t.actorId, t.at)],
);
