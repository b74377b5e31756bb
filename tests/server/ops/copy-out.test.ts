import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut, createDatabase, rawRows, type Database, type Db } from '../../../db/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// db/client.ts copyOut: COPY (query) TO STDOUT on a handle's connection, streamed on a
// Postgres server, handed over whole on PGlite (its /dev/blob). Finalize hashes its checksum
// lines that way (judging/canonical-copy.ts).

const ROWS = sql`select i, case when i % 3 = 0 then null else 'dòng ' || i || E'\\t\\\\\\n' end as text, i % 2 = 0 as even
  from generate_series(1, 500) i order by i`;
const TEXT = `(format text, null '')`;

/** The rows of ROWS as COPY's text format writes them: tab-separated, LF-ended, NULL as '', escapes. */
const EXPECTED = Array.from({ length: 500 }, (_, k) => {
  const i = k + 1;
  return `${i}\t${i % 3 === 0 ? '' : `dòng ${i}\\t\\\\\\n`}\t${i % 2 === 0 ? 't' : 'f'}\n`;
}).join('');

/** The COPY's chunks as they came (copied: on postgres.js they are views into its receive buffer). */
async function chunksOf(db: Db, q: SQL, options = TEXT): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await copyOut(db, q, options, (c) => chunks.push(Buffer.from(c)));
  return chunks;
}

const textOf = async (db: Db, q: SQL) => Buffer.concat(await chunksOf(db, q)).toString('utf8');

function bothDrivers(database: () => Database) {
  it('copies every row of the query, in its order, NULLs and escapes as COPY writes them', async () => {
    expect(await textOf(database().db, ROWS)).toBe(EXPECTED);
  });

  it('hands over nothing for an empty result', async () => {
    expect(await chunksOf(database().db, sql`select 1 where false`)).toEqual([]);
  });

  it('runs inside a transaction and sees what it has not committed', async () => {
    const got = await database().db.transaction(async (tx) => {
      await tx.execute(sql`create temp table copy_probe on commit drop as select 7 as i, 'chưa commit' as text, true as even`);
      return textOf(tx, sql`select i, text, even from copy_probe`);
    });
    expect(got).toBe('7\tchưa commit\tt\n');
  });

  it('rejects when the statement fails, and the handle goes on', async () => {
    const midway = sql`select i, (10 / (300 - i))::text from generate_series(1, 400) i`;
    await expect(database().db.transaction((tx) => chunksOf(tx, midway))).rejects.toMatchObject({ code: '22012' });
    await expect(chunksOf(database().db, sql`select nothing_here`)).rejects.toMatchObject({ code: '42703' });
    expect(await database().rows(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it('takes no parameters (COPY cannot bind them)', async () => {
    await expect(copyOut(database().db, sql`select ${1}::int`, TEXT, () => {})).rejects.toThrow(/no parameters/);
  });
}

describe('copyOut on Postgres (streamed)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
  });
  afterAll(() => db.destroy());
  bothDrivers(() => db);

  it('streams: one chunk per row as Postgres sends them', async () => {
    const chunks = await chunksOf(db.db, ROWS);
    expect(chunks).toHaveLength(500);
    expect(chunks[1].toString('utf8')).toBe('2\tdòng 2\\t\\\\\\n\tt\n');
  });

  it('rejects midway, after rows were handed over, in one turn of postgres.js', async () => {
    let seen = 0;
    const midway = sql`select i, (10 / (300 - i))::text from generate_series(1, 400) i`;
    await expect(copyOut(db.db, midway, TEXT, () => void seen++)).rejects.toMatchObject({ code: '22012' });
    expect(seen).toBeGreaterThan(0);
  });

  it('rejects with what the consumer threw, after reading the COPY to its end', async () => {
    let calls = 0;
    const consumer = () => {
      calls++;
      throw new Error('consumer failed');
    };
    await expect(copyOut(db.db, ROWS, TEXT, consumer)).rejects.toThrow('consumer failed');
    expect(calls).toBe(1);
    expect(await textOf(db.db, ROWS)).toBe(EXPECTED);
  });

  it('rejects, and does not hang, when the connection is cut mid-COPY; the pool goes on', async () => {
    // Rows of 2 KB: Postgres sends a COPY's rows as its 8 KB output buffer fills.
    const slow = sql`select i, pg_sleep(0.01)::text, repeat('x', 2000) from generate_series(1, 1000) i`;
    let seen = 0;
    const reading = db.db.transaction(async (tx) => {
      const [{ pid }] = await rawRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
      const done = copyOut(tx, slow, TEXT, () => void seen++);
      // Observed at once: the COPY may fail before this callback returns it (a rejection
      // nobody listens to yet is reported as unhandled).
      done.catch(() => {});
      // Another connection ends this one's backend while rows are still coming.
      while (seen < 5) await new Promise((r) => setTimeout(r, 10));
      await db.rows(sql`select pg_terminate_backend(${pid})`);
      return done;
    });
    await expect(reading).rejects.toThrow();
    expect(seen).toBeLessThan(1000);
    expect(await db.rows(sql`select 2 as two`)).toEqual([{ two: 2 }]);
  });
});

describe('copyOut on PGlite (its /dev/blob, handed over whole)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
  });
  afterAll(() => db.close());
  bothDrivers(() => db);

  it('hands the whole output over as one chunk', async () => {
    const chunks = await chunksOf(db.db, ROWS);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].toString('utf8')).toBe(EXPECTED);
  });
});
