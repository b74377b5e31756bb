import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index';

export type Schema = typeof schema;
/** The driver-neutral drizzle handle: postgres.js and PGlite both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs raw SQL and returns its rows, whichever driver is underneath. */
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Queries (and transactions) running or waiting for a connection, and the pool size.
   * postgres.js exposes no pool state, so this counts at the client: a query is in flight
   * from the moment it is made until it settles.
   */
  poolStats(): { inFlight: number; max: number };
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export interface DatabaseOptions {
  /** postgres://... ; absent: embedded PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(opts.url, {
      max: opts.max ?? 10,
      idle_timeout: 30,
      connect_timeout: 5,
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
      rows: async (q) => rowsOf(await db.execute(q)),
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
    rows: async (q) => rowsOf(await db.execute(q)),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder });
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder });
  }
}
