import { hash } from 'node:crypto';
import { mixSeed, shuffleInPlace } from './draw';
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
  return signatureOfText(answers.map((a) => pairText(a.questionId, a.optionId)).join(PAIR_SEPARATOR));
}

const PAIR_SEPARATOR = '\u001e';
const pairText = (questionId: string, optionId: string) => `${questionId}\u001f${optionId}`;

function signatureOfText(text: string | Uint8Array): bigint {
  return (hash('sha256', text, 'buffer') as unknown as Buffer).readBigInt64BE(0);
}

/**
 * A question as the submit's fast path grades a choice (one per question of a cached round):
 * what the seed shuffles, the key, and the signature's pieces, all by stored option index.
 */
export interface ChoicePlan {
  /** Stored option indexes in option id order: what an attempt's seed shuffles (draw.ts shuffleOptions). */
  idOrder: Uint8Array;
  /** Stored index of the correct option, -1 when none is marked. */
  correct: number;
  voided: boolean;
  /** `question US option` for each stored option, as UTF-8. */
  pairs: Buffer[];
}

/** The plan of a question; null when it cannot be stored as bytes (255 options or more). */
export function choicePlan(question: { id: string; options: readonly { id: string; correct?: boolean }[]; voided: boolean }): ChoicePlan | null {
  const { id, options } = question;
  if (options.length >= UNANSWERED) return null;
  const idOrder = Uint8Array.from(options.map((_, i) => i).sort((a, b) => byteOrder(options[a].id, options[b].id)));
  return { idOrder, correct: options.findIndex((o) => o.correct), voided: question.voided, pairs: options.map((o) => Buffer.from(pairText(id, o.id), 'utf8')) };
}

// Scratch space of the fast path (synchronous, so one per process is enough).
const optionScratch = new Uint8Array(UNANSWERED);
let rankScratch = new Uint16Array(256);
let storedScratch = new Uint8Array(256);
/** The answered questions' pairs by served position, for the set text (no second plan lookup). */
const pairScratch: Buffer[] = [];
let textScratch = Buffer.allocUnsafe(32 * 1024);
const RS = PAIR_SEPARATOR.charCodeAt(0);

/** Writes `pair` at `end` of textScratch (after RS when `separated`), growing it if need be; the new end. */
function appendPair(pair: Buffer, end: number, separated: boolean): number {
  if (end + pair.length + 1 > textScratch.length) {
    const bigger = Buffer.allocUnsafe(2 * (end + pair.length + 1));
    textScratch.copy(bigger, 0, 0, end);
    textScratch = bigger;
  }
  if (separated) textScratch[end++] = RS;
  textScratch.set(pair, end);
  return end + pair.length;
}

/**
 * Grades a submit by position and encodes it as stored, in one pass over the attempt's
 * questions: the same score, bytes and signatures as the pairs path (answersOf, grade,
 * leanAnswers; tests/lib/choices.test.ts holds them equal) without building the pairs.
 * Null when anything needs the slow path's care: a length or a position out of range (its
 * 400s), or a question without a plan (drawn from an older pool).
 */
export function gradeChoices(
  questionIds: readonly string[],
  seed: number,
  choices: readonly (number | null)[],
  plan: (questionId: string) => ChoicePlan | undefined,
): { score: number; total: number; choices: Buffer; answersSeq: bigint | null; answersSet: bigint | null } | null {
  const n = questionIds.length;
  if (choices.length !== n) return null;
  if (rankScratch.length < n) rankScratch = new Uint16Array(n);
  // order[j] = the served position of the j-th question in byte order (insertion sort: n ≤ 200).
  const order = rankScratch;
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j > 0 && questionIds[order[j - 1]] > questionIds[i]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  if (storedScratch.length < n) storedScratch = new Uint8Array(n);
  const stored = storedScratch; // by served position
  // The signatures' texts as UTF-8, seq then set, in textScratch (no strings built).
  let end = 0;
  let score = 0;
  let answered = 0;
  for (let i = 0; i < n; i++) {
    const qid = questionIds[i];
    const p = plan(qid);
    if (!p) return null;
    const c = choices[i];
    stored[i] = UNANSWERED;
    if (c === null) {
      if (p.voided) score++;
      continue;
    }
    const k = p.idOrder.length;
    if (!Number.isInteger(c) || c < 0 || c >= k) return null;
    optionScratch.set(p.idOrder);
    shuffleInPlace(optionScratch, k, mixSeed(seed, qid));
    const o = optionScratch[c];
    stored[i] = o;
    if (p.voided || o === p.correct) score++;
    answered++;
    pairScratch[i] = p.pairs[o];
    end = appendPair(pairScratch[i], end, end > 0);
  }
  const seqEnd = end;
  const bytes = Buffer.allocUnsafe(n);
  for (let j = 0; j < n; j++) {
    const i = order[j];
    const o = stored[i];
    bytes[j] = o;
    if (o === UNANSWERED) continue;
    end = appendPair(pairScratch[i], end, end > seqEnd);
  }
  const text = textScratch;
  const compared = answered >= MIN_ANSWERS_TO_COMPARE;
  return {
    score,
    total: n,
    choices: bytes,
    answersSeq: compared ? signatureOfText(text.subarray(0, seqEnd)) : null,
    answersSet: compared ? signatureOfText(text.subarray(seqEnd, end)) : null,
  };
}
