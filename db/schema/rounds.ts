import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { id, ts, createdAt, revealScoreEnum, predictionTargetEnum } from './columns';
import { contests } from './contests';
import { users } from './people';

export const rounds = pgTable(
  'rounds',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull().default(''),
    opensAt: ts('opens_at').notNull(),
    closesAt: ts('closes_at').notNull(),
    questionCount: integer('question_count').notNull().default(20),
    timeLimitSeconds: integer('time_limit_seconds').notNull().default(1200),
    maxAttempts: integer('max_attempts').notNull().default(1),
    revealScore: revealScoreEnum('reveal_score').notNull().default('immediately'),
    predictionPrompt: text('prediction_prompt').notNull().default(''),
    predictionTarget: predictionTargetEnum('prediction_target').notNull().default('all_correct_people'),
    prizes: jsonb('prizes').$type<{ name: string; count: number }[]>().notNull().default([]),
    // Fair play: an attempt quicker than this per question is flagged `too_fast` for the
    // judges (null: lib/fairplay.ts DEFAULT_MIN_MS_PER_QUESTION).
    minMsPerQuestion: integer('min_ms_per_question'),
    finalizedAt: ts('finalized_at'),
    publishedAt: ts('published_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    unique('rounds_contest_number_uq').on(t.contestId, t.number),
    // Target of the attempts' composite key: an attempt carries its round's cap.
    unique('rounds_id_max_attempts_uq').on(t.id, t.maxAttempts),
    check('rounds_window_ck', sql`${t.closesAt} > ${t.opensAt}`),
    check('rounds_number_ck', sql`${t.number} between 1 and 1000`),
    check('rounds_question_count_ck', sql`${t.questionCount} between 1 and 200`),
    check('rounds_time_limit_ck', sql`${t.timeLimitSeconds} between 10 and 86400`),
    check('rounds_max_attempts_ck', sql`${t.maxAttempts} between 1 and 100`),
    check('rounds_min_ms_per_question_ck', sql`${t.minMsPerQuestion} is null or ${t.minMsPerQuestion} between 0 and 600000`),
    check('rounds_published_ck', sql`${t.publishedAt} is null or ${t.finalizedAt} is not null`),
  ],
);

export interface StoredOption {
  id: string;
  text: string;
  correct: boolean;
}

export const questions = pgTable(
  'questions',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    // Options live with their question so that the database itself can hold the rule
    // "3 or 4 options, exactly one correct" in a CHECK (no cross-row constraint needed).
    options: jsonb('options').$type<StoredOption[]>().notNull(),
    topic: text('topic'),
    explanation: text('explanation'),
    // Voided after the fact (a correction): counts as correct for every attempt that drew it.
    // The options keep their key, so the CHECK above still holds and the audit shows what it was.
    voidedAt: ts('voided_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('questions_contest_idx').on(t.contestId),
    check('questions_options_count_ck', sql`jsonb_typeof(${t.options}) = 'array' and jsonb_array_length(${t.options}) between 3 and 4`),
    check(
      'questions_one_correct_ck',
      sql`jsonb_array_length(jsonb_path_query_array(${t.options}, '$[*] ? (@.correct == true)')) = 1`,
    ),
  ],
);

/** A round's pool: the questions each attempt draws from. */
export const roundQuestions = pgTable(
  'round_questions',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    questionId: text('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.questionId] }), index('round_questions_question_idx').on(t.questionId)],
);

/** Staff and others who may not compete, matched by national id or phone. */
export const exclusions = pgTable(
  'exclusions',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    nationalId: text('national_id'),
    phone: text('phone'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('exclusions_contest_national_id_idx').on(t.contestId, t.nationalId),
    index('exclusions_contest_phone_idx').on(t.contestId, t.phone),
    check('exclusions_key_ck', sql`${t.nationalId} is not null or ${t.phone} is not null`),
  ],
);

/**
 * Reviews of a question's key after attempts used it: a new key (`correction`), a void, or
 * an explicit "key confirmed" (`confirmation`) of a question item analysis flagged. Item
 * analysis counts a flagged question as reviewed once it has any row here.
 */
export const questionReviews = pgTable(
  'question_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    questionId: text('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'correction' | 'void' | 'confirmation'>().notNull(),
    fromOptionId: text('from_option_id'),
    toOptionId: text('to_option_id'),
    reason: text('reason').notNull().default(''),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('question_reviews_question_idx').on(t.questionId, t.createdAt), check('question_reviews_kind_ck', sql`${t.kind} in ('correction', 'void', 'confirmation')`)],
);
