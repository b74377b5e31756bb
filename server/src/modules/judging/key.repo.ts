import { asc, eq, inArray, sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
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

/**
 * Of these questions, those also in the pool of another round of the contest that is not
 * sealed yet (not finalized, and a submission could still be accepted there): showing their
 * key now would answer that round's questions (API.md v1.1: nothing public or
 * resident-facing reveals correctness before a round is sealed). Rounds that have not closed
 * yet are taken as unsealed without asking round_sealed_at().
 */
export async function withheldQuestionIds(db: Db, roundId: string, questionIds: readonly string[], graceMs: number, now: Date): Promise<Set<string>> {
  if (!questionIds.length) return new Set();
  const at = now.toISOString();
  const rows = await rawRows<{ question_id: string }>(
    db,
    sql`
      with unsealed as (
        select r.id from rounds r
        where r.contest_id = (select contest_id from rounds where id = ${roundId})
          and r.id <> ${roundId}
          and r.finalized_at is null
          and case when r.closes_at + make_interval(secs => ${graceMs}::int / 1000.0) > ${at}::timestamptz then true
                   else round_sealed_at(r.id, ${graceMs}::int) > ${at}::timestamptz end
      )
      select distinct rq.question_id from round_questions rq join unsealed u on u.id = rq.round_id
      where rq.question_id in (${sql.join(
        questionIds.map((id) => sql`${id}`),
        sql`, `,
      )})`,
  );
  return new Set(rows.map((r) => String(r.question_id)));
}
