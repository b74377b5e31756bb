import { eq, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase, type Database } from '../../../db/client';
import { rounds, users } from '../../../db/schema/index';
import { sqlState } from '../../../server/src/lib/errors';
import { insertSubmissions, type SubmissionRow } from '../../../server/src/modules/attempts/attempts.repo';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeResident, makeRound } from '../../helpers/factories';
import { makeTimedAttempt } from '../../helpers/results-factories';

// Migration 0023: a submission is tied to its attempt by the INSERT's join (FOR SHARE) and two
// triggers on attempts instead of a foreign key. What the key did must still hold.

let pg: TestDatabase;
let lite: Database;
beforeAll(async () => {
  pg = await createTestDatabase();
  lite = await createDatabase({});
  await migrateDatabase(lite);
}, 120_000);
afterAll(async () => {
  await pg?.destroy();
  await lite?.close();
});

/** A resident with one running attempt (deadline in an hour) and its submission row, not yet written. */
async function attemptOf(database: Database) {
  const contest = await makeContest(database.db);
  const { round, pool } = await makeRound(database.db, contest.id, { questionCount: 2 }, 2);
  const user = await makeResident(database.db);
  const now = Date.now();
  const { id } = await makeTimedAttempt(database.db, round.id, user.id, pool, { startedAt: new Date(now), deadline: new Date(now + 3_600_000) });
  const row: SubmissionRow = {
    attemptId: id,
    roundId: round.id,
    userId: user.id,
    choices: Buffer.from([0, 1]),
    answersSeq: null,
    answersSet: null,
    prediction: 3,
    score: 1,
    total: 2,
    submittedAt: new Date(),
    durationMs: 1000,
  };
  return { round, user, id, row };
}

const countOf = async (database: Database, attemptId: string) =>
  (await database.rows<{ c: number }>(sql`select count(*)::int as c from submissions where attempt_id = ${attemptId}`))[0].c;

describe.each([
  ['Postgres', () => pg as Database],
  ['PGlite', () => lite],
])('a submission stays tied to its attempt (%s)', (_name, database) => {
  it('stores the attempt’s deadline and number, and only for an attempt of that person and round', async () => {
    const d = database();
    const { id, row } = await attemptOf(d);
    const other = await makeResident(d.db);
    expect(await insertSubmissions(d, [{ ...row, userId: other.id }])).toEqual(new Set());
    expect(await insertSubmissions(d, [{ ...row, attemptId: 'no-such-attempt' }])).toEqual(new Set());
    expect(await insertSubmissions(d, [row])).toEqual(new Set([id]));
    const [s] = await d.rows<{ same: boolean; attempt_no: number }>(sql`
      select s.deadline = a.deadline as same, s.attempt_no from submissions s join attempts a on a.id = s.attempt_id where s.attempt_id = ${id}`);
    expect(s).toEqual({ same: true, attempt_no: 1 });
  });

  it('refuses to move the deadline of a submitted attempt (23503) and moves a running one', async () => {
    const d = database();
    const running = await attemptOf(d);
    await d.rows(sql`update attempts set deadline = deadline + interval '5 minutes' where id = ${running.id}`);
    const submitted = await attemptOf(d);
    await insertSubmissions(d, [submitted.row]);
    const moved = await d.rows(sql`update attempts set deadline = deadline + interval '5 minutes' where id = ${submitted.id}`).catch((e: unknown) => e);
    expect(sqlState(moved)).toBe('23503');
    // Other columns of a submitted attempt may change (a round's cap follows by cascade).
    await d.rows(sql`update attempts set seed = seed + 1 where id = ${submitted.id}`);
    expect(await countOf(d, submitted.id)).toBe(1);
  });

  it('deletes the submissions with their attempts: directly, with the person, with the round', async () => {
    const d = database();
    const a = await attemptOf(d);
    const b = await attemptOf(d);
    const c = await attemptOf(d);
    const kept = await attemptOf(d);
    await insertSubmissions(d, [a.row, b.row, c.row, kept.row]);
    await d.rows(sql`delete from attempts where id = ${a.id}`);
    await d.db.delete(users).where(eq(users.id, b.user.id));
    await d.db.delete(rounds).where(eq(rounds.id, c.round.id));
    expect([await countOf(d, a.id), await countOf(d, b.id), await countOf(d, c.id), await countOf(d, kept.id)]).toEqual([0, 0, 0, 1]);
  });
});

describe('a submission being written holds its attempt until it commits (Postgres)', () => {
  const dialect = new PgDialect();
  /** insertSubmissions inside a transaction left open on a connection of its own. */
  async function openInsert(row: SubmissionRow) {
    const client = postgres(pg.url, { max: 1, onnotice: () => {} });
    // As db/client.ts: drizzle's driver sets how JSON parameters are sent.
    drizzle(client);
    const conn = await client.reserve();
    await conn`begin`;
    const inTx = {
      ...pg,
      hotRows: async <T>(q: Parameters<Database['hotRows']>[0]) => {
        const { sql: text, params } = dialect.sqlToQuery(q);
        return (await conn.unsafe(text, params as never[])) as unknown as T[];
      },
    } as Database;
    const inserted = await insertSubmissions(inTx, [row]);
    return {
      inserted,
      commit: async () => {
        await conn`commit`;
        conn.release();
        await client.end({ timeout: 5 });
      },
    };
  }
  const settledWithin = (p: Promise<unknown>, ms: number) =>
    Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise((r) => setTimeout(() => r(false), ms)),
    ]);

  it('a deadline move waits for the commit, then fails as for a stored submission', async () => {
    const { id, row } = await attemptOf(pg);
    const tx = await openInsert(row);
    expect(tx.inserted).toEqual(new Set([id]));
    const move = pg.rows(sql`update attempts set deadline = deadline + interval '5 minutes' where id = ${id}`).catch((e: unknown) => e);
    expect(await settledWithin(move, 400)).toBe(false);
    await tx.commit();
    expect(sqlState(await move)).toBe('23503');
    const [s] = await pg.rows<{ same: boolean }>(
      sql`select s.deadline = a.deadline as same from submissions s join attempts a on a.id = s.attempt_id where s.attempt_id = ${id}`,
    );
    expect(s.same).toBe(true);
  });

  it('deleting the person waits for the commit, then deletes the submission too', async () => {
    const { id, user, row } = await attemptOf(pg);
    const tx = await openInsert(row);
    const gone = pg.db.delete(users).where(eq(users.id, user.id));
    const deleting = gone.then(() => 'deleted');
    expect(await settledWithin(deleting, 400)).toBe(false);
    await tx.commit();
    expect(await deleting).toBe('deleted');
    expect(await countOf(pg, id)).toBe(0);
  });
});
