import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../db/client';
import { answerSignatures, encodeChoices } from '../../server/src/lib/choices';
import {
  attempts,
  disqualifications,
  exclusions,
  localities,
  questions,
  roundResultRows,
  rounds,
  roundResults,
  submissions,
  units,
  type Round,
  type StoredAnswer,
} from '../../db/schema/index';
import { makeRound } from './factories';

const HOUR = 3_600_000;

/** A round that closed an hour ago, ready to be finalized. */
export function makeClosedRound(db: Db, contestId: string, overrides: Partial<Round> = {}, poolSize?: number) {
  const now = Date.now();
  return makeRound(db, contestId, { opensAt: new Date(now - 48 * HOUR), closesAt: new Date(now - HOUR), maxAttempts: 10, ...overrides }, poolSize);
}

export interface SubmissionSpec {
  score: number;
  total?: number;
  prediction?: number;
  durationMs?: number;
  submittedAt?: Date;
  attemptNo?: number;
  attemptId?: string;
  /** The answers, in the order the attempt served its questions. */
  answers?: StoredAnswer[];
  /**
   * The questions the attempt drew, in the order served (default: those of the answers, in
   * their order). Choices are stored for the questions that exist; the fair-play signatures
   * cover every answer, so made-up question ids still compare.
   */
  questionIds?: string[];
  clientIp?: string | null;
  deviceId?: string | null;
}

/**
 * A submitted attempt written straight to the database (attempt + submission), the way
 * the attempts module stores one, without going through start/submit.
 */
export async function makeSubmission(db: Db, round: Round, userId: string, spec: SubmissionSpec) {
  const total = spec.total ?? round.questionCount;
  const durationMs = spec.durationMs ?? 60_000;
  const submittedAt = spec.submittedAt ?? new Date(round.closesAt.getTime() - 2 * HOUR);
  const startedAt = new Date(submittedAt.getTime() - durationMs);
  const deadline = new Date(submittedAt.getTime() + 1000);
  let attemptNo = spec.attemptNo;
  if (attemptNo === undefined) {
    const [r] = await db
      .select({ n: sql<number>`coalesce(max(${attempts.attemptNo}), 0)::int` })
      .from(attempts)
      .where(and(eq(attempts.roundId, round.id), eq(attempts.userId, userId)));
    attemptNo = (r?.n ?? 0) + 1;
  }
  const [attempt] = await db
    .insert(attempts)
    .values({
      id: spec.attemptId ?? randomUUID(),
      roundId: round.id,
      userId,
      attemptNo,
      maxAttempts: round.maxAttempts,
      seed: 1,
      questionIds: spec.questionIds ?? (spec.answers ?? []).map((a) => a.questionId),
      startedAt,
      deadline,
    })
    .returning();
  const [submission] = await db
    .insert(submissions)
    .values({
      attemptId: attempt.id,
      roundId: round.id,
      userId,
      attemptNo: attempt.attemptNo,
      ...(await leanAnswers(db, attempt.questionIds, spec.answers ?? [])),
      prediction: spec.prediction ?? 0,
      score: spec.score,
      total,
      deadline,
      submittedAt,
      durationMs,
      clientIp: spec.clientIp ?? null,
      deviceId: spec.deviceId ?? null,
    })
    .returning();
  return { attempt, submission };
}

/** The stored form of answers (lib/choices.ts), as the attempts module writes it. */
async function leanAnswers(db: Db, questionIds: string[], answers: StoredAnswer[]) {
  const rows = questionIds.length
    ? await db.select({ id: questions.id, options: questions.options }).from(questions).where(inArray(questions.id, questionIds))
    : [];
  const options = new Map(rows.map((r) => [r.id, r.options.map((o) => o.id)]));
  const known = answers.filter((a) => options.get(a.questionId)?.includes(a.optionId));
  const choices = encodeChoices(questionIds, known, (q, o) => options.get(q)!.indexOf(o));
  const sig = answerSignatures(answers);
  return { choices, answersSeq: sig.seq, answersSet: sig.set };
}

