export type RoundStatus = 'upcoming' | 'open' | 'closed' | 'finalized' | 'published';

export interface RoundTimes {
  opensAt: Date;
  closesAt: Date;
  finalizedAt: Date | null;
  publishedAt: Date | null;
}

export function roundStatus(r: RoundTimes, now: Date = new Date()): RoundStatus {
  if (r.publishedAt) return 'published';
  if (r.finalizedAt) return 'finalized';
  if (now < r.opensAt) return 'upcoming';
  if (now < r.closesAt) return 'open';
  return 'closed';
}

// The deadline rule (min(startedAt + timeLimitSeconds + override, closesAt + override)) has
// one home: start_attempts() in SQL (db/migrations/0021_start_attempts_batch.sql), which stores it.

/** Submissions up to this long after the deadline still count (network latency). */
export const SUBMIT_GRACE_MS = 30_000;
