// A large round's export is written in short runs of rows: other requests get the event loop
// between runs, and nothing is written ahead of an output that is full. Asserted by what
// happens (turns of the loop, rows built), never by time.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { rawRows } from '../../../db/client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Round } from '../../../db/schema/index';
import { CANONICAL_COLUMNS, escapeCanonical } from '../../../server/src/lib/ranking';
import { csvValueToCanonical } from '../../../server/src/modules/exports/exports.format';
import { PAGE_ROWS } from '../../../server/src/modules/exports/exports.context';
import { writeExport } from '../../../server/src/modules/exports/index';
import { memberToken, useTestApp } from '../../helpers/app';
import { turnCounter, turns, watchingRows } from '../../helpers/event-loop';
import { makeContest, prizeTiers } from '../../helpers/factories';
import { makeClosedRound } from '../../helpers/results-factories';
import { finalize } from '../../helpers/requests';

const t = useTestApp();
let round: Round;
let judge: string;
/**
 * Ranked rows: no more than one page of the export's reads, so they come from the database
 * at once and every turn the loop gets in between is one the writer gave.
 */
const ROWS = 1_000;

/** `n` residents with one submitted attempt each, written in three statements. */
async function manySubmissions(r: Round, n: number) {
  const db = t.database.db;
  const tag = r.id.replace(/[^0-9a-z]/gi, '').slice(0, 12);
  const opens = r.opensAt.toISOString();
  const closes = r.closesAt.toISOString();
  const base = 10_000_000 + Math.floor(Math.random() * 80_000_000);
  await rawRows(
    db,
    sql`
    insert into users (id, full_name, phone, password_hash, national_id, birth_year)
    select ${tag} || '-u' || i, 'Nguyễn Thị Người Dự Thi ' || i, '03' || lpad((${base} + i)::text, 8, '0'), 'x', '09' || lpad((${base} + i)::text, 10, '0'), 1990
    from generate_series(1, ${n}) i`,
  );
  await rawRows(
    db,
    sql`
    insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
    select ${tag} || '-a' || i, ${r.id}, ${tag} || '-u' || i, 1, ${r.maxAttempts}, 1, '{}', ${opens}::timestamptz + i * interval '1 second', ${closes}::timestamptz
    from generate_series(1, ${n}) i`,
  );
  await rawRows(
    db,
    sql`
    insert into submissions (attempt_id, round_id, user_id, attempt_no, choices, prediction, score, total, deadline, submitted_at, duration_ms)
    select ${tag} || '-a' || i, ${r.id}, ${tag} || '-u' || i, 1, '\\x'::bytea, i % 97, i % 6, 5, ${closes}::timestamptz, ${opens}::timestamptz + i * interval '1 second' + interval '1 minute', 60000 + i % 1000
    from generate_series(1, ${n}) i`,
  );
}

beforeAll(async () => {
  expect(PAGE_ROWS).toBeGreaterThanOrEqual(ROWS);
  judge = await memberToken(t, 'judge');
  const contest = await makeContest(t.database.db);
  ({ round } = await makeClosedRound(t.database.db, contest.id, { questionCount: 5, prizes: prizeTiers(['Giải Nhất', 1], ['Giải Nhì', 2]) }));
  await manySubmissions(round, ROWS);
  const fin = await finalize(t.app, round.id, judge);
  expect(fin.statusCode).toBe(200);
  expect(fin.json().participants).toBe(ROWS);
});

/** Whatever is written, kept; `hold` keeps every write unacknowledged (a reader that stopped reading) until released. */
function sink(o: { highWaterMark?: number; hold?: boolean } = {}) {
  const chunks: Buffer[] = [];
  const held: (() => void)[] = [];
  let holding = o.hold ?? false;
  const out = new Writable({
    highWaterMark: o.highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      if (holding) held.push(() => cb());
      else cb();
    },
  });
  return {
    out,
    chunks,
    release() {
      holding = false;
      for (const cb of held.splice(0)) cb();
    },
    sha: () => createHash('sha256').update(Buffer.concat(chunks)).digest('hex'),
  };
}

