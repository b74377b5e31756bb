import { gradeChoices, leanAnswers } from '../../lib/choices';
import { shuffleOptions } from '../../lib/draw';
import { badRequest, conflict, forbidden, unauthorized, type AppError } from '../../lib/errors';
import { describeProblem, grade } from '../../lib/scoring';
import type { AttemptQuestionEntry, CachedRound } from './attempts.cache';
import type { StartOutcome } from './attempts.repo';
import type { SubmitBody } from './attempts.schemas';

/** What a submission stores of its answers, graded. */
export interface GradedSubmission {
  score: number;
  total: number;
  choices: Buffer;
  answersSeq: bigint | null;
  answersSet: bigint | null;
}

/**
 * Grades a submit body against the attempt's questions. Choices of questions the round has
 * cached take the fast path (lib/choices.ts gradeChoices); the pairs, and anything the fast
 * path leaves (a 400 to explain, a question of an older pool), go through answersOf and grade.
 */
export async function gradeSubmission(
  body: SubmitBody,
  attempt: { questionIds: string[]; seed: number },
  round: CachedRound,
  questionsOf: () => Promise<Map<string, AttemptQuestionEntry>>,
): Promise<GradedSubmission> {
  return gradeByPosition(body, attempt, round) ?? gradeByQuestions(body, attempt, questionsOf);
}

/**
 * The general path: the attempt's questions with their keys (the round's, or loaded for an
 * older pool), the answers as pairs whichever form was sent, graded and encoded; every
 * INVALID_ANSWERS 400 is worded here.
 */
export async function gradeByQuestions(
  body: SubmitBody,
  attempt: { questionIds: string[]; seed: number },
  questionsOf: () => Promise<Map<string, AttemptQuestionEntry>>,
): Promise<GradedSubmission> {
  const questions = await questionsOf();
  const answers = answersOf(body, attempt, questions);
  const graded = grade(attempt.questionIds, answers, (id) => questions.get(id)?.key);
  if (!graded.ok) {
    const details = graded.problems.map(describeProblem);
    throw badRequest('INVALID_ANSWERS', `Invalid answers: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`.slice(0, 2000), details);
  }
  const lean = leanAnswers(attempt.questionIds, answers, (qid, oid) => questions.get(qid)?.q.options.findIndex((o) => o.id === oid) ?? -1);
  return { score: graded.score, total: graded.total, ...lean };
}

/**
 * The fast path alone, synchronous: the choices of a cached round's questions graded, or
 * null when gradeByQuestions has to decide (the pairs form, a 400 to explain, a question of
 * an older pool). The submit calls it first so that the usual submit awaits nothing here.
 */
export function gradeByPosition(body: SubmitBody, attempt: { questionIds: string[]; seed: number }, round: CachedRound): GradedSubmission | null {
  if (!body.choices || body.answers) return null;
  return gradeChoices(attempt.questionIds, attempt.seed, body.choices, (id) => round.plans.get(id));
}

/**
 * The answers of a submit in { questionId, optionId } form, whichever form was sent. A
 * choice is the position of the option as this attempt served it (its seed fixes the
 * order), so it names the same option a UUID pair would.
 */
export function answersOf(body: SubmitBody, attempt: { questionIds: string[]; seed: number }, questions: Map<string, { q: { options: { id: string }[] } }>) {
  if (body.answers && body.choices)
    throw badRequest('INVALID_ANSWERS', 'Send answers or choices, not both', [{ field: 'body', message: 'answers and choices' }]);
  if (body.answers) return body.answers;
  if (!body.choices)
    throw badRequest('VALIDATION_FAILED', 'Send answers (question and option ids) or choices (positions)', [{ field: 'body.answers', message: 'required' }]);
  const choices = body.choices;
  if (choices.length !== attempt.questionIds.length)
    throw badRequest('INVALID_ANSWERS', `choices must have one entry per question (${attempt.questionIds.length})`, [
      { field: 'body.choices', message: `length ${choices.length}, expected ${attempt.questionIds.length}` },
    ]);
  const answers: { questionId: string; optionId: string }[] = [];
  const problems: { field: string; message: string }[] = [];
  choices.forEach((pos, i) => {
    if (pos === null) return;
    const questionId = attempt.questionIds[i];
    const q = questions.get(questionId);
    const served = q ? shuffleOptions(q.q.options, attempt.seed, questionId) : [];
    if (pos < 0 || pos >= served.length)
      problems.push({ field: `body.choices.${i}`, message: `position ${pos} is not an option of this question (0..${served.length - 1})` });
    else answers.push({ questionId, optionId: served[pos].id });
  });
  if (problems.length)
    throw badRequest('INVALID_ANSWERS', `Invalid choices: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`.slice(0, 2000), problems);
  return answers;
}

/** Why the start function refused an attempt, as the client sees it. */
export function refusal(reason: Extract<StartOutcome, { kind: 'refused' }>['reason'], maxAttempts: number): AppError {
  switch (reason) {
    case 'unknown_user':
      return unauthorized('This account no longer exists');
    case 'not_resident':
      return forbidden('NOT_ELIGIBLE', 'Only residents take part in rounds');
    case 'excluded':
      return forbidden('NOT_ELIGIBLE', 'This account may not take part in this contest');
    case 'not_open':
      return conflict('ROUND_NOT_OPEN', 'This round is not open');
    case 'exhausted':
      return conflict('ATTEMPTS_EXHAUSTED', `All ${maxAttempts} attempts of this round are used`);
  }
}
