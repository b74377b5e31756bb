import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db/client';
import { overrides } from '../../../db/schema/index';
import { startAttemptsSettled, type StartOutcome, type StartRequest } from '../../../server/src/modules/attempts/attempts.repo';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeResident, makeRound, makeStaff } from '../../helpers/factories';
import { makeExclusion } from '../../helpers/results-factories';

// A group-committed batch of starts is one start_attempts() statement (migration 0021):
// every request gets what it would get alone, whatever else is in the batch.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.destroy());

/** The database with its hot statements counted. */
function counting(database: Database): { database: Database; statements: () => number } {
  let n = 0;
  return {
    database: {
      ...database,
      hotRows: (q) => {
        n++;
        return database.hotRows(q);
      },
    } as Database,
    statements: () => n,
  };
}

/** Rounds' draw versions as made (makeRound), which a start must name to create an attempt. */
const versions = new Map<string, number>();
const made = <T extends { round: { id: string; drawVersion: number } }>(r: T): T => (versions.set(r.round.id, r.round.drawVersion), r);

const request = (userId: string, roundId: string, questionIds: string[], seed = 7): StartRequest => ({
  attemptId: randomUUID(),
  userId,
  roundId,
  seed,
  questionIds,
  now: new Date(),
  version: versions.get(roundId) ?? 0,
});

const attemptOf = (o: StartOutcome | Error) => {
  if (o instanceof Error || o.kind === 'refused' || o.kind === 'stale') throw new Error(`expected an attempt, got ${JSON.stringify(o)}`);
  return o.attempt;
};

describe('a batch of starts', () => {
  it('answers each request as alone: created, resumed, refused, in the order asked', async () => {
    const contest = await makeContest(db.db);
    const { round, pool } = made(await makeRound(db.db, contest.id, { maxAttempts: 2, timeLimitSeconds: 600 }));
    const { round: closed } = made(await makeRound(db.db, contest.id, { opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 3600_000) }));
    const ids = pool.map((q) => q.id);
    const [a, b, excluded] = [await makeResident(db.db), await makeResident(db.db), await makeResident(db.db)];
    const staff = await makeStaff(db.db, 'organizer');
    await makeExclusion(db.db, contest.id, { nationalId: excluded.nationalId });
    const [earlier] = await startAttemptsSettled(db, [request(a.id, round.id, ids)]);

    const reqs = [
      request(b.id, round.id, ids, 11),
      request(a.id, round.id, ids),
      request(excluded.id, round.id, ids),
      request(staff.id, round.id, ids),
      request(randomUUID(), round.id, ids),
      request(b.id, closed.id, ids),
      request(b.id, randomUUID(), ids),
    ];
    const out = await startAttemptsSettled(db, reqs);
    expect(out[0]).toMatchObject({ kind: 'created', attempt: { id: reqs[0].attemptId, userId: b.id, attemptNo: 1, seed: 11, questionIds: ids } });
    const created = attemptOf(out[0]);
    expect(created.deadlineMs - created.startedAtMs).toBe(600_000);
    // a has a running attempt: resumed as it was, not a second one.
    expect(out[1]).toEqual({ kind: 'running', attempt: attemptOf(earlier) });
    expect(out.slice(2)).toEqual([
      { kind: 'refused', reason: 'excluded' },
      { kind: 'refused', reason: 'not_resident' },
      { kind: 'refused', reason: 'unknown_user' },
      { kind: 'refused', reason: 'not_open' },
      { kind: 'refused', reason: 'not_open' },
    ]);
  });

  it('a double tap in one batch: the first request starts the attempt and the second resumes it, without redoing the batch', async () => {
    const contest = await makeContest(db.db);
    const { round, pool } = made(await makeRound(db.db, contest.id, { maxAttempts: 3 }));
    const ids = pool.map((q) => q.id);
    const [a, b, c] = [await makeResident(db.db), await makeResident(db.db), await makeResident(db.db)];
    const counted = counting(db);
    const reqs = [
      request(a.id, round.id, ids),
      request(b.id, round.id, ids),
      request(a.id, round.id, ids),
      request(c.id, round.id, ids),
      request(a.id, round.id, ids),
    ];
    const out = await startAttemptsSettled(counted.database, reqs);
    expect(out.map((o) => (o instanceof Error ? o.message : o.kind))).toEqual(['created', 'created', 'running', 'created', 'running']);
    expect(attemptOf(out[2])).toEqual(attemptOf(out[0]));
    expect(attemptOf(out[4])).toEqual(attemptOf(out[0]));
    // The batch of the three people, then each repeat alone: no failed statement run again.
    expect(counted.statements()).toBe(3);
    const rows = await db.rows<{ n: number }>(sql`select count(*)::int as n from attempts where round_id = ${round.id} and user_id = ${a.id}`);
    expect(rows[0].n).toBe(1);
  });

  it('counts an override: its extra attempt and seconds, then no more', async () => {
    const contest = await makeContest(db.db);
    const { round, pool } = made(await makeRound(db.db, contest.id, { maxAttempts: 1, timeLimitSeconds: 10 }));
    const ids = pool.map((q) => q.id);
    const [a, b] = [await makeResident(db.db), await makeResident(db.db)];
    const past = new Date(Date.now() - 3600_000);
    // Each has had one attempt, long over: the cap of 1 is used up.
    for (const u of [a, b]) expect((await startAttemptsSettled(db, [{ ...request(u.id, round.id, ids), now: past }]))[0]).toMatchObject({ kind: 'created' });
    await db.db.insert(overrides).values({ roundId: round.id, userId: a.id, extraAttempts: 1, extraSeconds: 20, reason: 'Mất điện' });
    const out = await startAttemptsSettled(db, [request(a.id, round.id, ids), request(b.id, round.id, ids)]);
    expect(out[0]).toMatchObject({ kind: 'created', attempt: { attemptNo: 2 } });
    const second = attemptOf(out[0]);
    expect(second.deadlineMs - second.startedAtMs).toBe(30_000);
    expect(out[1]).toEqual({ kind: 'refused', reason: 'exhausted' });
    // Once that one is over, a has used 1 + 1 attempts.
    const later = { ...request(a.id, round.id, ids), now: new Date(second.deadlineMs + 31_000) };
    expect(await startAttemptsSettled(db, [later])).toEqual([{ kind: 'refused', reason: 'exhausted' }]);
  });
});