describe('a large export, written in short runs', () => {
  it('XLSX: the event loop gets turns between runs of rows, even with every row already read', async () => {
    const loop = turnCounter();
    const turnAtRow: number[] = [];
    const { out } = sink();
    try {
      await watchingRows(
        () => turnAtRow.push(loop.turns),
        () => writeExport(t.database.db, round.id, 'xlsx', out),
      );
    } finally {
      loop.stop();
    }
    // The summary sheet's lines, the header, then every ranked row.
    const data = turnAtRow.slice(-ROWS);
    expect(turnAtRow.length).toBeGreaterThan(ROWS);
    // All the rows came in one read; the old writer built them in one go, with no turn at all.
    expect(data[data.length - 1] - data[0]).toBeGreaterThanOrEqual(Math.floor(ROWS / 500));
  });

  it('CSV: the event loop gets turns between runs of rows when the output never pushes back', async () => {
    const loop = turnCounter();
    const turnAtChunk: number[] = [];
    // A reader that always keeps up: write() never asks to wait.
    const out = new Writable({
      highWaterMark: 64 * 1024 * 1024,
      write(_chunk, _enc, cb) {
        turnAtChunk.push(loop.turns);
        cb();
      },
    });
    try {
      await writeExport(t.database.db, round.id, 'csv', out);
    } finally {
      loop.stop();
    }
    // ~250 bytes a row: several 64 KB chunks after the header's, built from one read.
    expect(turnAtChunk.length).toBeGreaterThan(3);
    expect(turnAtChunk[turnAtChunk.length - 1] - turnAtChunk[1]).toBeGreaterThanOrEqual(Math.floor(ROWS / 700));
  });

  it('XLSX: builds no rows ahead of an output that stopped reading, and goes on once it reads again, to the same bytes', async () => {
    // A round of its own, four pages long: how many rows pass before the output's fullness
    // reaches the writer depends on the zip's buffers and on how fast zlib (on libuv's
    // threads) takes them, up to ~800 under load; the old writer built every row.
    const contest = await makeContest(t.database.db);
    const { round: big } = await makeClosedRound(t.database.db, contest.id, { questionCount: 5, prizes: prizeTiers(['Giải Nhất', 1]) });
    const total = 4 * PAGE_ROWS;
    await manySubmissions(big, total);
    expect((await finalize(t.app, big.id, judge)).statusCode).toBe(200);
    const free = sink();
    await writeExport(t.database.db, big.id, 'xlsx', free.out);

    const slow = sink({ highWaterMark: 1024, hold: true });
    let rows = 0;
    let stalledAt = -1;
    await watchingRows(
      () => rows++,
      async () => {
        const done = writeExport(t.database.db, big.id, 'xlsx', slow.out);
        // Until the writer has its rows and the output has received something and is full
        // (a reader that stopped), then a good many turns for the writer to run ahead in.
        while (rows <= 20 || slow.chunks.length === 0) await turns(1);
        await turns(200);
        stalledAt = rows;
        slow.release();
        await done;
      },
    );
    expect(stalledAt).toBeLessThan(total / 2);
    expect(rows).toBeGreaterThan(total);
    expect(slow.sha()).toBe(free.sha());
  }, 60_000);
});

describe('a round of more rows than one read', () => {
  it('exports every row once, in position order, across the pages, with the finalized checksum', async () => {
    const contest = await makeContest(t.database.db);
    const { round: big } = await makeClosedRound(t.database.db, contest.id, { questionCount: 5, prizes: prizeTiers(['Giải Nhất', 3]) });
    const n = 2 * PAGE_ROWS + 345;
    await manySubmissions(big, n);
    // Positions are read in ranges: right after a finalize the table's statistics are stale.
    const fin = await finalize(t.app, big.id, judge);
    expect(fin.statusCode).toBe(200);
    const csv = sink();
    await writeExport(t.database.db, big.id, 'csv', csv.out);
    const records: string[][] = parse(Buffer.concat(csv.chunks).subarray(3).toString('utf8'));
    const rows = records.slice(1);
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The judge's recipe (exports.test.ts): the canonical columns of every row hash to the checksum.
    const canonical = rows
      .map(
        (r) =>
          r
            .slice(0, CANONICAL_COLUMNS.length)
            .map((cell) => escapeCanonical(csvValueToCanonical(cell)))
            .join('\t') + '\n',
      )
      .join('');
    expect(createHash('sha256').update(canonical, 'utf8').digest('hex')).toBe(fin.json().checksum);
  });
});
