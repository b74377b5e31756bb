import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// db/patches/postgres+3.4.9.patch: the pool hands out the idle connection used last. After a
// busy spell a light load stays on a few warm backends (each backend warms its own plans and
// caches) and the others reach idle_timeout, instead of all of them taken in turn.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ max: 6 });
});
afterAll(() => db.destroy());

const backend = async () => (await db.rows<{ pid: number }>(sql`select pg_backend_pid() as pid`))[0].pid;

describe('the Postgres pool', () => {
  it('opens up to its size under concurrency, then serves one query at a time from the connection used last', async () => {
    const busy = await Promise.all(Array.from({ length: 6 }, () => db.rows<{ pid: number }>(sql`select pg_backend_pid() as pid, pg_sleep(0.2)`)));
    expect(new Set(busy.map((r) => r[0].pid)).size).toBe(6);
    const one = [];
    for (let i = 0; i < 12; i++) one.push(await backend());
    expect(new Set(one).size).toBe(1);
    // Two at a time: the two used last, again and again.
    const two = new Set<number>();
    for (let i = 0; i < 6; i++) for (const pid of await Promise.all([backend(), backend()])) two.add(pid);
    expect(two.size).toBeLessThanOrEqual(2);
  });
});
