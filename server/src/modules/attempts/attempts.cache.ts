import type { Database } from '../../../../db/client';
import { choicePlan, type ChoicePlan } from '../../lib/choices';
import type { KeyEntry } from '../../lib/scoring';
import { withTimeout } from '../../lib/timeout';
import { HOT_BATCH_TIMEOUT_MS } from './attempts.options';
import * as repo from './attempts.repo';
import { renderPromptTail, renderQuestion, type RenderedQuestion } from './attempts.render';

export interface CachedRound extends repo.RoundSnapshot {
  /** Pool ids in pool order. */
  poolIds: string[];
  questions: Map<string, repo.PoolQuestion>;
  key: Map<string, KeyEntry>;
  /**
   * A digest of the pool's answer key (keys and voids). A result graded under another
   * digest may have been regraded since (a correction): it is read again from Postgres.
   */
  keyDigest: string;
  /** Each pool question rendered for contestants, rendered once per load (attempts.render.ts). */
  rendered: Map<string, RenderedQuestion>;
  /** The end of a start response: the prediction prompt, encoded. */
  promptTail: Buffer;
  /** Each pool question as the submit's fast path grades choices (lib/choices.ts gradeChoices). */
  plans: Map<string, ChoicePlan>;
}

/** A question of an attempt: as stored, its answer key, and as a contestant sees it (JSON). */
export interface AttemptQuestionEntry {
  q: repo.PoolQuestion;
  key: KeyEntry;
  r: RenderedQuestion;
}

function keyOf(q: repo.PoolQuestion): KeyEntry {
  const correct = q.options.find((o) => o.correct);
  return { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: correct?.id ?? '', voided: q.voided };
}

/** FNV-1a over the pool's (question, key, voided) triples: cheap, and only compared for equality. */
function keyDigestOf(pool: readonly repo.PoolQuestion[]): string {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  };
  for (const q of [...pool].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    mix(q.id);
    mix(q.options.find((o) => o.correct)?.id ?? '');
    mix(q.voided ? '1' : '0');
  }
  return (h >>> 0).toString(36);
}

/**
 * Round config, pool and answer key per process, for a few seconds: organizers can edit a
 * round, so nothing here is trusted for caps or deadlines (Postgres checks those). A stale
 * entry is served while one reload runs, so a burst never waits on the refresh.
 */
export class RoundCache {
  private entries = new Map<string, { value: CachedRound | null; loadedAt: number; loading: Promise<CachedRound | null> | null }>();
  /**
   * Questions of attempts drawn from an older pool, by id. Kept no longer than a round: a
   * correction can change a question's key after attempts used it.
   */
  private extraQuestions = new Map<string, AttemptQuestionEntry & { loadedAt: number }>();

  constructor(
    private database: Database,
    private ttlMs: number,
    private now: () => number = Date.now,
  ) {}

  async get(roundId: string): Promise<CachedRound | null> {
    const cached = this.peek(roundId);
    if (cached) return cached;
    const e = this.entries.get(roundId);
    if (e?.loading) return e.loading;
    return this.startLoad(roundId);
  }

  /** One load of the round, shared by every caller until it ends; the entry's last copy stays served meanwhile. */
  private startLoad(roundId: string): Promise<CachedRound | null> {
    const e = this.entries.get(roundId);
    const loading = this.load(roundId);
    this.entries.set(roundId, { value: e?.value ?? null, loadedAt: e?.loadedAt ?? 0, loading });
    return loading;
  }

  /**
   * The round as cached, without waiting: what `get` would answer at once (a stale copy
   * too, its reload started), undefined when `get` would have to wait for a load. The hot
   * path's way in: no promise, no turn of the microtask queue.
   */
  peek(roundId: string): CachedRound | undefined {
    const e = this.entries.get(roundId);
    if (!e) return undefined;
    if (!e.loading && this.now() - e.loadedAt > this.ttlMs) e.loading = this.load(roundId);
    return e.value ?? undefined;
  }

  /**
   * The round as Postgres has it now, when `stale` (a copy the caller drew from) turned out
   * to be out of date: one reload, shared by every caller that found the same copy stale.
   */
  reload(roundId: string, stale: CachedRound): Promise<CachedRound | null> {
    const e = this.entries.get(roundId);
    if (e?.loading) return e.loading;
    if (e?.value && e.value !== stale) return Promise.resolve(e.value);
    return this.startLoad(roundId);
  }

  private async load(roundId: string): Promise<CachedRound | null> {
    try {
      // Bounded: requests of a round not yet cached all wait on this one load.
      const snap = await withTimeout(repo.loadRoundSnapshot(this.database, roundId), HOT_BATCH_TIMEOUT_MS, 'round');
      const value = snap ? build(snap) : null;
      const prev = this.entries.get(roundId);
      // Unknown ids are not kept: a flood of random ids must not grow the cache.
      if (value) this.entries.set(roundId, { value, loadedAt: this.now(), loading: null });
      else if (prev) this.entries.delete(roundId);
      return value;
    } catch (err) {
      const prev = this.entries.get(roundId);
      if (prev?.value) {
        // Keep serving the last good copy; try the database again in a second.
        prev.loading = null;
        prev.loadedAt = this.now() - this.ttlMs + 1000;
        return prev.value;
      }
      this.entries.delete(roundId);
      throw err;
    }
  }

  /** Questions of an attempt with their answer key, in the attempt's order. */
  async questionsOf(round: CachedRound, ids: readonly string[]): Promise<Map<string, AttemptQuestionEntry>> {
    const out = new Map<string, AttemptQuestionEntry>();
    const missing: string[] = [];
    for (const id of ids) {
      const q = round.questions.get(id);
      if (q) out.set(id, { q, key: round.key.get(id)!, r: round.rendered.get(id)! });
      else {
        const x = this.extraQuestions.get(id);
        if (x && this.now() - x.loadedAt <= this.ttlMs) out.set(id, x);
        else missing.push(id);
      }
    }
    if (missing.length) {
      for (const q of await withTimeout(repo.loadQuestions(this.database, missing), HOT_BATCH_TIMEOUT_MS, 'questions')) {
        const x = { q, key: keyOf(q), r: renderQuestion(q), loadedAt: this.now() };
        if (this.extraQuestions.size > 10_000) this.extraQuestions.clear();
        this.extraQuestions.set(q.id, x);
        out.set(q.id, x);
      }
    }
    return out;
  }
}

function build(snap: repo.RoundSnapshot): CachedRound {
  const questions = new Map<string, repo.PoolQuestion>();
  const key = new Map<string, KeyEntry>();
  const rendered = new Map<string, RenderedQuestion>();
  const plans = new Map<string, ChoicePlan>();
  for (const q of snap.pool) {
    questions.set(q.id, q);
    key.set(q.id, keyOf(q));
    rendered.set(q.id, renderQuestion(q));
    const plan = choicePlan(q);
    if (plan) plans.set(q.id, plan);
  }
  return {
    ...snap,
    poolIds: snap.pool.map((q) => q.id),
    questions,
    key,
    rendered,
    plans,
    promptTail: renderPromptTail(snap.round.predictionPrompt),
    keyDigest: keyDigestOf(snap.pool),
  };
}
