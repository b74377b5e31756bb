import type { BatcherOptions } from '../../lib/batcher';
import type { BatchTelemetry } from '../../lib/telemetry';

export interface AttemptsOptions {
  /** How long a process trusts its copy of a round (config, pool, answer key). */
  roundCacheTtlMs: number;
  writer: Partial<BatcherOptions>;
  /** Attempt starts are group-committed too. */
  starter: Partial<BatcherOptions>;
  reader: Partial<BatcherOptions>;
  /**
   * Attempts remembered per process (their questions and deadline never change): at most
   * this many, always the most recent half. It should hold the attempts started within a
   * quiz's duration at peak: a submit whose attempt fell out reads its summary from Redis
   * and parses it (issue #12: the bench's 120,000 attempts through a cache of 100,000 cost
   * each submit 14–18 µs more API CPU and ~6 µs more Redis CPU, alternated runs of
   * 2026-11-30). About 0.5 KB each; ATTEMPT_CACHE_SIZE.
   */
  attemptCacheSize: number;
  /** Where the submission writer reports its batches and queue (plugins/metrics.ts). */
  writerTelemetry?: BatchTelemetry;
}

/**
 * Every hot batch gives up after 5 s (lib/batcher.ts timeoutMs): its requests get 503 and its
 * slot is free again, whatever the driver does with the query. A start that commits later
 * is resumed by the retry.
 */
export const HOT_BATCH_TIMEOUT_MS = 5_000;
export const defaultReader: BatcherOptions = { maxItems: 500, maxDelayMs: 1, maxInFlight: 4, timeoutMs: HOT_BATCH_TIMEOUT_MS };
/**
 * Starts wait up to 8 ms for company: in a burst of 1,000 starts a second a statement then
 * carries about eight. Postgres per start (npm run bench, burst, 2026-11-30): ~210 µs at
 * 2 ms, ~181 µs at 4 ms (01:17 UTC); 248 and 263 µs at 8 ms against 270 and 285 µs at 4 ms
 * in alternated runs of a slower hour (07:38–07:42 UTC), the burst's median 12–14 → 15 ms.
 */
export const defaultStarter: BatcherOptions = { maxItems: 200, maxDelayMs: 8, maxInFlight: 4, timeoutMs: HOT_BATCH_TIMEOUT_MS };

export const defaultAttemptsOptions: AttemptsOptions = {
  roundCacheTtlMs: 5_000,
  writer: {},
  starter: defaultStarter,
  reader: defaultReader,
  attemptCacheSize: 300_000,
};
