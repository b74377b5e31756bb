import { createHash } from 'node:crypto';
import type { Db } from '../../../../db/client';
import { AppError } from '../../lib/errors';
import { collectiveVersion, participantCounts, type ParticipantCounts } from './collective.repo';
import { latestSubmission, submissionsDigest } from './finalize.sql';

interface Entry {
  body: string;
  etag: string;
  expiresAt: number;
  headers?: Record<string, string>;
}

/** What a build returns when its answer carries headers of its own besides the body. */
export class WithHeaders {
  constructor(
    readonly value: unknown,
    readonly headers: Record<string, string>,
  ) {}
}

/**
 * Public, read-mostly answers (a sealed round's answer key, a published round's winners)
 * kept per process as ready bytes with an ETag. An entry lives `ttlMs` (5 s), so a
 * correction or a withdrawn publication reaches every worker within that; a burst of
 * readers in between costs one build. A refusal (409 before sealing, 404) is remembered
 * for `refusalTtlMs`, so hammering a round that is not sealed yet costs no query per hit.
 */
export class PublicCache {
  private entries = new Map<string, Entry>();
  private refusals = new Map<string, { err: AppError; expiresAt: number }>();
  private building = new Map<string, Promise<Entry>>();

  constructor(
    private ttlMs = 5_000,
    private refusalTtlMs = 1_000,
    private now: () => number = Date.now,
  ) {}

  async get(key: string, build: () => Promise<unknown>): Promise<{ body: string; etag: string; headers?: Record<string, string> }> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit;
    const refused = this.refusals.get(key);
    if (refused && refused.expiresAt > now) throw refused.err;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(key, build).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  /** Forgets what this process holds for a round (it changed here). */
  forget(roundId: string) {
    for (const m of [this.entries, this.refusals] as Map<string, unknown>[]) for (const k of m.keys()) if (k.endsWith(`:${roundId}`)) m.delete(k);
  }

  private async build(key: string, build: () => Promise<unknown>): Promise<Entry> {
    try {
      const built = await build();
      const headers = built instanceof WithHeaders ? built.headers : undefined;
      const body = JSON.stringify(built instanceof WithHeaders ? built.value : built);
      const etag = `"${createHash('sha256')
        .update(body + (headers ? JSON.stringify(headers) : ''))
        .digest('base64url')
        .slice(0, 27)}"`;
      const entry = { body, etag, headers, expiresAt: this.now() + this.ttlMs };
      this.entries.set(key, entry);
      this.refusals.delete(key);
      if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value!);
      return entry;
    } catch (err) {
      if (err instanceof AppError && err.statusCode < 500) {
        this.refusals.set(key, { err, expiresAt: this.now() + this.refusalTtlMs });
        if (this.refusals.size > 10_000) this.refusals.delete(this.refusals.keys().next().value!);
      }
      throw err;
    }
  }
}

/**
 * The submissions' part of a round's inputs digest (finalize.sql.ts submissionsDigest) for
 * the ranking page's `stale`, kept per process: every page asked for it again, a count of
 * the round's submissions (300k: about 0.2 s of each page). An entry serves for `ttlMs` (5 s)
 * and only while the round's latest submission time is the one it covers, which one index
 * probe reads: a submission that lands after the finalize shows on the next page. One that
 * leaves without a later one arriving (an account deleted with its attempts) shows within
 * `ttlMs`. Publish and the exports never use it: they compare the whole digest, counted then
 * (judging.service.ts requireCurrentResults).
 */
export class SubmissionsDigestCache {
  private entries = new Map<string, { part: string; latest: string; expiresAt: number }>();

  constructor(
    private ttlMs = 5_000,
    private now: () => number = Date.now,
  ) {}

  async get(db: Db, roundId: string): Promise<string> {
    const hit = this.entries.get(roundId);
    if (hit && hit.expiresAt > this.now() && hit.latest === (await latestSubmission(db, roundId))) return hit.part;
    const { part, latest } = await submissionsDigest(db, roundId);
    this.entries.delete(roundId);
    this.entries.set(roundId, { part, latest, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > 1_000) this.entries.delete(this.entries.keys().next().value!);
    return part;
  }
}

/**
 * The collective ranking's counts (collective.repo.ts participantCounts) per contest and
 * round, kept per process: a count reads every submission of the contest's rounds (1M:
 * seconds), and the judges' and organizers' pages ask again on each visit. An entry serves
 * only while the version of what it read (collectiveVersion: a few index probes and small
 * lists) is the one it was counted under, so a finalize, a publication or its withdrawal, a
 * disqualification or reinstatement, an exclusion list or role change and a submission all
 * show on the next call, in every process; and for `ttlMs` (30 s) at most, for what the
 * version cannot see (in an open round, a submission that commits after a later one).
 * Calls under one version share one count.
 */
export class CollectiveCache {
  private entries = new Map<string, { version: string; expiresAt: number; value: Promise<ParticipantCounts> }>();

  constructor(
    private count: typeof participantCounts = participantCounts,
    private ttlMs = 30_000,
    private now: () => number = Date.now,
  ) {}

  async get(db: Db, contestId: string, roundId: string | null): Promise<ParticipantCounts> {
    const key = `${contestId}:${roundId ?? ''}`;
    // Read before counting: the count sees at least what the version covers, never less.
    const version = await collectiveVersion(db, contestId, roundId);
    const hit = this.entries.get(key);
    if (hit && hit.version === version && hit.expiresAt > this.now()) return hit.value;
    const value = this.count(db, contestId, roundId);
    this.entries.delete(key);
    this.entries.set(key, { version, expiresAt: this.now() + this.ttlMs, value });
    if (this.entries.size > 1_000) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
