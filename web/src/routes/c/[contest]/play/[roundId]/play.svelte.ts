// Taking a round: start, resume (from the browser's copy first, then the server's word) and
// submit. The page component keeps the markup; this holds what it shows.
import { api, ApiError, isRetryable } from '$lib/api';
import * as attemptsApi from '$lib/api/attempts';
import * as contestsApi from '$lib/api/contests';
import { AttemptState } from '$lib/state/attempt.svelte';
import { attemptKey, clear, loadSaved, merge } from '$lib/state/attempt-storage';
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

/** An attempt the server resumes that started longer ago than this was not started by this page a moment ago. */
const RESUMED_AFTER_MS = 15_000;

export class Play {
  contest = $state<Contest | null>(null);
  st = $state<AttemptState | null>(null);
  phase = $state<'loading' | 'intro' | 'play'>('loading');
  error = $state<unknown>(null);
  starting = $state(false);
  /** The server's clock, ticking while the page is open. */
  now = $state(api.serverNow());
  predictionTouched = $state(false);
  /** The server resumed an attempt this browser has no copy of (started on another phone or browser): its answers are not here. */
  resumedElsewhere = $state(false);
  /** What organizers granted me (extra attempts); none until known, or when the call failed. */
  overrides = $state<attemptsApi.MyOverride[]>([]);

  readonly round = $derived(this.contest?.rounds.find((r) => r.id === this.roundId));
  /** Attempts I may make in this round: its maxAttempts plus an organizer's extra ones. */
  readonly allowedAttempts = $derived(this.round ? attemptsApi.allowedAttempts(this.round, this.overrides) : 0);
  readonly remaining = $derived(this.st ? Date.parse(this.st.attempt.deadline) - this.now : 0);
  readonly playing = $derived(!!this.st && !this.st.result && !this.st.s.submitRequested && !this.st.submitting && !this.st.ended);
  readonly predictionProblem = $derived(this.st?.predictionProblem ?? null);
  /** The deadline the countdown last handed the attempt in at: once per deadline, never in a loop. */
  private autoSubmittedAt: string | null = null;

  constructor(
    readonly contestId: string,
    readonly roundId: string,
    readonly userId: string,
  ) {}

  private begin(attempt: StartedAttempt) {
    api.serverTimeAtLeast(Date.parse(attempt.startedAt));
    this.now = api.serverNow();
    const saved = loadSaved(storage(), this.userId, this.roundId);
    // Answers live in the browser until the submit: an attempt started elsewhere comes back here without them.
    this.resumedElsewhere = saved?.attempt.attemptId !== attempt.attemptId && this.now - Date.parse(attempt.startedAt) > RESUMED_AFTER_MS;
    this.st = new AttemptState(merge(saved, this.userId, this.roundId, attempt), storage());
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
    this.loadOverrides();
    if (saved && (saved.result || saved.submitRequested)) {
      this.st = new AttemptState(saved, storage());
      this.phase = 'play';
      if (!saved.result) void this.st.submit(api);
      return;
    }
    // Whether the saved attempt's time is up is the server's clock's call: a phone minutes
    // fast would otherwise hand it in on a reload. The contest's answer sets the clock.
    if (saved && !api.clockSynced) await Promise.race([c, new Promise((r) => setTimeout(r, 3000))]);
    this.now = api.serverNow();
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
          // The same attempt, with the deadline as the server has it now (extra time, an early close).
          else this.st?.adoptDeadline(a.deadline);
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

  /** Asks for my overrides (the intro and "another attempt" count their extra attempts); a failed call counts as none. */
  loadOverrides() {
    attemptsApi.myOverrides().then(
      (list) => (this.overrides = list),
      () => {},
    );
  }

  /**
   * Time is up: hand in what there is (the prediction is 0 if the field is empty or unreadable),
   * once per deadline: a refusal (the deadline and its grace are past) ends the attempt instead
   * of sending it again on every tick.
   */
  submitIfTimeUp() {
    if (!this.st || !this.playing || this.remaining > 0) return;
    if (this.autoSubmittedAt === this.st.attempt.deadline) return;
    this.autoSubmittedAt = this.st.attempt.deadline;
    void this.st.submit(api);
  }

  submit() {
    if (!this.st || this.st.locked) return;
    if (this.predictionProblem) {
      this.predictionTouched = true;
      return;
    }
    void this.st.submit(api);
  }

  /** Asks the server for this attempt's deadline (GET /me/attempts) and follows it. */
  async refreshDeadline() {
    const id = this.st?.attempt.attemptId;
    if (!id || !this.playing) return;
    try {
      const mine = await attemptsApi.mine();
      const a = mine.find((x) => x.attemptId === id);
      if (a?.deadline) this.st?.adoptDeadline(a.deadline);
    } catch {
      /* the next check tries again */
    }
  }

  /**
   * While playing, the deadline can move on the server: an organizer grants extra time, or
   * closes the round early. The page asks again every 3–5 minutes (spread at random, so a
   * burst of starts does not come back as a burst of checks), once 30–90 s before the time runs
   * out, and when the phone wakes (the page becomes visible). A reload asks too (init).
   * Returns the cleanup.
   */
  watchDeadline(random = Math.random): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The first wake asks at once; later ones at most every 30 s.
    let last = 0;
    const check = () => {
      last = Date.now();
      return this.refreshDeadline();
    };
    const schedule = () => {
      let wait = 180_000 + random() * 120_000;
      const beforeEnd = this.remaining - (30_000 + random() * 60_000);
      if (beforeEnd > 0 && beforeEnd < wait) wait = beforeEnd;
      timer = setTimeout(() => void check().then(schedule), wait);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible' && Date.now() - last > 30_000) void check();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }

  /**
   * The same attempt open in another tab: each tab saves every change, so the other tab's
   * newest copy is taken as it comes (answers, prediction, a submit it started or finished),
   * and a submit it started is carried on here too (idempotent: one result for both).
   */
  watchOtherTabs(): () => void {
    const key = attemptKey(this.userId, this.roundId);
    const onStorage = (e: StorageEvent) => {
      if (e.key !== key || e.newValue === null || !this.st) return;
      const other = loadSaved(storage(), this.userId, this.roundId);
      if (!other) return;
      this.st.adoptFrom(other);
      if (other.submitRequested && !other.result && !this.st.result && !this.st.submitting) void this.st.submit(api);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }

  /** Another attempt, after the result of this one. */
  again() {
    clear(storage(), this.userId, this.roundId);
    this.st = null;
    this.phase = 'intro';
    // An organizer may have granted more since the page opened.
    this.loadOverrides();
  }
}
