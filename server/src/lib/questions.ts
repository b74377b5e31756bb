import { randomUUID } from 'node:crypto';
import { cleanText, compareKey } from './identity';

export interface QuestionInput {
  text: string;
  options: { text: string; correct: boolean }[];
  topic?: string | null;
  explanation?: string | null;
}

export interface QuestionProblem {
  field: string;
  message: string;
}

/** The rules of a question (API.md questionInput), shared by the JSON routes and the spreadsheet import. */
export function questionProblems(q: QuestionInput): QuestionProblem[] {
  const problems: QuestionProblem[] = [];
  if (!q.text || cleanText(q.text).length === 0) problems.push({ field: 'text', message: 'question text is empty' });
  if (q.options.length < 3 || q.options.length > 4) problems.push({ field: 'options', message: 'a question needs 3 or 4 options' });
  const correct = q.options.filter((o) => o.correct).length;
  if (correct !== 1) problems.push({ field: 'options', message: `exactly one option must be correct (found ${correct})` });
  const seen = new Set<string>();
  // The first ten options' texts at most: past that the count is the problem to fix, and an
  // API body of thousands of options must not answer thousands of details.
  q.options.slice(0, 10).forEach((o, i) => {
    const t = compareKey(o.text);
    if (!t) problems.push({ field: `options.${i}.text`, message: 'option text is empty' });
    else if (seen.has(t)) problems.push({ field: `options.${i}.text`, message: 'two options have the same text' });
    seen.add(t);
  });
  return problems;
}

/** Gives options fresh random ids: never ordered by position or correctness. */
export function withOptionIds(options: { text: string; correct: boolean }[]) {
  return options.map((o) => ({ id: randomUUID(), text: cleanText(o.text), correct: o.correct }));
}

/** Key for spotting the same question twice (within a file, or against the bank). */
export function questionKey(text: string): string {
  return compareKey(text);
}
