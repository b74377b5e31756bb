// What a running attempt keeps in the browser, so a reload, a closed tab or a dropped
// connection resumes the same attempt with the same answers. Pure: tests drive it.
import type { KeyValueStore } from '../api';
import type { AttemptResult, StartedAttempt } from '../types';

export interface SavedAttempt {
  v: 1;
  userId: string;
  roundId: string;
  attempt: StartedAttempt;
  /** questionId -> optionId */
  answers: Record<string, string>;
  /** Kept as typed until submit (predictionProblem and parsePrediction read it). */
  prediction: string;
  /** The prediction the last submit sent (0 when the time ran out on an empty or unreadable field). */
  sentPrediction?: number | null;
  /** 0..n-1 questions, n the prediction step, n+1 the review. */
  step: number;
  /** Set when the user pressed submit: a reload carries on submitting instead of reopening the quiz. */
  submitRequested: boolean;
  result: AttemptResult | null;
  savedAt: number;
}

export interface SubmitBody {
  choices: (number | null)[];
  prediction: number;
}

export const PREDICTION_MAX = 100_000_000;
/** What the prediction field keeps of what is typed or pasted. */
export const PREDICTION_INPUT_MAX = 40;

export const attemptKey = (userId: string, roundId: string) => `ttt.attempt.${userId}.${roundId}`;

function isStartedAttempt(a: unknown): a is StartedAttempt {
  const x = a as StartedAttempt;
  return (
    !!x &&
    typeof x.attemptId === 'string' &&
    typeof x.deadline === 'string' &&
    Array.isArray(x.questions) &&
    x.questions.every((q) => q && typeof q.id === 'string' && Array.isArray(q.options))
  );
}

/** Keeps only answers that name a question of the attempt and one of its options. */
export function cleanAnswers(attempt: StartedAttempt, answers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!answers || typeof answers !== 'object') return out;
  for (const q of attempt.questions) {
    const a = (answers as Record<string, unknown>)[q.id];
    if (typeof a === 'string' && q.options.some((o) => o.id === a)) out[q.id] = a;
  }
  return out;
}

export function loadSaved(storage: KeyValueStore | null, userId: string, roundId: string): SavedAttempt | null {
  if (!storage) return null;
  let raw: string | null;
  try {
    raw = storage.getItem(attemptKey(userId, roundId));
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<SavedAttempt>;
    if (s.v !== 1 || s.userId !== userId || s.roundId !== roundId || !isStartedAttempt(s.attempt)) return null;
    const n = s.attempt.questions.length;
    return {
      v: 1,
      userId,
      roundId,
      attempt: s.attempt,
      answers: cleanAnswers(s.attempt, s.answers),
      prediction: typeof s.prediction === 'string' ? s.prediction.slice(0, PREDICTION_INPUT_MAX) : '',
      sentPrediction: typeof s.sentPrediction === 'number' && Number.isInteger(s.sentPrediction) ? s.sentPrediction : null,
      step: Number.isInteger(s.step) ? Math.min(Math.max(0, s.step as number), n + 1) : 0,
      submitRequested: s.submitRequested === true,
      result: s.result && typeof s.result === 'object' && s.result.attemptId === s.attempt.attemptId ? s.result : null,
      savedAt: typeof s.savedAt === 'number' ? s.savedAt : 0,
    };
  } catch {
    return null;
  }
}

export function save(storage: KeyValueStore | null, s: SavedAttempt, now = Date.now()): boolean {
  if (!storage) return false;
  try {
    storage.setItem(attemptKey(s.userId, s.roundId), JSON.stringify({ ...s, savedAt: now }));
    return true;
  } catch {
    // Quota or private mode: the attempt still works, only without resume.
    return false;
  }
}

export function clear(storage: KeyValueStore | null, userId: string, roundId: string) {
  try {
    storage?.removeItem(attemptKey(userId, roundId));
  } catch {
    /* nothing to do */
  }
}

/**
 * Joins what the server says is running with what the browser kept: the same attempt keeps its
 * answers and place; another attempt (a new one, or the old one expired) starts clean.
 */
export function merge(saved: SavedAttempt | null, userId: string, roundId: string, attempt: StartedAttempt): SavedAttempt {
  if (saved && saved.attempt.attemptId === attempt.attemptId) {
    return { ...saved, attempt, answers: cleanAnswers(attempt, saved.answers), step: Math.min(saved.step, attempt.questions.length + 1) };
  }
  return { v: 1, userId, roundId, attempt, answers: {}, prediction: '', sentPrediction: null, step: 0, submitRequested: false, result: null, savedAt: 0 };
}

/**
 * What is wrong with a typed prediction, if anything: a whole number, written as digits
 * ("4200", full-width digits too) or in groups of three with one kind of separator, as people
 * write thousands ("4.200", "4,200", "4 200"); no sign, no decimals, no exponent.
 */
export function predictionProblem(p: string): 'missing' | 'format' | 'range' | null {
  const s = p.normalize('NFKC').trim();
  if (!s) return 'missing';
  if (!/^[0-9]+$/.test(s) && !/^[0-9]{1,3}([., ])[0-9]{3}(?:\1[0-9]{3})*$/.test(s)) return 'format';
  const digits = s.replace(/[^0-9]/g, '');
  return digits.replace(/^0+(?=.)/, '').length > 9 || Number(digits) > PREDICTION_MAX ? 'range' : null;
}

export function parsePrediction(p: string): number | null {
  return predictionProblem(p) ? null : Number(p.normalize('NFKC').replace(/[^0-9]/g, ''));
}

/**
 * The submit body by position (API.md v1.1): one entry per question in the order served,
 * the chosen option's position as served, null when unanswered — a few bytes where the
 * id pairs took over a kilobyte on a phone's link.
 */
export function submitBody(s: SavedAttempt): SubmitBody {
  return {
    choices: s.attempt.questions.map((q) => {
      const at = q.options.findIndex((o) => o.id === s.answers[q.id]);
      return at >= 0 ? at : null;
    }),
    prediction: parsePrediction(s.prediction) ?? 0,
  };
}

export const answeredCount = (s: SavedAttempt) => s.attempt.questions.reduce((n, q) => n + (s.answers[q.id] ? 1 : 0), 0);
