/**
 * Which tokens are revoked, per process, without a round trip per request.
 *
 * Every token carries the version of its account when it was issued (`tv`). Revoking
 * (a role change, a disable, a logout-all, a password change or reset) bumps the version
 * in Postgres and stamps when it moved. Each process polls the moves every `pollMs`
 * (one indexed query, whatever the traffic) and refuses a token whose version is older
 * than the one it knows. Only moves younger than the longest token lifetime matter: an
 * older move left no live token behind. A move made in this process applies at once.
 *
 * Postgres, not Redis, is the source: the check holds the same with Redis down, on the
 * in-process fallback, and on every route, the hot path included.
 */
import type { JobHealth } from './outage-log';
import { withTimeout } from './timeout';

export interface VersionMove {
  userId: string;
  version: number;
  disabled: boolean;
  changedAtMs: number;
}

export interface VersionLoad {
  moves: VersionMove[];
  /** The database clock when it answered: the next poll starts from there. */
  dbNowMs: number;
}

export type LoadMoves = (sinceMs: number) => Promise<VersionLoad>;

export interface TokenVersionsOptions {
  pollMs: number;
  /** The longest lifetime of a token: moves older than this are forgotten. */
  windowMs: number;
  /**
   * How far back each poll looks again: a revocation committed a little after it was
   * stamped (a slow transaction) is still seen by the next polls.
   */
  overlapMs: number;
  /** A load still pending after this long fails its poll, so the next poll loads again. */
  loadTimeoutMs: number;
  now: () => number;
}

export const defaultTokenVersionsOptions: TokenVersionsOptions = {
  pollMs: 1000,
  windowMs: 12 * 3_600_000,
  overlapMs: 10_000,
  loadTimeoutMs: 5_000,
  now: Date.now,
};

interface Known {
  version: number;
  disabled: boolean;
  changedAtMs: number;
}

export class TokenVersions {
  private known = new Map<string, Known>();
  private sinceMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private opts: TokenVersionsOptions;

  constructor(
    private load: LoadMoves,
    opts: Partial<TokenVersionsOptions> = {},
    /** Told how each poll went (lib/outage-log.ts: one line an outage, not one a poll). */
    private health: JobHealth | null = null,
  ) {
    this.opts = { ...defaultTokenVersionsOptions, ...opts };
  }

  /** The first load; then a poll every pollMs until stop(). */
  async start() {
    await this.pollAndReport();
    this.timer = setInterval(() => void this.pollAndReport(), this.opts.pollMs);
    this.timer.unref();
  }

  private pollAndReport(): Promise<void> {
    return this.refresh().then(
      () => this.health?.succeeded(),
      (err: unknown) => this.health?.failed(err),
    );
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One poll (concurrent callers share it). */
  refresh(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async poll() {
    const since = this.sinceMs === null ? this.opts.now() - this.opts.windowMs : this.sinceMs - this.opts.overlapMs;
    // Bounded: polls share one promise, so a load left pending would stop revocations here.
    const { moves, dbNowMs } = await withTimeout(this.load(since), this.opts.loadTimeoutMs, 'token versions');
    for (const m of moves) this.apply(m);
    this.sinceMs = dbNowMs;
    this.prune(dbNowMs);
  }

  /** A move known here first (this process made it), or read from the database. */
  apply(m: VersionMove) {
    const k = this.known.get(m.userId);
    if (k && k.version > m.version) return;
    this.known.set(m.userId, { version: m.version, disabled: m.disabled, changedAtMs: m.changedAtMs });
  }

  /** True when a token issued under `version` must be refused. */
  isRevoked(userId: string, version: number): boolean {
    const k = this.known.get(userId);
    if (!k) return false;
    return k.disabled || version < k.version;
  }

  private prune(nowMs: number) {
    const horizon = nowMs - this.opts.windowMs - this.opts.overlapMs;
    for (const [id, k] of this.known) if (k.changedAtMs < horizon) this.known.delete(id);
  }

  get size() {
    return this.known.size;
  }
}
