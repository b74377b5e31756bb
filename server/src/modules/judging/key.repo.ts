import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { attempts, questions, roundQuestions, submissions, type StoredOption } from '../../../../db/schema/index';

/** A question with its answer key, as the public key and a resident's review show it. */
type KeyQuestion = { id: string; text: string; options: StoredOption[]; explanation: string | null; voidedAt: Date | null };
const keyColumns = { id: questions.id, text: questions.text, options: questions.options, explanation: questions.explanation, voidedAt: questions.voidedAt };

export async function answerKey(db: Db, roundId: string) {
  return db
    .select(keyColumns)
    .from(roundQuestions)
    .innerJoin(questions, eq(questions.id, roundQuestions.questionId))
    .where(eq(roundQuestions.roundId, roundId))
    .orderBy(asc(roundQuestions.position)) as Promise<KeyQuestion[]>;
}

/** An attempt with its submission, if any, for its owner's review. */
export async function attemptForReview(db: Db, attemptId: string) {
  const [row] = await db
    .select({
      userId: attempts.userId,
      roundId: attempts.roundId,
      attemptNo: attempts.attemptNo,
      seed: attempts.seed,
      questionIds: attempts.questionIds,
      choices: submissions.choices,
      score: submissions.score,
      total: submissions.total,
      prediction: submissions.prediction,
    })
    .from(attempts)
    .leftJoin(submissions, eq(submissions.attemptId, attempts.id))
    .where(eq(attempts.id, attemptId));
  return row;
}

/** Questions by id, with their key: those an attempt drew, wherever the pool stands now. */
export function keyOfQuestions(db: Db, ids: readonly string[]) {
  if (!ids.length) return Promise.resolve([] as KeyQuestion[]);
  return db
    .select(keyColumns)
    .from(questions)
    .where(inArray(questions.id, [...ids])) as Promise<KeyQuestion[]>;
}
