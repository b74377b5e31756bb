import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut, rawRows } from '../../../db/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// A transaction whose Postgres backend dies mid-statement (a restart, an administrator's
// pg_terminate_backend, a proxy that drops it). postgres.js 3.4.9 then wrote the
// transaction's ROLLBACK to a socket it had already let go of, from a timer, and the
// TypeError ended the process (upstream porsager/postgres#1208); db/patches mends it. Here the
// transaction fails as any lost connection does, nothing is thrown
// where no caller can catch it (vitest fails the run on such an error), and the pool goes on,
// loss after loss, without handing the lost connection to a second caller (db/patches too).

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
    // Observed at once: it can fail while this callback still waits below.
    running.catch(() => {});
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

  it('never hands the lost connection to two callers, loss after loss, in a statement or a COPY', async () => {
    // Before db/patches mended it, the failed statement stayed the connection's current one
    // and the transaction's ROLLBACK was queued behind it; after a reconnect the pool could
    // give the transaction's connection to another caller too (here: the pid query below
    // answered by the dying backend, a COPY_IN_PROGRESS error, or a hang).
    const seen: { pid: number; other: unknown }[] = [];
    for (let i = 0; i < 8; i++) {
      const outcome = await db.db
        .transaction(async (tx) => {
          const [{ pid }] = await rawRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
          const running =
            i % 2 === 0
              ? rawRows(tx, sql`select pg_sleep(5)`)
              : copyOut(tx, sql`select pg_sleep(0.01)::text, repeat('x', 2000) from generate_series(1, 1000)`, '(format text)', () => {});
          // Observed at once: it fails while this callback still waits below.
          running.catch(() => {});
          await new Promise((r) => setTimeout(r, 100));
          // The pool's other connection answers at once; the transaction's is busy.
          const other = await Promise.race([
            db.rows<{ other: number }>(sql`select pg_backend_pid() as other`).then(
              ([r]) => r.other,
              (e: Error) => e.message,
            ),
            new Promise((r) => setTimeout(() => r('no answer within 2 s'), 2000)),
          ]);
          seen.push({ pid, other });
          await admin`select pg_terminate_backend(${pid})`;
          return running;
        })
        .then(
          () => 'finished',
          () => 'lost',
        );
      expect(outcome).toBe('lost');
      expect(seen).toHaveLength(i + 1);
      expect(typeof seen[i].other).toBe('number');
      expect(seen[i].other).not.toBe(seen[i].pid);
      expect(await db.rows(sql`select ${i}::int as i`)).toEqual([{ i }]);
    }
  }, 60_000);
});
