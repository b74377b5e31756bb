import type { Database } from '../../../../db/client';
import type { KeyEntry } from '../../lib/scoring';
import * as repo from './attempts.repo';

export interface CachedRound extends repo.RoundSnapshot {
  /** Pool ids in pool order. */
  poolIds: string[];
  questions: Map<string, repo.PoolQuestion>;
  key: Map<string, KeyEntry>;
}

function keyOf(q: repo.PoolQuestion): KeyEntry {
  const correct = q.options.find((o) => o.correct);
  return { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: correct?.id ?? '' };
}

/**
 * Round config, pool and answer key per process, for a few seconds: organizers can edit a
 * round, so nothing here is trusted for caps or deadlines (Postgres checks those). A stale
 * entry is served while one reload runs, so a burst never waits on the refresh.
 */
export class RoundCache {
  private entries = new Map<string, { value: CachedRound | null; loadedAt: number; loading: Promise<CachedRound | null> | null }>();
  /** Questions of attempts drawn from an older pool, by id (question rows do not change once a round has attempts). */
  private extraQuestions = new Map<string, { q: repo.PoolQuestion; key: KeyEntry }>();

  constructor(
    private database: Database,
    private ttlMs: number,
    private now: () => number = Date.now,
  ) {}

  async get(roundId: string): Promise<CachedRound | null> {
    const e = this.entries.get(roundId);
    const now = this.now();
    if (e && !e.loading && now - e.loadedAt > this.ttlMs) e.loading = this.load(roundId);
    if (e && e.value) return e.value;
    if (e?.loading) return e.loading;
    const entry = { value: null as CachedRound | null, loadedAt: 0, loading: this.load(roundId) as Promise<CachedRound | null> | null };
    this.entries.set(roundId, entry);
    return entry.loading!;
  }

  private async load(roundId: string): Promise<CachedRound | null> {
    try {
      const snap = await repo.loadRoundSnapshot(this.database, roundId);
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
  async questionsOf(round: CachedRound, ids: readonly string[]): Promise<Map<string, { q: repo.PoolQuestion; key: KeyEntry }>> {
    const out = new Map<string, { q: repo.PoolQuestion; key: KeyEntry }>();
    const missing: string[] = [];
    for (const id of ids) {
      const q = round.questions.get(id);
      if (q) out.set(id, { q, key: round.key.get(id)! });
      else {
        const x = this.extraQuestions.get(id);
        if (x) out.set(id, x);
        else missing.push(id);
      }
    }
    if (missing.length) {
      for (const q of await repo.loadQuestions(this.database, missing)) {
        const x = { q, key: keyOf(q) };
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
  for (const q of snap.pool) {
    questions.set(q.id, q);
    key.set(q.id, keyOf(q));
  }
  return { ...snap, poolIds: snap.pool.map((q) => q.id), questions, key };
}

export { BoundedMap } from '../../lib/bounded-map';
