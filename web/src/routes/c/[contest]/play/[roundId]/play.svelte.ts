// Taking a round: start, resume (from the browser's copy first, then the server's word) and
// submit. The page component keeps the markup; this holds what it shows.
import { api, ApiError, isRetryable } from '$lib/api';
import * as attemptsApi from '$lib/api/attempts';
import * as contestsApi from '$lib/api/contests';
import { AttemptState } from '$lib/state/attempt.svelte';
import { clear, loadSaved, merge } from '$lib/state/attempt-storage';
import type { Contest, StartedAttempt } from '$lib/types';
// The grace after a deadline has one home, the server's lib/rounds.ts (import-free).
import { SUBMIT_GRACE_MS } from '../../../../../../../server/src/lib/rounds';

function storage() {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export class Play {
  contest = $state<Contest | null>(null);
  st = $state<AttemptState | null>(null);
  phase = $state<'loading' | 'intro' | 'play'>('loading');
  error = $state<unknown>(null);
  starting = $state(false);
  /** The server's clock, ticking while the page is open. */
  now = $state(api.serverNow());
  predictionTouched = $state(false);

  readonly round = $derived(this.contest?.rounds.find((r) => r.id === this.roundId));
  readonly remaining = $derived(this.st ? Date.parse(this.st.attempt.deadline) - this.now : 0);
  readonly playing = $derived(!!this.st && !this.st.result && !this.st.s.submitRequested && !this.st.submitting);
  readonly predictionMissing = $derived(!!this.st && this.st.predictionValue === null);

  constructor(
    readonly contestId: string,
    readonly roundId: string,
    readonly userId: string,
  ) {}

  private begin(attempt: StartedAttempt) {
    api.serverTimeAtLeast(Date.parse(attempt.startedAt));
    this.now = api.serverNow();
    this.st = new AttemptState(merge(loadSaved(storage(), this.userId, this.roundId), this.userId, this.roundId, attempt), storage());
    this.phase = 'play';
  }

  async startOrResume() {
    if (this.starting) return;
    this.starting = true;
    this.error = null;
    try {
      // Starting twice is safe: a running attempt comes back (200) instead of a new one.
      this.begin(await attemptsApi.start(this.roundId, 4));
    } catch (err) {
      this.error = err;
      this.phase = 'intro';
    } finally {
      this.starting = false;
    }
  }

  async init() {
    this.phase = 'loading';
    const saved = loadSaved(storage(), this.userId, this.roundId);
    const c = contestsApi
      .get(this.contestId)
      .then((x) => (this.contest = x))
      .catch(() => {});
    if (saved && (saved.result || saved.submitRequested)) {
      this.st = new AttemptState(saved, storage());
      this.phase = 'play';
      if (!saved.result) void this.st.submit(api);
      return;
    }
    if (saved && Date.parse(saved.attempt.deadline) + SUBMIT_GRACE_MS > api.serverNow()) {
      // Resume from the browser's copy at once (works offline), then confirm with the server.
      this.st = new AttemptState(saved, storage());
      this.phase = 'play';
      // Past its deadline the saved attempt is handed in as it is; asking the server to
      // "resume" then could start a new attempt instead.
      if (Date.parse(saved.attempt.deadline) <= api.serverNow() + 1000) return;
      attemptsApi.start(this.roundId, 2).then(
        (a) => {
          if (a.attemptId !== saved.attempt.attemptId) this.begin(a);
        },
        (err) => {
          if (!isRetryable(err) && err instanceof ApiError && err.status !== 401) {
            // The server no longer has it running (expired or used up): say so instead of a quiz that cannot be submitted.
            clear(storage(), this.userId, this.roundId);
            this.st = null;
            this.error = err;
            this.phase = 'intro';
          }
        },
      );
      return;
    }
    try {
      const mine = await attemptsApi.mine();
      const running = mine.find((a) => a.roundId === this.roundId && a.status === 'in_progress' && (!a.deadline || Date.parse(a.deadline) > api.serverNow()));
      if (running) {
        await this.startOrResume();
        return;
      }
    } catch {
      /* the intro still lets them start */
    }
    await c;
    this.phase = 'intro';
  }

  /** Time is up: hand in what there is (the prediction defaults to 0 if it was left empty). */
  submitIfTimeUp() {
    if (this.st && this.playing && this.remaining <= 0) void this.st.submit(api);
  }

  submit() {
    if (!this.st || this.st.locked) return;
    if (this.predictionMissing) {
      this.predictionTouched = true;
      return;
    }
    void this.st.submit(api);
  }

  /** Another attempt, after the result of this one. */
  again() {
    clear(storage(), this.userId, this.roundId);
    this.st = null;
    this.phase = 'intro';
  }
}
