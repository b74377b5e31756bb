import type { Database } from '../../../../db/client';
import { Batcher, type BatcherOptions } from '../../lib/batcher';
import { sqlState } from '../../lib/errors';
import { noBatchTelemetry, type BatchTelemetry } from '../../lib/telemetry';
import { HOT_BATCH_TIMEOUT_MS } from './attempts.options';
import * as repo from './attempts.repo';

export type WriteOutcome = 'inserted' | 'not_inserted';

export class RowRejectedError extends Error {
  constructor(
    readonly sqlState: string,
    cause: unknown,
  ) {
    super(`submission row rejected (${sqlState})`, { cause });
    this.name = 'RowRejectedError';
  }
}

// Data errors (22) and constraint violations (23) belong to a row, not to the batch.
const isRowError = (state: string | undefined) => !!state && (state.startsWith('22') || state.startsWith('23'));

/**
 * A batch still pending after HOT_BATCH_TIMEOUT_MS answers its requests 503 (send again) and
 * frees its slot: a statement that commits later is found by the retry (ON CONFLICT, then
 * the stored result), so nothing is acknowledged that is not stored.
 *
 * One INSERT at a time per process: rows that come while it runs make the next one bigger.
 * Against four at a time, three alternations of `npm run bench` (bare and submit, 2026-12-01
 * 14:36-14:45 UTC) gave 7,652-8,752 submits/s against 6,308-6,937, Postgres 29-31 µs a
 * submit against 41-45 (about 100 rows a statement instead of 55), the API 93-111 µs against
 * 120-123 and p99 67-76 ms against 84-98: fewer statements to pay for, and fewer backends
 * taking a core from the API's thread. One backend at ~30 µs a row keeps up with ~30,000
 * rows/s, more than one API process sends; `WORKERS=n` runs n writers.
 */
export const defaultWriterOptions: BatcherOptions = { maxItems: 500, maxDelayMs: 2, maxInFlight: 1, timeoutMs: HOT_BATCH_TIMEOUT_MS };

/**
 * Group commit for submissions: rows that arrive within a few ms (or up to maxItems) go
 * into one INSERT, a single statement and so a single transaction, and each caller is
 * answered only after that statement has committed. A batch that fails on one bad row is
 * retried row by row so the others still commit; a batch that fails for any other
 * reason fails every one of its callers, so nothing is acknowledged that is not stored.
 */
export class SubmissionWriter {
  private batcher: Batcher<repo.SubmissionRow, WriteOutcome>;
  private unwatch: () => void;

  constructor(
    private database: Database,
    opts: Partial<BatcherOptions> = {},
    private telemetry: BatchTelemetry = noBatchTelemetry,
  ) {
    this.batcher = new Batcher((rows) => this.timedWrite(rows), { ...defaultWriterOptions, ...opts });
    this.unwatch = telemetry.watchQueue(() => this.batcher.waiting);
  }

  submit(row: repo.SubmissionRow): Promise<WriteOutcome> {
    return this.batcher.push(row);
  }

  /** Commits every queued row and waits for it (graceful shutdown). */
  async close(): Promise<void> {
    await this.batcher.close();
    this.unwatch();
  }

  get queued() {
    return this.batcher.waiting;
  }

  private async timedWrite(rows: repo.SubmissionRow[]): Promise<(WriteOutcome | Error)[]> {
    const started = performance.now();
    let ok = false;
    try {
      const out = await this.write(rows);
      ok = true;
      return out;
    } finally {
      this.telemetry.batch(rows.length, (performance.now() - started) / 1000, ok);
    }
  }

  private async write(rows: repo.SubmissionRow[]): Promise<(WriteOutcome | Error)[]> {
    // One row per attempt per statement: later copies in the same batch lose, as they would
    // against a committed row.
    const first = new Map<string, number>();
    const unique: repo.SubmissionRow[] = [];
    rows.forEach((r, i) => {
      if (!first.has(r.attemptId)) {
        first.set(r.attemptId, i);
        unique.push(r);
      }
    });
    let answers: Map<string, WriteOutcome | Error>;
    try {
      const inserted = await repo.insertSubmissions(this.database, unique);
      answers = new Map(unique.map((r) => [r.attemptId, inserted.has(r.attemptId) ? 'inserted' : 'not_inserted']));
    } catch (err) {
      if (!isRowError(sqlState(err))) throw err;
      answers = new Map();
      // Row by row; once the database itself fails, the rows not yet written get that error
      // (the ones already committed keep their answer).
      let down: Error | null = null;
      for (const r of unique) {
        if (down) {
          answers.set(r.attemptId, down);
          continue;
        }
        try {
          answers.set(r.attemptId, await this.writeOne(r));
        } catch (e) {
          down = e instanceof Error ? e : new Error(String(e));
          answers.set(r.attemptId, down);
        }
      }
    }
    return rows.map((r, i) => (first.get(r.attemptId) === i ? answers.get(r.attemptId)! : 'not_inserted'));
  }

  private async writeOne(row: repo.SubmissionRow): Promise<WriteOutcome | Error> {
    try {
      const inserted = await repo.insertSubmissions(this.database, [row]);
      return inserted.has(row.attemptId) ? 'inserted' : 'not_inserted';
    } catch (err) {
      const state = sqlState(err);
      if (isRowError(state)) return new RowRejectedError(state!, err);
      throw err;
    }
  }
}
