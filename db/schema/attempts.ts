import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { id, ts, bytea } from './columns';
import { users } from './people';
import { rounds } from './rounds';

/**
 * A per-resident allowance after an incident (a dropped connection, a power cut): extra
 * attempts and extra seconds in one round, granted by an organizer with a reason.
 */
export const overrides = pgTable(
  'overrides',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    extraAttempts: integer('extra_attempts').notNull().default(0),
    extraSeconds: integer('extra_seconds').notNull().default(0),
    reason: text('reason').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.userId] }),
    // Target of the attempts' composite key: an attempt carries the allowance it used.
    unique('overrides_round_user_extra_uq').on(t.roundId, t.userId, t.extraAttempts),
    check('overrides_extra_attempts_ck', sql`${t.extraAttempts} between 0 and 10`),
    check('overrides_extra_seconds_ck', sql`${t.extraSeconds} between 0 and 86400`),
  ],
);

export const attempts = pgTable(
  'attempts',
  {
    id: id(),
    roundId: text('round_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    attemptNo: integer('attempt_no').notNull(),
    // Copied from the round and tied to it by the composite foreign key below, so
    // "attemptNo <= maxAttempts" is a plain CHECK that Postgres enforces on every row.
    maxAttempts: integer('max_attempts').notNull(),
    // The extra attempts of the resident's override when this attempt was started (null:
    // none), tied to the override by a composite key, so the cap CHECK below stays exact.
    overrideExtra: integer('override_extra'),
    seed: integer('seed').notNull(),
    questionIds: text('question_ids').array().notNull(),
    startedAt: ts('started_at').notNull(),
    deadline: ts('deadline').notNull(),
  },
  (t) => [
    unique('attempts_user_round_no_uq').on(t.userId, t.roundId, t.attemptNo),
    unique('attempts_id_deadline_uq').on(t.id, t.deadline),
    foreignKey({
      name: 'attempts_round_cap_fk',
      columns: [t.roundId, t.maxAttempts],
      foreignColumns: [rounds.id, rounds.maxAttempts],
    })
      .onUpdate('cascade')
      .onDelete('cascade'),
    index('attempts_round_idx').on(t.roundId, t.startedAt),
    // Stats: participants per round counted from the index alone.
    index('attempts_round_user_idx').on(t.roundId, t.userId),
    foreignKey({
      name: 'attempts_override_fk',
      columns: [t.roundId, t.userId, t.overrideExtra],
      foreignColumns: [overrides.roundId, overrides.userId, overrides.extraAttempts],
    }).onUpdate('cascade'),
    check('attempts_no_ck', sql`${t.attemptNo} >= 1 and ${t.attemptNo} <= ${t.maxAttempts} + coalesce(${t.overrideExtra}, 0)`),
    check('attempts_deadline_ck', sql`${t.deadline} > ${t.startedAt}`),
  ],
);

export interface StoredAnswer {
  questionId: string;
  optionId: string;
}

/**
 * One stored submission per attempt; the deadline is carried and checked here too. Stored
 * with fillfactor 50 (migration 0016): a regrade's score updates stay on their page (HOT).
 */
export const submissions = pgTable(
  'submissions',
  {
    attemptId: text('attempt_id').primaryKey(),
    roundId: text('round_id').notNull(),
    userId: text('user_id').notNull(),
    // The answers, one byte per question of the attempt in byte order of the question ids:
    // the chosen option's index in the question's options, 255 for none (lib/choices.ts).
    choices: bytea('choices').notNull(),
    prediction: integer('prediction').notNull(),
    score: integer('score').notNull(),
    total: integer('total').notNull(),
    deadline: ts('deadline').notNull(),
    submittedAt: ts('submitted_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    // Fair-play signatures of the answers (lib/choices.ts answerSignatures), written by the
    // API with the row so finalize never reads an answer list. NULL below 5 answers.
    answersSeq: bigint('answers_seq', { mode: 'bigint' }),
    answersSet: bigint('answers_set', { mode: 'bigint' }),
    // Where the submission came from, for the fair-play signal "many accounts from one
    // device or address": the client address as the API saw it and the web app's device id.
    clientIp: text('client_ip'),
    deviceId: text('device_id'),
  },
  (t) => [
    foreignKey({
      name: 'submissions_attempt_fk',
      columns: [t.attemptId, t.deadline],
      foreignColumns: [attempts.id, attempts.deadline],
    }).onDelete('cascade'),
    index('submissions_round_idx').on(t.roundId, t.userId),
    // Stats: the per-hour timeline of submissions.
    index('submissions_round_submitted_idx').on(t.roundId, t.submittedAt),
    check('submissions_prediction_ck', sql`${t.prediction} between 0 and 100000000`),
    check('submissions_score_ck', sql`${t.score} between 0 and ${t.total}`),
    check('submissions_duration_ck', sql`${t.durationMs} >= 0`),
    // The grace after the deadline is 30 s at most (API.md); a late row cannot be stored.
    check('submissions_deadline_ck', sql`${t.submittedAt} <= ${t.deadline} + interval '30 seconds'`),
  ],
);
