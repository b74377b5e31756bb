import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, rawRows, type Database, type Db } from '../../../db/client';
import { checksumOf, type RankedRow } from '../../../server/src/lib/ranking';
import { stagedChecksum, stagingOf, storeStagedRows, withLocalSetting } from '../../../server/src/modules/judging/finalize.sql';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeRound } from '../../helpers/factories';

// finalize.sql.ts stagedChecksum: on a Postgres server the canonical lines stream out by COPY
// and are hashed in Node as they arrive, on PGlite COPY writes them to its /dev/blob and
// they are hashed whole (db/client.ts copyOut). Either way the checksum is
// lib/ranking.ts checksumOf over the rows in position order, whatever order the staged
// table holds them in (here: stored in reverse, in more pages than one). storeStagedRows
// stores a round's first rows with the checksum of the rows as the INSERT wrote them, and
// takes it of the staged rows instead when those did not come in position order.

const ROUND = 'round-staged-checksum';
const NAMES = ['Nguyễn Văn An', 'Lê\\Văn\tAn\r\nB', 'Trần\\\\Thị\n', 'Phạm\bVăn\fC\v', 'Đỗ "Hà" , Nội'];

function rowsOf(n: number): RankedRow[] {
  let rank = 0;
  return Array.from({ length: n }, (_, i) => {
    const eligible = i % 7 !== 3;
    return {
      position: i + 1,
      rank: eligible ? ++rank : null,
      prize: eligible && rank <= 3 ? `Giải ${rank}` : null,
      userId: `user-${(i * 7919) % 10007}`,
      fullName: NAMES[i % NAMES.length],
      nationalId: i % 5 === 0 ? null : `0380${String(i).padStart(8, '0')}`,
      phone: `09${String(i).padStart(8, '0')}`,
      birthYear: i % 4 === 0 ? null : 1950 + (i % 60),
      locality: i % 3 === 0 ? null : `Xã ${i % 31}`,
      unit: i % 2 === 0 ? null : `Đơn vị\t${i % 45}`,
      category: i % 6 === 0 ? 'Cán bộ' : null,
      attemptId: `attempt-${i}`,
      attemptNo: 1 + (i % 3),
      score: 20 - (i % 20),
      total: 20,
      prediction: (i * 37) % 1000,
      predictionError: (i * 13) % 500,
      durationMs: 1000 * (i % 1200) + (i % 1000),
      submittedAt: new Date(Date.UTC(2026, 10, 20, 3, 0, 0, 0) + i * 1237),
      eligible,
      ineligibleReason: eligible ? null : i % 2 ? 'excluded' : 'disqualified: Gian lận',
    };
  });
}

/**
 * Stages `rows` for `round` as stageRankedRows would: by CREATE TABLE AS, which fills its
 * pages in the order its query gives (here from the last position to the first, unless told
 * otherwise; more pages than one).
 */
async function stageReversed(database: Database, rows: RankedRow[], { round = ROUND, reversed = true } = {}) {
  const staged = stagingOf(round).rows;
  const source = sql.identifier(`source_${round.replace(/[^a-z0-9]/gi, '')}`);
  // The stored row's columns but the flags, which are staged apart (Staging.flags).
  await rawRows(database.db, sql`create table ${source} as select * from round_result_rows where false`);
  await rawRows(database.db, sql`alter table ${source} drop column flags`);
  for (const r of rows)
    await rawRows(
      database.db,
      sql`insert into ${source} (round_id, position, rank, prize, user_id, full_name, national_id, phone, birth_year, locality, unit, category,
        attempt_id, attempt_no, score, total, prediction, prediction_error, duration_ms, submitted_at, eligible, ineligible_reason)
      values (${round}, ${r.position}, ${r.rank}, ${r.prize}, ${r.userId}, ${r.fullName}, ${r.nationalId}, ${r.phone}, ${r.birthYear}, ${r.locality},
        ${r.unit}, ${r.category}, ${r.attemptId}, ${r.attemptNo}, ${r.score}, ${r.total}, ${r.prediction}, ${r.predictionError}, ${r.durationMs},
        ${r.submittedAt.toISOString()}, ${r.eligible}, ${r.ineligibleReason})`,
    );
  await rawRows(database.db, sql`create table ${staged} as select * from ${source} order by position ${reversed ? sql`desc` : sql``}`);
  await rawRows(database.db, sql`drop table ${source}`);
  return async () => void (await rawRows(database.db, sql`drop table ${staged}`));
}

