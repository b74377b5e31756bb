import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { questions, roundQuestions, type StoredOption } from '../../../../db/schema/index';

export async function answerKey(db: Db, roundId: string) {
  return db
    .select({ id: questions.id, text: questions.text, options: questions.options, explanation: questions.explanation, voidedAt: questions.voidedAt })
    .from(roundQuestions)
    .innerJoin(questions, eq(questions.id, roundQuestions.questionId))
    .where(eq(roundQuestions.roundId, roundId))
    .orderBy(asc(roundQuestions.position)) as Promise<
    { id: string; text: string; options: StoredOption[]; explanation: string | null; voidedAt: Date | null }[]
  >;
}
