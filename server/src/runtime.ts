import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../db/client';
import type { Config } from './config';
import { TimeoutError, withTimeout } from './lib/timeout';

/**
 * JWT_SECRET, or (outside production) a random secret kept in the data folder so tokens
 * survive restarts of the embedded default.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Where a postgres:// URL points, as `host:port` (5432 when it names none), without its
 * user or password: what a log line may say about DATABASE_URL.
 */
export function databaseTarget(url: string): string {
  const u = new URL(url);
  return u.port ? u.host : `${u.host}:5432`;
}

/** The start could not reach PostgreSQL: its message is the one line an operator reads. */
export class DatabaseUnreachable extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseUnreachable';
  }
}

/**
 * SQLSTATE classes that waiting does not cure: 28 (the user or password is refused), 3D (no
 * such database). Anything else, a refused or silent port included, may be a Postgres still
 * starting (57P03 "the database system is starting up", or not listening yet).
 */
const FINAL_CLASSES = ['28', '3D'];

/** No error came back at all: the port accepted and the driver kept trying. */
const NO_ANSWER = 'no answer';

/** How long one `select 1` may take before the start says it is still waiting. */
const TRY_MS = 5_000;

function plainPassword(url: string): string {
  const raw = new URL(url).password;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function reasonOf(err: unknown, password: string): string {
  const text = err instanceof Error ? err.message : String(err);
  // postgres.js names host and port in its errors, never the password; this is the backstop.
  const line = text.split('\n')[0];
  return password ? line.split(password).join('***') : line;
}

function isFinal(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown };
  // An answer from PostgreSQL itself (postgres.js's PostgresError carries its severity).
  return typeof e?.severity === 'string' && typeof e.code === 'string' && FINAL_CLASSES.includes(e.code.slice(0, 2));
}

export interface ReachOptions {
  /** The DATABASE_URL, for the host and port the messages name (never its password). */
  url: string;
  timeoutMs: number;
  /** Called once, on the first failure, while the start goes on waiting. */
  onWaiting?: (target: string, reason: string) => void;
}

/**
 * Resolves once PostgreSQL answers `select 1`; throws DatabaseUnreachable when it has not
 * within `timeoutMs`, or at once when it answers with a refusal waiting cannot cure (a wrong
 * password, a missing database). postgres.js alone would wait forever on a port that accepts
 * and then closes, or answers something that is not PostgreSQL's protocol (an HTTP server, a
 * proxy whose upstream is gone): it reconnects for as long as the first query is pending. A
 * port that accepts and never answers (Redis's 6379) times each try out after its
 * connect_timeout and is tried again. The embedded PGlite needs no network: it returns at once.
 */
export async function reachDatabase(database: Database, o: ReachOptions): Promise<void> {
  if (database.kind !== 'postgres') return;
  const target = databaseTarget(o.url);
  const password = plainPassword(o.url);
  const deadline = Date.now() + o.timeoutMs;
  const seconds = `${Math.round(o.timeoutMs / 100) / 10} s`;
  let reason = NO_ANSWER;
  let warned = false;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      // Each try bounded too, so a port that keeps the driver reconnecting is reported early.
      await withTimeout(database.ping(), Math.min(left, TRY_MS), 'PostgreSQL');
      return;
    } catch (err) {
      // A try's own timeout says nothing the messages below do not.
      if (!(err instanceof TimeoutError)) reason = reasonOf(err, password);
      if (isFinal(err)) throw new DatabaseUnreachable(target, reason, `PostgreSQL at ${target} refused the connection: ${reason} (check DATABASE_URL)`);
      if (!warned && Date.now() < deadline) o.onWaiting?.(target, reason);
      warned = true;
    }
    const pause = Math.min(500, deadline - Date.now());
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  }
  throw new DatabaseUnreachable(
    target,
    reason,
    `PostgreSQL at ${target} did not answer within ${seconds}${reason === NO_ANSWER ? '' : ` (last error: ${reason})`}: check DATABASE_URL and that PostgreSQL runs there (DB_CONNECT_TIMEOUT sets the wait)`,
  );
}