function checksumCases(database: () => Database) {
  for (const reversed of [true, false])
    it(`is the checksum of the rows in position order, with the eligible rows counted (staged ${reversed ? 'out of' : 'in'} order)`, async () => {
      const rows = rowsOf(600);
      const drop = await stageReversed(database(), rows, { reversed });
      const copies = countCopies(database());
      try {
        const got = await stagedChecksum(copies.db, ROUND);
        expect(got).toEqual({ checksum: checksumOf(rows), ranked: rows.filter((r) => r.eligible).length, rows: 600 });
        // Read as they lie; again, sorted, only when they did not lie in position order.
        expect(copies.count()).toBe(reversed ? 2 : 1);
      } finally {
        await drop();
      }
    });

  it('puts a setting changed for one statement back as it was (withLocalSetting)', async () => {
    const setting = async (db: Db) => (await rawRows<{ v: string }>(db, sql`select current_setting('enable_hashagg') as v`))[0].v;
    await database().db.transaction(async (tx) => {
      expect(await setting(tx)).toBe('on');
      expect(await withLocalSetting(tx, 'enable_hashagg', 'off', () => setting(tx))).toBe('off');
      expect(await setting(tx)).toBe('on');
      await rawRows(tx, sql`select set_config('enable_hashagg', 'off', true)`);
      expect(await withLocalSetting(tx, 'enable_hashagg', 'on', () => setting(tx))).toBe('on');
      expect(await setting(tx)).toBe('off');
    });
    expect(await setting(database().db)).toBe('on');
  });

  it('is the checksum of no rows when nothing is staged', async () => {
    const drop = await stageReversed(database(), []);
    try {
      expect(await stagedChecksum(database().db, ROUND)).toEqual({ checksum: checksumOf([]), ranked: 0, rows: 0 });
    } finally {
      await drop();
    }
  });

  for (const reversed of [false, true])
    it(`stores a round's first rows with their flags and their checksum, staged ${reversed ? 'out of' : 'in'} position order`, async () => {
      const db = database().db;
      const contest = await makeContest(db);
      const { round } = await makeRound(db, contest.id, {}, 0);
      const rows = rowsOf(600);
      const drop = await stageReversed(database(), rows, { round: round.id, reversed });
      const flags = stagingOf(round.id).flags;
      await rawRows(db, sql`create table ${flags} (position int, flags text[])`);
      await rawRows(db, sql`insert into ${flags} values (7, '{too_fast}'), (600, '{answer_farm,same_device_or_address}')`);
      // As fairplay.sql.ts stageFlags leaves it: counted, so the join hashes the few flags.
      await rawRows(db, sql`analyze ${flags}`);
      const copies = countCopies(database());
      try {
        const sum = await storeStagedRows(copies.db, round.id, null);
        expect(sum).toEqual({ checksum: checksumOf(rows), ranked: rows.filter((r) => r.eligible).length, rows: 600 });
        // One COPY (the INSERT's) when the rows came in order; one more over the staged rows when not.
        expect(copies.count()).toBe(reversed ? 2 : 1);
        const stored = await rawRows<{ n: number; flagged: string }>(
          db,
          sql`select count(*)::int as n, string_agg(position || ':' || array_to_string(flags, ','), ' ' order by position) filter (where cardinality(flags) > 0) as flagged
            from round_result_rows where round_id = ${round.id}`,
        );
        expect(stored).toEqual([{ n: 600, flagged: '7:too_fast 600:answer_farm,same_device_or_address' }]);
        // Stored again: the rows are there, so the checksum is the staged rows' and nothing changes.
        expect(await storeStagedRows(db, round.id, sum.checksum)).toEqual(sum);
      } finally {
        await rawRows(db, sql`drop table ${flags}`);
        await drop();
      }
    });
}

/** `database`'s handle, with the COPY statements that copyOut (db/client.ts) sends through it counted. */
function countCopies(database: Database) {
  const real = (database.db._.session as unknown as { client: Record<string, unknown> }).client;
  const method = typeof real.unsafe === 'function' ? 'unsafe' : 'query';
  let count = 0;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== method || typeof value !== 'function') return value;
      return (text: string, ...rest: unknown[]) => {
        if (/^copy\b/i.test(text)) count++;
        return (value as (...a: unknown[]) => unknown).call(target, text, ...rest);
      };
    },
  });
  const db = new Proxy(database.db, {
    get(target, prop, receiver) {
      if (prop !== '_') return Reflect.get(target, prop, receiver) as unknown;
      return { ...target._, session: new Proxy(target._.session, { get: (s, p, r) => (p === 'client' ? client : (Reflect.get(s, p, r) as unknown)) }) };
    },
  });
  return { db, count: () => count };
}

describe('stagedChecksum on Postgres (COPY)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
  });
  afterAll(() => db.destroy());
  checksumCases(() => db);
});

describe('stagedChecksum on PGlite (COPY to /dev/blob)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
    await migrateDatabase(db);
  }, 60_000);
  afterAll(() => db.close());
  checksumCases(() => db);
});
