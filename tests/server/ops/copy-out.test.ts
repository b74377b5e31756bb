import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut, createDatabase, rawRows, type Database, type Db } from '../../../db/client';
import { BinaryCopyReader } from '../../../db/copy-binary';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// db/client.ts copyOut streams COPY ... TO STDOUT on a handle's connection; db/copy-binary.ts
// reads the binary format tuple by tuple (finalize hashes its checksum lines that way).

const ROWS = sql`select i, case when i % 3 = 0 then null else 'dòng ' || i || E'\\t\\\\\\n' end as text, i % 2 = 0 as even
  from generate_series(1, 500) i order by i`;

type Tuple = [number, string | null, boolean];

const decode = (fields: (Buffer | null)[]): Tuple => [fields[0]!.readInt32BE(0), fields[1] === null ? null : fields[1].toString('utf8'), fields[2]![0] === 1];

/** The tuples `chunks` hold, read in that chunking. */
function tuplesIn(chunks: Buffer[]): Tuple[] {
  const out: Tuple[] = [];
  const reader = new BinaryCopyReader((fields) => out.push(decode(fields)));
  for (const c of chunks) reader.push(c);
  reader.end();
  return out;
}

/** The COPY's chunks as they came. */
async function chunksOf(db: Db, q: SQL): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  // The chunks are copied: they are views into postgres.js's receive buffer.
  expect(await copyOut(db, q, (c) => chunks.push(Buffer.from(c)))).toBe(true);
  return chunks;
}

const tuplesOf = async (db: Db, q: SQL) => tuplesIn(await chunksOf(db, q));

/** The same bytes in chunks of the given sizes, cycled. */
function rechunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

describe('copyOut and BinaryCopyReader on Postgres', () => {
  let db: TestDatabase;
  let expected: Tuple[];
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
    const rows = await db.rows<{ i: number; text: string | null; even: boolean }>(ROWS);
    expected = rows.map((r) => [r.i, r.text, r.even]);
  });
  afterAll(() => db.destroy());

  it('streams every tuple of the query, in its order, NULLs and escapes as they are', async () => {
    const got = await tuplesOf(db.db, sql`copy (${ROWS}) to stdout (format binary)`);
    expect(got).toHaveLength(500);
    expect(got).toEqual(expected);
    expect(got[1]).toEqual([2, 'dòng 2\t\\\n', true]);
    expect(got[2][1]).toBeNull();
  });

  it('reads the same tuples whatever the chunks: one byte, odd sizes, all at once', async () => {
    const bytes = Buffer.concat(await chunksOf(db.db, sql`copy (${ROWS}) to stdout (format binary)`));
    for (const sizes of [[1], [3, 7, 2, 19], [5000], [bytes.length]]) expect(tuplesIn(rechunked(bytes, sizes))).toEqual(expected);
  });

  it('reads an empty result: the header and the trailer only', async () => {
    expect(await tuplesOf(db.db, sql`copy (select 1 where false) to stdout (format binary)`)).toEqual([]);
  });

  it('refuses data cut before its trailer, data after it, and data that is not binary COPY', async () => {
    const bytes = Buffer.concat(await chunksOf(db.db, sql`copy (${ROWS}) to stdout (format binary)`));
    expect(() => tuplesIn(rechunked(bytes.subarray(0, bytes.length - 2), [64]))).toThrow(/ended early/);
    expect(() => tuplesIn(rechunked(bytes.subarray(0, 100), [64]))).toThrow(/ended early/);
    expect(() => tuplesIn([Buffer.concat([bytes, Buffer.from([0, 1])])])).toThrow(/after its trailer/);
    expect(() => tuplesIn([Buffer.from('1\tdòng\n'.repeat(10))])).toThrow(/not a binary COPY/);
  });

  it('runs inside a transaction and sees what it has not committed', async () => {
    const got = await db.db.transaction(async (tx) => {
      await tx.execute(sql`create temp table copy_probe on commit drop as select 7 as i, 'chưa commit' as text, true as even`);
      return tuplesOf(tx, sql`copy (select i, text, even from copy_probe) to stdout (format binary)`);
    });
    expect(got).toEqual([[7, 'chưa commit', true]]);
  });

  it('rejects when the statement fails midway or at once, and the connection goes on', async () => {
    // Rows already sent, then the error: in one turn of postgres.js, before any await resumes.
    const midway = sql`copy (select i, (10 / (300 - i))::text, true from generate_series(1, 400) i) to stdout (format binary)`;
    await expect(db.db.transaction((tx) => tuplesOf(tx, midway))).rejects.toMatchObject({ code: '22012' });
    await expect(tuplesOf(db.db, midway)).rejects.toMatchObject({ code: '22012' });
    await expect(tuplesOf(db.db, sql`copy (select nothing_here) to stdout (format binary)`)).rejects.toMatchObject({ code: '42703' });
    expect(await db.rows(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it('rejects with what the consumer threw, after reading the COPY to its end', async () => {
    let calls = 0;
    const consumer = () => {
      calls++;
      throw new Error('consumer failed');
    };
    await expect(copyOut(db.db, sql`copy (${ROWS}) to stdout (format binary)`, consumer)).rejects.toThrow('consumer failed');
    expect(calls).toBe(1);
    expect(await tuplesOf(db.db, sql`copy (${ROWS}) to stdout (format binary)`)).toEqual(expected);
  });

  it('rejects, and does not hang, when the connection is cut mid-COPY; the pool goes on', async () => {
    const slow = sql`copy (select i, pg_sleep(0.01)::text, true from generate_series(1, 1000) i) to stdout (format binary)`;
    let seen = 0;
    const reading = db.db.transaction(async (tx) => {
      const [{ pid }] = await rawRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
      const reader = new BinaryCopyReader(() => void seen++);
      const done = copyOut(tx, slow, (c) => reader.push(c));
      // Another connection ends this one's backend while rows are still coming.
      while (seen < 5) await new Promise((r) => setTimeout(r, 10));
      await db.rows(sql`select pg_terminate_backend(${pid})`);
      return done;
    });
    await expect(reading).rejects.toThrow();
    expect(seen).toBeLessThan(1000);
    expect(await db.rows(sql`select 2 as two`)).toEqual([{ two: 2 }]);
  });

  it('takes no parameters (COPY cannot bind them)', async () => {
    await expect(copyOut(db.db, sql`copy (select ${1}::int) to stdout (format binary)`, () => {})).rejects.toThrow(/no parameters/);
  });
});

describe('copyOut on PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
  });
  afterAll(() => db.close());

  it('answers false and reads nothing: the caller asks another way', async () => {
    let calls = 0;
    expect(await copyOut(db.db, sql`copy (select 1) to stdout (format binary)`, () => void calls++)).toBe(false);
    expect(calls).toBe(0);
  });
});
