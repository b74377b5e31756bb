// Fair-play signals for the judges, as plain functions. The judging module computes the
// same flags in SQL at finalize (answer lists reduced to 64-bit hashes where they are
// stored); this is the reference its tests hold the SQL to. A flag is a signal, never a verdict: it changes no
// rank and no prize; a judge who is convinced disqualifies.

import { isAllCorrect } from './ranking';

/** Stable names, in the order they are listed on a row. */
export const FAIRPLAY_FLAGS = ['too_fast', 'same_answers_same_order', 'answer_farm', 'same_device_or_address'] as const;
export type FairplayFlag = (typeof FAIRPLAY_FLAGS)[number];

/** A round's `minMsPerQuestion` when the organizer left it empty: 1.5 s to read a question and its options. */
export const DEFAULT_MIN_MS_PER_QUESTION = 1500;
/** Shorter answer lists are too common to mean anything when they match. */
export const MIN_ANSWERS_TO_COMPARE = 5;
/** Accounts with the same answer set and near-identical predictions that make a farm. */
export const FARM_MIN_ACCOUNTS = 3;
/**
 * Other accounts, with the same answer set and a near-identical prediction, that make a
 * shared device suspect (one is enough: a phone is one person's) and a shared address
 * (two: offices and mobile carriers put many residents behind one address).
 */
export const SAME_DEVICE_MIN_OTHERS = 1;
export const SAME_ADDRESS_MIN_OTHERS = 2;

export interface FairplayAnswer {
  questionId: string;
  optionId: string;
}

export interface FairplaySubmission {
  attemptId: string;
  userId: string;
  /** In the order the attempt served its questions (the stored order of lib/choices.ts signatures). */
  answers: readonly FairplayAnswer[];
  prediction: number;
  durationMs: number;
  /** Correct answers, as ranked. */
  score: number;
  /** Questions in the attempt. */
  total: number;
  /** Where the submission came from (absent when unknown). */
  clientIp?: string | null;
  deviceId?: string | null;
}

export function effectiveMinMsPerQuestion(minMsPerQuestion: number | null | undefined): number {
  return minMsPerQuestion ?? DEFAULT_MIN_MS_PER_QUESTION;
}

/** durationMs / total < minimum, in integers (no rounding at the boundary). */
export function isTooFast(durationMs: number, total: number, minMsPerQuestion: number): boolean {
  return total > 0 && durationMs < minMsPerQuestion * total;
}

/**
 * Two predictions are near-identical when they differ by at most 1% of the larger one or
 * by 2, whichever is larger: 100·(b − a) ≤ max(200, b) for a ≤ b (integers, exact).
 */
