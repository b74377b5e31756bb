import type { StoredResult } from './attempts.repo';

/** What Redis keeps of a stored submission so a repeated submit costs no database read. */
export interface Marker extends StoredResult {
  roundId: string;
  /** The round's key digest when the score was taken (attempts.cache.ts keyDigest). */
  k?: string;
}

/**
 * What Redis keeps of a started attempt, so a submit that lands on another process needs
 * no database read either. Losing it costs one read; it is never trusted over Postgres
 * (the insert re-checks ownership, and the deadline by constraint).
 */
export interface Summary {
  r: string;
  n: number;
  s: number;
  t: number;
  d: number;
  q: string[];
}

export const MARKER_TTL_MS = 6 * 3_600_000;
export const userKey = (userId: string) => `{u:${userId}}`;
export const doneKey = (userId: string, attemptId: string) => `hp:${userKey(userId)}:done:${attemptId}`;
export const summaryKey = (userId: string, attemptId: string) => `hp:${userKey(userId)}:att:${attemptId}`;

export function parseSummary(s: string): Summary | null {
  try {
    const m = JSON.parse(s) as Partial<Summary>;
    if (
      typeof m.r === 'string' &&
      typeof m.n === 'number' &&
      typeof m.s === 'number' &&
      typeof m.t === 'number' &&
      typeof m.d === 'number' &&
      Array.isArray(m.q) &&
      m.q.every((x) => typeof x === 'string')
    )
      return m as Summary;
  } catch {
    // Unreadable: the database answers instead.
  }
  return null;
}

export function parseMarker(s: string): Marker | null {
  try {
    const m = JSON.parse(s) as Partial<Marker>;
    if (
      typeof m.submittedAtMs === 'number' &&
      typeof m.durationMs === 'number' &&
      typeof m.score === 'number' &&
      typeof m.total === 'number' &&
      typeof m.roundId === 'string'
    )
      return m as Marker;
  } catch {
    // A marker that does not parse is ignored: the database answers instead.
  }
  return null;
}
