/** The answer key of one question: the option ids it has and the correct one. */
export interface KeyEntry {
  optionIds: ReadonlySet<string>;
  correctOptionId: string;
  /** Voided by a correction: counts as correct for every attempt that drew it, answered or not. */
  voided?: boolean;
}

export interface Answer {
  questionId: string;
  optionId: string;
}

export type AnswerProblem =
  | { kind: 'not_in_attempt'; index: number; questionId: string }
  | { kind: 'repeated'; index: number; questionId: string }
  | { kind: 'foreign_option'; index: number; questionId: string; optionId: string };

export type GradeResult = { ok: true; score: number; total: number } | { ok: false; problems: AnswerProblem[] };

/**
 * Checks the answers against the attempt's questions and grades them. Questions left out
 * score 0, unless voided. Every problem is reported, so a client sees all of them at once.
 */
export function grade(questionIds: readonly string[], answers: readonly Answer[], key: (questionId: string) => KeyEntry | undefined): GradeResult {
  const inAttempt = new Set(questionIds);
  const seen = new Set<string>();
  const problems: AnswerProblem[] = [];
  let score = 0;
  for (let i = 0; i < answers.length; i++) {
    const { questionId, optionId } = answers[i];
    if (!inAttempt.has(questionId)) {
      problems.push({ kind: 'not_in_attempt', index: i, questionId });
      continue;
    }
    if (seen.has(questionId)) {
      problems.push({ kind: 'repeated', index: i, questionId });
      continue;
    }
    seen.add(questionId);
    const k = key(questionId);
    if (!k || !k.optionIds.has(optionId)) {
      problems.push({ kind: 'foreign_option', index: i, questionId, optionId });
      continue;
    }
    if (k.voided || k.correctOptionId === optionId) score++;
  }
  if (problems.length) return { ok: false, problems };
  for (const id of inAttempt) if (!seen.has(id) && key(id)?.voided) score++;
  return { ok: true, score, total: questionIds.length };
}

export function describeProblem(p: AnswerProblem): { field: string; message: string } {
  const field = `body.answers.${p.index}`;
  switch (p.kind) {
    case 'not_in_attempt':
      return { field: `${field}.questionId`, message: 'question is not part of this attempt' };
    case 'repeated':
      return { field: `${field}.questionId`, message: 'question answered more than once' };
    case 'foreign_option':
      return { field: `${field}.optionId`, message: 'option does not belong to this question' };
  }
}
