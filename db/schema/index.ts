import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Ids are opaque text (random UUIDs): a malformed id in a URL is simply "not found",
// never a cast error, and option ids leak nothing about order or correctness.
const id = () =>
  text('id')
    .primaryKey()
    .default(sql`gen_random_uuid()::text`);
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const roleEnum = pgEnum('role', ['resident', 'organizer', 'judge', 'admin']);
export const contestStatusEnum = pgEnum('contest_status', ['draft', 'active', 'archived']);
export const revealScoreEnum = pgEnum('reveal_score', ['immediately', 'after_close']);
export const predictionTargetEnum = pgEnum('prediction_target', ['all_correct_people', 'all_correct_entries', 'participants', 'entries']);

export const contests = pgTable('contests', {
  id: id(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  rules: text('rules').notNull().default(''),
  status: contestStatusEnum('status').notNull().default('active'),
  onePrizePerPerson: boolean('one_prize_per_person').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Communes/wards (or districts) a contest reports by. */
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

export const otpPurposeEnum = pgEnum('otp_purpose', ['reset', 'register']);

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
  (t) => [
    index('otp_outbox_pending_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
  ],
);

export const memberRoleEnum = pgEnum('member_role', ['organizer', 'judge']);

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

export const localities = pgTable(
  'localities',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    headcount: integer('headcount'),
  },
  (t) => [unique('localities_contest_name_uq').on(t.contestId, t.name), check('localities_headcount_ck', sql`${t.headcount} is null or ${t.headcount} >= 0`)],
);

/** Agencies and organizations a contest reports by. */
export const units = pgTable(
  'units',
  {
    id: id(),
    contestId: text('contest_id')
      .notNull()
      .references(() => contests.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    headcount: integer('headcount'),
  },
  (t) => [unique('units_contest_name_uq').on(t.contestId, t.name), check('units_headcount_ck', sql`${t.headcount} is null or ${t.headcount} >= 0`)],
);

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
    // A contest's localities and units with their registered counts (reference.repo), and
    // the ON DELETE SET NULL of a removed locality or unit: without them each is a scan of
    // every user (200 communes of 300k residents: 19 s). Partial: staff have neither.
    index('users_locality_idx')
      .on(t.localityId)
      .where(sql`${t.localityId} is not null`),
    index('users_unit_idx')
      .on(t.unitId)
      .where(sql`${t.unitId} is not null`),
    // The accounts that may not compete as residents (staff): a few hundred among 300k,
    // where finalize's count of the people the rule turns away starts (judging
    // eligibility.sql.ts ineligibleUsers). Without it, a scan of every user per finalize.
    index('users_not_resident_idx')
      .on(t.id)
      .where(sql`${t.role} <> 'resident'`),
    check('users_phone_ck', sql`${t.phone} ~ '^0[0-9]{9}$'`),
    check('users_national_id_ck', sql`${t.nationalId} is null or ${t.nationalId} ~ '^[0-9]{12}$'`),
    check('users_resident_national_id_ck', sql`${t.role} <> 'resident' or ${t.nationalId} is not null`),
  ],
);

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
    // Moves whenever what a start draws and shows could have changed: the round's row, its
    // pool, a pool question (triggers of migration 0024). A start drawn from a cached copy of
    // another version is refused by start_attempts() and drawn again.
    drawVersion: integer('draw_version').notNull().default(0),
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
    check('questions_one_correct_ck', sql`jsonb_array_length(jsonb_path_query_array(${t.options}, '$[*] ? (@.correct == true)')) = 1`),
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

/** Postgres bytea as a Buffer (drizzle has no built-in bytea column). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array | string }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (typeof v === 'string' ? Buffer.from(v.replace(/^\\x/, ''), 'hex') : Buffer.from(v)),
});

/**
 * One stored submission per attempt; the deadline is carried and checked here too. Stored
 * with fillfactor 50 (migration 0016): a regrade's score updates stay on their page (HOT).
 * Tied to its attempt without a foreign key (migration 0023): the INSERT joins and locks the
 * attempt, a trigger deletes submissions with their attempts, another refuses (23503) to move
 * the deadline of a submitted attempt.
 */
export const submissions = pgTable(
  'submissions',
  {
    attemptId: text('attempt_id').primaryKey(),
    // Copied from the attempt when the row is written (attempts.repo.ts insertSubmissions),
    // as the deadline is: finalize ranks a round without reading its attempts.
    roundId: text('round_id').notNull(),
    userId: text('user_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
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

/**
 * One row per participant of a finalized round, in ranking order. Written only by finalize,
 * under the round's row lock, 300k at a time: no foreign key (its check per row cost 1 s of
 * a 1M finalize) and no index by person (reads are by round). The rows go with their
 * round_results row (a trigger, migration 0019), which goes with the round.
 */
export const roundResultRows = pgTable(
  'round_result_rows',
  {
    roundId: text('round_id').notNull(),
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
    flags: text('flags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.position] }),
    // The prize rows of a round (a few dozen of 300k): the winners an earlier round's
    // finalize compares and passes over (onePrizePerPerson), the prize list.
    index('round_result_rows_prizes_idx')
      .on(t.roundId, t.position)
      .where(sql`${t.prize} is not null`),
    // The rows a judge must look at, a page at a time in position order (GET .../ranking
    // ?only=flagged|ineligible, ?flag=): a few hundred of 300k, so a filtered page and its
    // count read these entries, not every row of the round. The flags are in the key (after
    // the position, which is unique in a round, so they order nothing): ?flag= is read from
    // the index alone as well.
    index('round_result_rows_flagged_idx')
      .on(t.roundId, t.position, t.flags)
      .where(sql`cardinality(${t.flags}) > 0`),
    index('round_result_rows_ineligible_idx')
      .on(t.roundId, t.position)
      .where(sql`not ${t.eligible}`),
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
  (t) => [
    index('question_reviews_question_idx').on(t.questionId, t.createdAt),
    check('question_reviews_kind_ck', sql`${t.kind} in ('correction', 'void', 'confirmation')`),
  ],
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
    // The contest the record belongs to, set by a trigger on insert (migration 0026,
    // audit_log_contest_of): the audit page's contest filter reads this column and its index
    // instead of every record's before and after.
    contestId: text('contest_id'),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entity, t.entityId),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_contest_idx')
      .on(t.contestId, t.id)
      .where(sql`${t.contestId} is not null`),
  ],
);

export type User = typeof users.$inferSelect;
export type ContestMember = typeof contestMembers.$inferSelect;
export type Contest = typeof contests.$inferSelect;
export type Round = typeof rounds.$inferSelect;
export type Question = typeof questions.$inferSelect;
export type QuestionReview = typeof questionReviews.$inferSelect;
export type Attempt = typeof attempts.$inferSelect;
export type Submission = typeof submissions.$inferSelect;
