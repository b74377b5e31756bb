/**
 * What a periodic job (the token-revocation poll, the OTP outbox) says about a dependency
 * that fails: its first failure as an error with its cause, then at most one reminder a
 * minute while the failures go on (how many, for how long, the latest reason), then one line
 * when it works again. A job that polls every second used to log a stack trace every second
 * of a Postgres outage, per process, burying the lines that matter.
 */

interface Logger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export const REMIND_EVERY_MS = 60_000;

/**
 * The innermost cause's first line ("connect ECONNREFUSED 10.0.0.5:5432"): drizzle wraps a
 * failed query in "Failed query: <sql>\nparams: …", whose first line says nothing.
 */
export function rootReason(err: unknown): string {
  let e = err;
  for (let depth = 0; depth < 5 && e instanceof Error && e.cause instanceof Error; depth++) e = e.cause;
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

export interface JobHealth {
  failed(err: unknown): void;
  succeeded(): void;
}

export class OutageLog implements JobHealth {
  private since: number | null = null;
  private saidAt = 0;
  private failures = 0;

  constructor(
    private log: Logger,
    /** The job, as the lines name it: "token revocations poll". */
    private what: string,
    private now: () => number = Date.now,
    private remindEveryMs = REMIND_EVERY_MS,
  ) {}

  failed(err: unknown) {
    const now = this.now();
    this.failures++;
    if (this.since === null) {
      this.since = this.saidAt = now;
      this.log.error({ err }, `${this.what} failed; trying again (a reminder at most once a minute while it fails)`);
      return;
    }
    if (now - this.saidAt < this.remindEveryMs) return;
    this.saidAt = now;
    this.log.warn({ failures: this.failures, outageMs: now - this.since, reason: rootReason(err) }, `${this.what} still failing`);
  }

  succeeded() {
    if (this.since === null) return;
    this.log.info({ failures: this.failures, outageMs: this.now() - this.since }, `${this.what} works again`);
    this.since = null;
    this.failures = 0;
  }
}
