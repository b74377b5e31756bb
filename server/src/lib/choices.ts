import { createHash } from 'node:crypto';
import { MIN_ANSWERS_TO_COMPARE } from './fairplay';

/**
 * How a submission's answers are stored (issue #12, migration 0016): one byte per question
 * of the attempt, the questions taken in byte order of their ids (not in the order served),
 * each byte the index of the chosen option in the question's stored option list, 255 when
 * left unanswered. The sorted order makes a question's byte the same for every attempt of a
 * round that draws its whole pool, so a regrade or an item analysis reads one byte per row
 * without the attempt. Options of a question cannot change once it is in a round with
 * attempts (ROUND_LOCKED), so an index keeps naming the same option.
 *
 * The SQL twins (migration 0016: `submission_answers`, `answer_signature`) are held to
 * these functions by tests/lib/choices.test.ts.
 */
export const UNANSWERED = 255;

export interface ChosenAnswer {
  questionId: string;
  optionId: string;
}

/** The attempt's question ids in byte order (the stored order of the choices). */
export function storedOrder(questionIds: readonly string[]): string[] {
  return [...questionIds].sort(byteOrder);
}

/** Ids are ASCII (UUIDs), where code-unit order is byte order, as Postgres's COLLATE "C". */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Encodes graded answers (each question at most once, each option one of its question's)
 * as the stored bytes. `optionIndex` gives an option's index in its question's stored list.
 */
export function encodeChoices(
  questionIds: readonly string[],
  answers: readonly ChosenAnswer[],
  optionIndex: (questionId: string, optionId: string) => number,
): Buffer {
  const order = storedOrder(questionIds);
  const at = new Map(order.map((id, i) => [id, i]));
  const out = Buffer.alloc(order.length, UNANSWERED);
  for (const a of answers) {
    const i = at.get(a.questionId);
    const o = optionIndex(a.questionId, a.optionId);
    if (i === undefined || o < 0 || o >= UNANSWERED) throw new Error(`answer ${a.questionId}/${a.optionId} cannot be encoded`);
    out[i] = o;
  }
  return out;
}

/**
 * The answers back from the stored bytes, in the order the attempt served its questions,
 * unanswered ones left out. `optionIds` gives a question's stored option ids.
 */
export function decodeChoices(questionIds: readonly string[], choices: Uint8Array, optionIds: (questionId: string) => readonly string[]): ChosenAnswer[] {
  const order = storedOrder(questionIds);
  const byId = new Map(order.map((id, i) => [id, choices[i]]));
  const out: ChosenAnswer[] = [];
  for (const questionId of questionIds) {
    const c = byId.get(questionId);
    if (c === undefined || c === UNANSWERED) continue;
    const optionId = optionIds(questionId)[c];
    if (optionId !== undefined) out.push({ questionId, optionId });
  }
  return out;
}

/** The answers in the order the attempt served its questions. */
export function servedOrder(questionIds: readonly string[], answers: readonly ChosenAnswer[]): ChosenAnswer[] {
  const at = new Map(questionIds.map((id, i) => [id, i]));
  return [...answers].sort((a, b) => (at.get(a.questionId) ?? Infinity) - (at.get(b.questionId) ?? Infinity));
}

/**
 * What a submission stores of its graded answers: the choices and the fair-play signatures
 * over the answers in the order served. The attempts module writes exactly this.
 */
export function leanAnswers(
  questionIds: readonly string[],
  answers: readonly ChosenAnswer[],
  optionIndex: (questionId: string, optionId: string) => number,
): { choices: Buffer; answersSeq: bigint | null; answersSet: bigint | null } {
  const sig = answerSignatures(servedOrder(questionIds, answers));
  return { choices: encodeChoices(questionIds, answers, optionIndex), answersSeq: sig.seq, answersSet: sig.set };
}

/**
 * The fair-play signatures of a submission: `seq` over its answers in the order the attempt
 * served them (the order a resident went through), `set` over the same answers in question
 * id order. Both are the first 8 bytes of a SHA-256 as a signed 64-bit integer; null below
 * MIN_ANSWERS_TO_COMPARE answers.
 */
export function answerSignatures(servedAnswers: readonly ChosenAnswer[]): { seq: bigint | null; set: bigint | null } {
  if (servedAnswers.length < MIN_ANSWERS_TO_COMPARE) return { seq: null, set: null };
  const sorted = [...servedAnswers].sort((a, b) => byteOrder(a.questionId, b.questionId));
  return { seq: signature(servedAnswers), set: signature(sorted) };
}

/** Pairs joined as `question US option` with RS between pairs, hashed (SQL: answer_signature). */
export function signature(answers: readonly ChosenAnswer[]): bigint {
  const text = answers.map((a) => `${a.questionId}\u001f${a.optionId}`).join('\u001e');
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return digest.readBigInt64BE(0);
}
