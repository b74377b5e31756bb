import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// A transaction whose Postgres backend dies mid-statement (a restart, an administrator's
// pg_terminate_backend, a proxy that drops it). postgres.js 3.4.9 then wrote the
// transaction's ROLLBACK to a socket it had already let go of, from a timer, and the
// TypeError ended the process (upstream porsager/postgres#1208); db/patches mends it. Here the
// transaction fails as any lost connection does, nothing is thrown
// where no caller can catch it (vitest fails the run on such an error), and the pool goes on.

let db: TestDatabase;
// Another client, on a connection of its own: it ends the transaction's backend.
let admin: postgres.Sql;
beforeAll(async () => {
  db = await createTestDatabase({ max: 2 });
  admin = postgres(db.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin.end({ timeout: 5 });
  await db.destroy();
});

async function transactionLosingItsBackend(): Promise<unknown> {
  return db.db.transaction(async (tx) => {
    const [{ pid }] = await rawRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
    const running = rawRows(tx, sql`select pg_sleep(5)`);
    await new Promise((r) => setTimeout(r, 100));
    await admin`select pg_terminate_backend(${pid})`;
    return running;
  });
}

describe('a transaction whose backend is lost', () => {
  it('fails as a lost connection does and the process goes on; the pool serves the next queries', async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      // The statement's error is the server's (57P01) or the lost connection's, as it comes.
      for (let i = 0; i < 3; i++) await expect(transactionLosingItsBackend()).rejects.toThrow(/terminat|CONNECTION_CLOSED/);
      // The ROLLBACK's write waited for the next turn of the event loop: let it come.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('uncaughtException', onCrash);
    }
    expect(crashes).toEqual([]);
    expect(await db.rows(sql`select 3 as three`)).toEqual([{ three: 3 }]);
    expect(await db.db.transaction((tx) => rawRows(tx, sql`select 4 as four`))).toEqual([{ four: 4 }]);
  });
});
