import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, rawRows, type Database } from '../../../db/client';
import { checksumOf, type RankedRow } from '../../../server/src/lib/ranking';
import { stagedChecksum, stagingOf } from '../../../server/src/modules/judging/finalize.sql';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

// finalize.sql.ts stagedChecksum: on a Postgres server the canonical lines stream out by COPY
// and are hashed in Node, on PGlite one aggregate hashes them. Either way the checksum is
// lib/ranking.ts checksumOf over the rows in position order, whatever order the staged
// table holds them in (here: stored in reverse, in more pages than one).

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

/** Stages `rows` for ROUND as stageRankedRows would, but stored from the last position to the first. */
async function stageReversed(database: Database, rows: RankedRow[]) {
  const staged = stagingOf(ROUND).rows;
  await rawRows(database.db, sql`create table ${staged} as select * from round_result_rows where false`);
  for (const r of [...rows].reverse())
    await rawRows(
      database.db,
      sql`insert into ${staged} (round_id, position, rank, prize, user_id, full_name, national_id, phone, birth_year, locality, unit, category,
        attempt_id, attempt_no, score, total, prediction, prediction_error, duration_ms, submitted_at, eligible, ineligible_reason)
      values (${ROUND}, ${r.position}, ${r.rank}, ${r.prize}, ${r.userId}, ${r.fullName}, ${r.nationalId}, ${r.phone}, ${r.birthYear}, ${r.locality},
        ${r.unit}, ${r.category}, ${r.attemptId}, ${r.attemptNo}, ${r.score}, ${r.total}, ${r.prediction}, ${r.predictionError}, ${r.durationMs},
        ${r.submittedAt.toISOString()}, ${r.eligible}, ${r.ineligibleReason})`,
    );
  return async () => void (await rawRows(database.db, sql`drop table ${staged}`));
}

function checksumCases(database: () => Database) {
  it('is the checksum of the rows in position order, with the eligible rows counted', async () => {
    const rows = rowsOf(600);
    const drop = await stageReversed(database(), rows);
    try {
      const got = await stagedChecksum(database().db, ROUND);
      expect(got).toEqual({ checksum: checksumOf(rows), ranked: rows.filter((r) => r.eligible).length, rows: 600 });
    } finally {
      await drop();
    }
  });

  it('is the checksum of no rows when nothing is staged', async () => {
    const drop = await stageReversed(database(), []);
    try {
      expect(await stagedChecksum(database().db, ROUND)).toEqual({ checksum: checksumOf([]), ranked: 0, rows: 0 });
    } finally {
      await drop();
    }
  });
}

describe('stagedChecksum on Postgres (COPY)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ max: 2 });
  });
  afterAll(() => db.destroy());
  checksumCases(() => db);
});

describe('stagedChecksum on PGlite (one aggregate)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({});
    await migrateDatabase(db);
  }, 60_000);
  afterAll(() => db.close());
  checksumCases(() => db);
});
