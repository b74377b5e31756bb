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

/** JSON that passes `valid`, or null (unreadable: the database answers instead). */
function parseChecked<T>(s: string, valid: (m: Partial<T>) => boolean): T | null {
  try {
    const m = JSON.parse(s) as Partial<T>;
    if (valid(m)) return m as T;
  } catch {
    // Not JSON: the same as not valid.
  }
  return null;
}

const isSummary = (m: Partial<Summary>) =>
  typeof m.r === 'string' &&
  typeof m.n === 'number' &&
  typeof m.s === 'number' &&
  typeof m.t === 'number' &&
  typeof m.d === 'number' &&
  Array.isArray(m.q) &&
  m.q.every((x) => typeof x === 'string');

const isMarker = (m: Partial<Marker>) =>
  typeof m.submittedAtMs === 'number' &&
  typeof m.durationMs === 'number' &&
  typeof m.score === 'number' &&
  typeof m.total === 'number' &&
  typeof m.roundId === 'string';

export function parseSummary(s: string): Summary | null {
  return parseChecked(s, isSummary);
}

export function parseMarker(s: string): Marker | null {
  return parseChecked(s, isMarker);
}

/**
 * A stored result's marker as JSON: what `JSON.stringify({ ...r, roundId, k })` gives, written
 * out directly (one per submission; the spread and the generic stringify cost six times as much).
 * Not lib/serialize.ts compileResponse: its writer throws on a non-finite number, and this
 * runs after the commit, where a throw would answer a stored submission with a 500.
 */
export function markerJson(r: StoredResult, roundId: string, k: string): string {
  return `{"submittedAtMs":${num(r.submittedAtMs)},"durationMs":${num(r.durationMs)},"score":${num(r.score)},"total":${num(r.total)},"roundId":${JSON.stringify(roundId)},"k":${JSON.stringify(k)}}`;
}

/** A number as JSON writes it (null when not finite). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');