export function predictionsNear(a: number, b: number): boolean {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return 100 * (hi - lo) <= Math.max(200, hi);
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The answers in the client's order. */
export function sequenceKey(answers: readonly FairplayAnswer[]): string {
  return JSON.stringify(answers.map((a) => [a.questionId, a.optionId]));
}

/** The answers as a question → option map, whatever the order they were sent in. */
export function setKey(answers: readonly FairplayAnswer[]): string {
  const pairs = answers.map((a) => [a.questionId, a.optionId] as const);
  pairs.sort((x, y) => byteOrder(x[0], y[0]) || byteOrder(x[1], y[1]));
  return JSON.stringify(pairs);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Members of a group with the same answer set whose predictions, sorted, fall in a window
 * of near-identical values holding at least FARM_MIN_ACCOUNTS distinct accounts. The
 * window is tight from its lowest value (predictionsNear(low, high)), and nearness only
 * grows harder as the high end moves up, so one forward scan per low end finds it.
 */
function farmMembers(group: readonly FairplaySubmission[]): Set<string> {
  const sorted = [...group].sort((a, b) => a.prediction - b.prediction);
  const members = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    const users = new Set<string>();
    let j = i;
    while (j < sorted.length && predictionsNear(sorted[i].prediction, sorted[j].prediction)) users.add(sorted[j++].userId);
    if (users.size >= FARM_MIN_ACCOUNTS) for (let k = i; k < j; k++) members.add(sorted[k].attemptId);
  }
  return members;
}

/**
 * The flags of the given submissions, by attemptId, each compared with those of the other
 * accounts among them. Finalize gives each participant's ranked attempt (the one on their
 * row), so a row's flags say how that attempt compares with the other rows' attempts:
 * - `too_fast`: durationMs / total below the round's minimum per question;
 * - `same_answers_same_order`: another account chose the same (questionId, optionId)
 *   pairs, with a wrong answer at least (isAllCorrect), its questions served in the same
 *   order (`answers` are in the order served; questions are shuffled per attempt);
 * - `answer_farm`: at least FARM_MIN_ACCOUNTS accounts sent the same answer set (in any
 *   order), with a wrong answer at least (isAllCorrect), and near-identical predictions;
 * - `same_device_or_address`: the same answer set with a near-identical prediction as
 *   SAME_DEVICE_MIN_OTHERS other account from the same device (any set: a phone is one
 *   person's), or as SAME_ADDRESS_MIN_OTHERS other accounts from the same address (a set
 *   with a wrong answer at least: an office whose staff all know the answers shares one
 *   address and one set).
 * Answer lists shorter than MIN_ANSWERS_TO_COMPARE are never compared.
 */
export function fairplayFlags(submissions: readonly FairplaySubmission[], minMsPerQuestion: number | null | undefined): Map<string, FairplayFlag[]> {
  const minMs = effectiveMinMsPerQuestion(minMsPerQuestion);
  const comparable = submissions.filter((s) => s.answers.length >= MIN_ANSWERS_TO_COMPARE);

  // A set with every answer right (ranking.ts isAllCorrect, the actual count's own test) is
  // no evidence of copying: where every attempt gets the same questions, everyone who knows
  // the answers sends it, and the prize winners, right and predicting close to the actual
  // count by the ranking's design, would all look like a farm (on the 1M finalize bench
  // 57,691 of 57,755 all-correct rows were). Nor is the order it was served in: the server
  // shuffles it, so two all-correct attempts share one by chance, often where a round draws
  // few questions (10 of 10: 10! orders, and 966 of 60,000 all-correct rows of 300,000
  // shared one in a simulation). Copying shows in the wrong answers accounts share: the
  // order, farm and address signals compare only sets with one at least.
  const withWrong = comparable.filter((s) => !isAllCorrect(s));

  const sameOrder = new Set<string>();
  for (const group of groupBy(withWrong, (s) => sequenceKey(s.answers)).values()) {
    if (new Set(group.map((s) => s.userId)).size >= 2) for (const s of group) sameOrder.add(s.attemptId);
  }

  const farm = new Set<string>();
  for (const group of groupBy(withWrong, (s) => setKey(s.answers)).values()) {
    if (new Set(group.map((s) => s.userId)).size < FARM_MIN_ACCOUNTS) continue;
    for (const id of farmMembers(group)) farm.add(id);
  }

  const shared = new Set<string>();
  for (const group of groupBy(comparable, (s) => setKey(s.answers)).values()) {
    if (group.length < 2) continue;
    for (const s of group) {
      const near = group.filter((o) => o.userId !== s.userId && predictionsNear(s.prediction, o.prediction));
      const sameDevice = new Set(near.filter((o) => s.deviceId && o.deviceId === s.deviceId).map((o) => o.userId));
      const sameAddress = new Set(near.filter((o) => s.clientIp && o.clientIp === s.clientIp && !isAllCorrect(s) && !isAllCorrect(o)).map((o) => o.userId));
      if (sameDevice.size >= SAME_DEVICE_MIN_OTHERS || sameAddress.size >= SAME_ADDRESS_MIN_OTHERS) shared.add(s.attemptId);
    }
  }

  const flags = new Map<string, FairplayFlag[]>();
  for (const s of submissions) {
    const f: FairplayFlag[] = [];
    if (isTooFast(s.durationMs, s.total, minMs)) f.push('too_fast');
    if (sameOrder.has(s.attemptId)) f.push('same_answers_same_order');
    if (farm.has(s.attemptId)) f.push('answer_farm');
    if (shared.has(s.attemptId)) f.push('same_device_or_address');
    flags.set(s.attemptId, f);
  }
  return flags;
}
