import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut, createDatabase, type Database } from '../../../db/client';
import { readBinaryCopy } from '../../../db/copy-binary';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// db/client.ts copyOut streams COPY ... TO STDOUT on a handle's connection; db/copy-binary.ts
// reads the binary format tuple by tuple (finalize hashes its checksum lines that way).

const ROWS = sql`select i, case when i % 3 = 0 then null else 'dòng ' || i || E'\\t\\\\\\n' end as text, i % 2 = 0 as even
  from generate_series(1, 500) i order by i`;

type Tuple = [number, string | null, boolean];

const decode = (fields: (Buffer | null)[]): Tuple => [fields[0]!.readInt32BE(0), fields[1] === null ? null : fields[1].toString('utf8'), fields[2]![0] === 1];

async function tuplesOf(stream: Readable): Promise<Tuple[]> {
  const out: Tuple[] = [];
  await readBinaryCopy(stream, (fields) => out.push(decode(fields)));
  return out;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The same bytes in chunks of the given sizes, cycled. */
function rechunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks, { objectMode: false });
}

describe('copyOut and readBinaryCopy on Postgres', () => {
  let db: TestDatabase;
  let expected: Tuple[];
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
    const rows = await db.rows<{ i: number; text: string | null; even: boolean }>(ROWS);
    expected = rows.map((r) => [r.i, r.text, r.even]);
  });
  afterAll(() => db.destroy());

  it('streams every tuple of the query, in its order, NULLs and escapes as they are', async () => {
    const stream = await copyOut(db.db, sql`copy (${ROWS}) to stdout (format binary)`);
    const got = await tuplesOf(stream!);
    expect(got).toHaveLength(500);
    expect(got).toEqual(expected);
    expect(got[1]).toEqual([2, 'dòng 2\t\\\n', true]);
    expect(got[2][1]).toBeNull();
  });

  it('reads the same tuples whatever the chunks: one byte, odd sizes, all at once', async () => {
    const bytes = await bytesOf((await copyOut(db.db, sql`copy (${ROWS}) to stdout (format binary)`))!);
    for (const sizes of [[1], [3, 7, 2, 19], [5000], [bytes.length]]) expect(await tuplesOf(rechunked(bytes, sizes))).toEqual(expected);
  });

  it('reads an empty result: the header and the trailer only', async () => {
    const got = await tuplesOf((await copyOut(db.db, sql`copy (select 1 where false) to stdout (format binary)`))!);
    expect(got).toEqual([]);
  });

  it('rejects a stream cut before its trailer, and one that is not binary COPY', async () => {
    const bytes = await bytesOf((await copyOut(db.db, sql`copy (${ROWS}) to stdout (format binary)`))!);
    await expect(tuplesOf(rechunked(bytes.subarray(0, bytes.length - 2), [64]))).rejects.toThrow(/ended early/);
    await expect(tuplesOf(rechunked(bytes.subarray(0, 100), [64]))).rejects.toThrow(/ended early/);
    await expect(tuplesOf(Readable.from([Buffer.from('1\tdòng\n'.repeat(10))]))).rejects.toThrow(/not a binary COPY/);
  });

  it('runs inside a transaction and sees what it has not committed', async () => {
    const got = await db.db.transaction(async (tx) => {
      await tx.execute(sql`create temp table copy_probe on commit drop as select 7 as i, 'chưa commit' as text, true as even`);
      return tuplesOf((await copyOut(tx, sql`copy (select i, text, even from copy_probe) to stdout (format binary)`))!);
    });
    expect(got).toEqual([[7, 'chưa commit', true]]);
  });

  it('fails the stream when the query fails midway, and the connection goes on', async () => {
    const failing = sql`copy (select i, (10 / (300 - i))::text, true from generate_series(1, 400) i) to stdout (format binary)`;
    await expect(db.db.transaction(async (tx) => tuplesOf((await copyOut(tx, failing))!))).rejects.toMatchObject({ code: '22012' });
    expect(await db.rows(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it('takes no parameters (COPY cannot bind them)', async () => {
    await expect(copyOut(db.db, sql`copy (select ${1}::int) to stdout (format binary)`)).rejects.toThrow(/no parameters/);
  });
});

describe('copyOut on PGlite', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
  });
  afterAll(() => db.close());

  it('is null: the caller asks another way', async () => {
    expect(await copyOut(db.db, sql`copy (select 1) to stdout (format binary)`)).toBeNull();
  });
});
