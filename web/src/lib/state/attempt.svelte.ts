/// <reference types="svelte" />
import { backoffMs, isRetryable, type Api, ApiError, type KeyValueStore } from '../api';
import { submit as submitAttempt } from '../api/attempts';
import type { AttemptResult } from '../types';
import { answeredCount, clear, parsePrediction, PREDICTION_INPUT_MAX, predictionProblem, save, submitBody, type SavedAttempt } from './attempt-storage';

function defaultStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Waits `ms`, or less if the browser says the network is back. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (typeof window !== 'undefined') window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (typeof window !== 'undefined') window.addEventListener('online', done);
  });
}

/** One running attempt: answers and place saved on every change, submit retried until the server answers. */
export class AttemptState {
  s = $state() as SavedAttempt;
  submitting = $state(false);
  /** Failed tries of the current submit (network or 5xx), shown to the user while retrying. */
  retries = $state(0);
  failure = $state<ApiError | null>(null);

  readonly total: number;
  answered = $derived(answeredCount(this.s));
  predictionValue = $derived(parsePrediction(this.s.prediction));
  predictionProblem = $derived(predictionProblem(this.s.prediction));

  constructor(
    saved: SavedAttempt,
    private storage: KeyValueStore | null = defaultStorage(),
  ) {
    this.s = saved;
    this.total = saved.attempt.questions.length;
    this.persist();
  }

  get attempt() {
    return this.s.attempt;
  }
  get result(): AttemptResult | null {
    return this.s.result;
  }
  get locked(): boolean {
    return this.submitting || this.s.submitRequested || this.s.result !== null;
  }
  /** The server will not take this attempt any more (its time is over, or it is gone): nothing to retry. */
  get ended(): boolean {
    return this.failure !== null && (this.failure.code === 'DEADLINE_PASSED' || this.failure.status === 404);
  }
  get predictionStep() {
    return this.total;
  }
  get reviewStep() {
    return this.total + 1;
  }

  persist() {
    save(this.storage, $state.snapshot(this.s) as SavedAttempt);
  }

  choose(questionId: string, optionId: string) {
    if (this.locked) return;
    this.s.answers[questionId] = optionId;
    this.persist();
  }

  /** Kept as typed: a number the field cannot read is said, not silently changed ("1e3" is not 13). */
  setPrediction(value: string) {
    if (this.locked) return;
    this.s.prediction = value.slice(0, PREDICTION_INPUT_MAX);
    this.persist();
  }

  /**
   * The server moved this attempt's deadline (an organizer's extra time, or the round closed
   * early): the countdown follows. Saved, so a reload keeps it.
   */
  adoptDeadline(deadline: string) {
    if (this.locked || deadline === this.s.attempt.deadline || Number.isNaN(Date.parse(deadline))) return;
    this.s.attempt.deadline = deadline;
    this.persist();
  }

  /**
   * Another tab of this browser saved the same attempt: its answers, prediction and outcome
   * become this tab's (each tab saves on every change, so the newest copy holds both tabs'
   * answers). Not saved back: that would bounce between the tabs.
   */
  adoptFrom(other: SavedAttempt) {
    if (other.attempt.attemptId !== this.s.attempt.attemptId || this.s.result) return;
    this.s.answers = other.answers;
    this.s.prediction = other.prediction;
    this.s.attempt.deadline = other.attempt.deadline;
    if (other.result) this.s.result = other.result;
    if (other.submitRequested) this.s.submitRequested = true;
  }

  go(step: number) {
    this.s.step = Math.min(Math.max(0, step), this.reviewStep);
    this.persist();
  }

  /**
   * Sends the answers and keeps trying through network failures, 429 and 5xx: submit is
   * idempotent (a repeat returns the stored result), so retrying can never count twice.
   */
  async submit(client: Api): Promise<void> {
    if (this.submitting || this.s.result) return;
    this.submitting = true;
    this.failure = null;
    this.retries = 0;
    this.s.submitRequested = true;
    const body = submitBody($state.snapshot(this.s) as SavedAttempt);
    this.s.sentPrediction = body.prediction;
    this.persist();
    try {
      for (let n = 0; ; n++) {
        try {
          const result = await submitAttempt(this.attempt.attemptId, body, client);
          this.s.result = result;
          this.persist();
          return;
        } catch (err) {
          if (isRetryable(err)) {
            this.retries = n + 1;
            await pause(backoffMs(Math.min(n, 4), (err as ApiError).retryAfter));
            continue;
          }
          this.failure = err instanceof ApiError ? err : new ApiError(0, 'UNKNOWN', String(err));
          // Signed out mid-way: keep the request pending so it goes on after login.
          if (this.failure.status !== 401) this.s.submitRequested = false;
          this.persist();
          return;
        }
      }
    } finally {
      this.submitting = false;
    }
  }

  /** After the result has been seen the saved copy is no longer needed. */
  forget() {
    clear(this.storage, this.s.userId, this.s.roundId);
  }
}
