/**
 * A wait that ended because its limit passed; `code` reads as a dependency that is down
 * (lib/errors.ts isDependencyDown), so the client gets 503 and sends again.
 */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number) {
    super(`${what}: no answer after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * `p`, or a TimeoutError once `ms` pass. What `p` does later is ignored. A driver can leave
 * a query pending forever (postgres.js 3.4.9 while a restarting Postgres refuses its
 * connection: the chaos run found requests still waiting at shutdown), and a request, a
 * cache or a poller that waits on it would wait forever too.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