/** A submission's answers read back from its stored choices (SQL twin of lib/choices.ts decodeChoices). */
export async function storedAnswers(db: Db, attemptId: string): Promise<StoredAnswer[]> {
  const rows = await rawRows<{ answers: StoredAnswer[] }>(
    db,
    sql`select submission_answers(a.question_ids, s.choices) as answers from submissions s join attempts a on a.id = s.attempt_id where s.attempt_id = ${attemptId}`,
  );
  if (!rows[0]) throw new Error(`no submission for attempt ${attemptId}`);
  return rows[0].answers;
}

/** A first attempt, the only one allowed, over the whole pool, with the times given: not submitted. */
export async function makeTimedAttempt(db: Db, roundId: string, userId: string, pool: { id: string }[], times: { startedAt: Date; deadline: Date }, seed = 1) {
  const [attempt] = await db
    .insert(attempts)
    .values({ roundId, userId, attemptNo: 1, maxAttempts: 1, seed, questionIds: pool.map((q) => q.id), ...times })
    .returning();
  return attempt;
}

/** An attempt started and never submitted. */
export async function makeOpenAttempt(db: Db, round: Round, userId: string, attemptNo = 1) {
  const startedAt = new Date(round.closesAt.getTime() - 2 * HOUR);
  const [attempt] = await db
    .insert(attempts)
    .values({
      roundId: round.id,
      userId,
      attemptNo,
      maxAttempts: round.maxAttempts,
      seed: 1,
      questionIds: [],
      startedAt,
      deadline: new Date(startedAt.getTime() + 600_000),
    })
    .returning();
  return attempt;
}

export async function makeExclusion(db: Db, contestId: string, entry: { nationalId?: string | null; phone?: string | null; note?: string }) {
  const [row] = await db
    .insert(exclusions)
    .values({ contestId, nationalId: entry.nationalId ?? null, phone: entry.phone ?? null, note: entry.note ?? null })
    .returning();
  return row;
}

export async function makeDisqualification(db: Db, roundId: string, userId: string, reason = 'Gian lận') {
  const [row] = await db.insert(disqualifications).values({ roundId, userId, reason }).returning();
  return row;
}

export async function makeLocality(db: Db, contestId: string, name: string, headcount: number | null = null) {
  const [row] = await db.insert(localities).values({ contestId, name, headcount }).returning();
  return row;
}

export async function makeUnit(db: Db, contestId: string, name: string, headcount: number | null = null) {
  const [row] = await db.insert(units).values({ contestId, name, headcount }).returning();
  return row;
}

/**
 * Stored results for a round in which `winners` took a prize, as an earlier finalize
 * would have left them (only what the onePrizePerPerson rule reads).
 */
export async function makePriorWinners(db: Db, round: Round, winners: string[]) {
  await db
    .insert(roundResults)
    .values({ roundId: round.id, actualCount: 0, participants: winners.length, ranked: winners.length, checksum: 'x', finalizedAt: new Date() });
  if (winners.length === 0) return;
  await db.insert(roundResultRows).values(
    winners.map((userId, i) => ({
      roundId: round.id,
      position: i + 1,
      rank: i + 1,
      prize: 'Giải Nhất',
      userId,
      attemptId: randomUUID(),
      attemptNo: 1,
      score: 1,
      total: 1,
      prediction: 0,
      predictionError: 0,
      durationMs: 1,
      submittedAt: new Date(),
      eligible: true,
    })),
  );
  await db.execute(sql`update rounds set finalized_at = now() where id = ${round.id}`);
}

/**
 * Moves a round and its running attempts `ms` into the past, as if that much time had
 * gone by (a submitted attempt's deadline is pinned by its submission, and no longer counts).
 */
export async function ageRound(db: Db, roundId: string, ms: number) {
  const shift = sql`make_interval(secs => ${ms / 1000}::float8)`;
  await db
    .update(rounds)
    .set({ opensAt: sql`${rounds.opensAt} - ${shift}`, closesAt: sql`${rounds.closesAt} - ${shift}` })
    .where(eq(rounds.id, roundId));
  await db
    .update(attempts)
    .set({ startedAt: sql`${attempts.startedAt} - ${shift}`, deadline: sql`${attempts.deadline} - ${shift}` })
    .where(sql`${attempts.roundId} = ${roundId} and not exists (select 1 from submissions s where s.attempt_id = ${attempts.id})`);
}
