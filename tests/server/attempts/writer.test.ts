import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubmissionWriter } from '../../../server/src/modules/attempts/attempts.writer';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeRound } from '../../helpers/factories';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.destroy());

describe('SubmissionWriter', () => {
  it('writes 7,000 rows as one statement (10 columns × 7,000 would pass 65,535 bind parameters)', async () => {
    const contest = await makeContest(db.db);
    const { round, pool } = await makeRound(db.db, contest.id, { questionCount: 3 }, 3);
    const n = 7000;
    await db.rows(sql`
      insert into users (id, full_name, phone, password_hash, role, national_id, birth_year)
      select 'w' || i, 'Người ' || i, '03' || lpad(i::text, 8, '0'), 'x', 'resident', '0980' || lpad(i::text, 8, '0'), 1990 from generate_series(1, ${n}) i`);
    await db.rows(sql`
      insert into attempts (id, round_id, user_id, attempt_no, max_attempts, seed, question_ids, started_at, deadline)
      select 'wa' || i, ${round.id}, 'w' || i, 1, 1, i, ${`{${pool.map((q) => q.id).join(',')}}`}::text[], now(), now() + interval '1 hour'
      from generate_series(1, ${n}) i`);
    const statements: number[] = [];
    const counting = { ...db, hotRows: (q: Parameters<typeof db.hotRows>[0]) => (statements.push(1), db.hotRows(q)) } as typeof db;
    const writer = new SubmissionWriter(counting, { maxItems: 10_000, maxDelayMs: 5_000, maxInFlight: 1 });
    const now = new Date();
    const pending = Array.from({ length: n }, (_, k) =>
      writer.submit({
        attemptId: `wa${k + 1}`,
        roundId: round.id,
        userId: `w${k + 1}`,
        choices: Buffer.from([0]),
        answersSeq: null,
        answersSet: null,
        prediction: k,
        score: 1,
        total: 3,
        submittedAt: now,
        durationMs: 1000,
      }),
    );
    await writer.close();
    const outcomes = await Promise.all(pending);
    expect(new Set(outcomes)).toEqual(new Set(['inserted']));
    expect(statements).toHaveLength(1);
    const [{ c }] = await db.rows<{ c: number }>(sql`select count(*)::int as c from submissions where round_id = ${round.id}`);
    expect(c).toBe(n);
  });
});
