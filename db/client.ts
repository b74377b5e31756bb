import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index';

export type Schema = typeof schema;
/** The driver-neutral drizzle handle: postgres.js and PGlite both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL and returns its rows, whichever driver is underneath. */
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * `rows` for a statement of constant text that the hot path runs thousands of times: on
   * Postgres a named prepared statement of each connection (parsed once, one round trip per
   * run instead of a describe and then the run); PGlite runs it as `rows` does.
   */
  hotRows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Queries (and transactions) running or waiting for a connection, and the pool size.
   * postgres.js exposes no pool state, so this counts at the client: a query is in flight
   * from the moment it is made until it settles.
   */
  poolStats(): { inFlight: number; max: number };
  /**
   * Runs `fn` while holding a Postgres session-level advisory lock, on a connection of its
   * own (so it works with a pool of one); other holders of the same key wait. PGlite
   * belongs to one process: `fn` just runs.
   */
  exclusive<T>(key: number, fn: () => Promise<T>): Promise<T>;
}

/**
 * Beside this file in the sources (db/client.ts), one folder up from the compiled bundle
 * (dist/*.js, which keeps db/migrations in place).
 */
export const migrationsFolder =
  [new URL('./migrations', import.meta.url), new URL('../db/migrations', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((p) => existsSync(join(p, 'meta', '_journal.json'))) ?? fileURLToPath(new URL('./migrations', import.meta.url));

/** The advisory lock every migrator takes (an arbitrary constant: "migr" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6d696772;

export interface DatabaseOptions {
  /** postgres://... ; absent: embedded PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
}

/** Turns drizzle's SQL into text and parameters for the statements run on postgres.js directly. */
const dialect = new PgDialect();

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Raw SQL on whatever handle is held (a transaction included), on either driver: its rows. */
export async function rawRows<T>(db: Db, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

/**
 * Runs `COPY (query) TO STDOUT (options)` on the handle's connection (inside its
 * transaction, if it is one) and hands its bytes to `onChunk` in order. On a Postgres server
 * they stream: one chunk per CopyData message Postgres sends, as it arrives. PGlite cannot
 * stream a COPY to its caller: there the COPY writes to its `/dev/blob` device and the
 * whole output is handed over as one chunk once the statement has ended (PGlite is the
 * embedded database of small contests; the bytes are held in memory once). Resolves once
 * the COPY has ended. Rejects when the statement fails, even midway, when the connection is
 * lost, or with what `onChunk` threw (the rest of the COPY is still read, so the connection
 * is not left paused in it). The query takes no parameters (COPY cannot bind any).
 */
export async function copyOut(db: Db, query: SQL, options: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  const client = (db._.session as unknown as { client?: { unsafe?: unknown; query?: unknown } }).client;
  const { sql: text, params } = dialect.sqlToQuery(query);
  if (params.length) throw new Error('copyOut: COPY takes no parameters');
  if (typeof client?.unsafe !== 'function') {
    if (typeof client?.query !== 'function') throw new Error('copyOut: this handle runs no COPY');
    const pglite = client as { query: (text: string) => Promise<{ blob?: Blob }> };
    const { blob } = await pglite.query(`copy (${text}) to '/dev/blob' ${options}`);
    const bytes = blob ? Buffer.from(await blob.arrayBuffer()) : Buffer.alloc(0);
    if (bytes.length) onChunk(bytes);
    return;
  }
  type CopyQuery = { readable(): Promise<Readable>; resolve(stream: Readable): void };
  const copy = (client.unsafe as (text: string) => CopyQuery).call(client, `copy (${text}) to stdout ${options}`);
  await new Promise<void>((resolve, reject) => {
    let failure: unknown = null;
    // postgres.js resolves the query with its stream as the COPY starts, and may destroy that
    // stream (the statement failed, the connection dropped) in the same turn, before code
    // awaiting the query could listen: an 'error' nobody listens to ends the process. So the
    // listeners go on the stream as postgres.js hands it over (the same resolve the pool's
    // counter in createDatabase wraps).
    const handOver = copy.resolve;
    copy.resolve = (stream) => {
      // Only the first call hands a stream over; the COPY's end resolves the query again.
      copy.resolve = handOver;
      stream.on('data', (chunk: Buffer) => {
        if (failure) return;
        try {
          onChunk(chunk);
        } catch (err) {
          failure = err;
        }
      });
      stream.on('error', reject);
      stream.on('end', () => (failure ? reject(failure) : resolve()));
      handOver.call(copy, stream);
    };
    copy.readable().catch(reject);
  });
}

/**
 * Holds a transaction-level advisory lock on `key` until the transaction ends: transactions
 * that take the same key run one after the other ("questions:<contestId>", "otp:<phone>").
 */
export async function lockKey(db: Db, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

/**
 * How long a transaction that holds rounds' row locks may wait on its client between
 * statements before Postgres ends its session (and so frees them). Such transactions never
 * wait on anyone between their statements; a client that stops talking (a driver that
 * stopped reading its answers: the finalize hang of 2026-12-02, db/patches) held a round's
 * lock until the API restarted, and every later finalize, publish, disqualification or
 * correction of the round waited behind it.
 */
export const LOCK_HOLDER_IDLE_MS = 60_000;

/**
 * A select-list expression that bounds its transaction's idle time between statements to
 * `ms` (idle_in_transaction_session_timeout, for this transaction only): put it in the
 * statement that takes the locks, so that it costs no round trip of its own.
 */
export function idleLimit(ms = LOCK_HOLDER_IDLE_MS): SQL {
  return sql`set_config('idle_in_transaction_session_timeout', ${String(ms)}, true)`;
}

/**
 * How long a pool connection waits before connecting again after a failure, in seconds
 * (postgres.js `backoff`; `failures` counts the pool's failures since its last success).
 * postgres.js's own grows 3× per failure up to 20 s: a restart of Postgres, which fails
 * every connection a few times, left the pool waiting out delays of up to ~10 s after
 * Postgres was back (npm run chaos: errors until 11–12 s after the restart). Here it
 * doubles from 50 ms to at most one second, with jitter so connections spread out.
 */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      idle_timeout: 30,
      connect_timeout: 5,
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
    });
    const max = opts.max ?? 10;
    let inFlight = 0;
    const settled = () => void inFlight--;
    // drizzle runs every statement through unsafe() and every transaction through begin();
    // inner statements of a transaction run on its connection and are counted with it.
    const counted = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'unsafe')
          return (...args: Parameters<typeof client.unsafe>) => {
            const q = target.unsafe(...args);
            inFlight++;
            const { resolve, reject } = q as unknown as { resolve(x: unknown): void; reject(x: unknown): void };
            let done = false;
            const once = () => {
              if (done) return;
              done = true;
              settled();
            };
            Object.assign(q, {
              resolve: (x: unknown) => (once(), resolve(x)),
              reject: (x: unknown) => (once(), reject(x)),
            });
            return q;
          };
        if (prop === 'begin')
          return async (...args: unknown[]) => {
            inFlight++;
            try {
              return await (target.begin as (...a: unknown[]) => Promise<unknown>)(...args);
            } finally {
              settled();
            }
          };
        return Reflect.get(target, prop, receiver);
      },
    });
    const db = drizzle(counted, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      poolStats: () => ({ inFlight, max }),
      exclusive: async (key, fn) => {
        const lock = postgres(opts.url!, { max: 1, connect_timeout: 5, onnotice: () => {} });
        try {
          await lock`select pg_advisory_lock(${key})`;
          // The lock dies with its session, so a migrator that crashes frees it.
          return await fn();
        } finally {
          await lock.end({ timeout: 5 });
        }
      },
      rows: async (q) => rowsOf(await db.execute(q)),
      hotRows: async <T>(q: SQL) => {
        const { sql: text, params } = dialect.sqlToQuery(q);
        return rowsOf<T>(await counted.unsafe(text, params as never[], { prepare: true }));
      },
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let client: InstanceType<typeof PGlite>;
  if (opts.dataDir && opts.dataDir !== 'memory://') {
    mkdirSync(opts.dataDir, { recursive: true });
    client = new PGlite(opts.dataDir);
  } else {
    client = new PGlite();
  }
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    poolStats: () => ({ inFlight: 0, max: 1 }),
    exclusive: (_key, fn) => fn(),
    rows: async (q) => rowsOf(await db.execute(q)),
    hotRows: async (q) => rowsOf(await db.execute(q)),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/**
 * Applies the pending migrations. Migrators that start together (replicas, a one-shot
 * migrate job beside an app's own start) take turns on an advisory lock: the second finds
 * everything applied instead of racing the first into "relation already exists".
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await database.exclusive(MIGRATION_LOCK_KEY, () => migrate(database.db as any, { migrationsFolder }));
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder });
  }
}
