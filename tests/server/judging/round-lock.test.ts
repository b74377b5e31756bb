import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRows } from '../../../db/client';
import { lockRound, ROUND_LOCK_IDLE_MS } from '../../../server/src/modules/judging/judging.repo';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeRound } from '../../helpers/factories';

// judging.repo.ts lockRound: finalize, publish and disqualification hold a round's row lock to
// the end of their transaction. A client that falls silent in such a transaction (the driver
// that stopped reading its answers after a COPY, db/patches) held it until the API restarted;
// now Postgres ends that session after ROUND_LOCK_IDLE_MS and the round is free again.

let db: TestDatabase;
let roundId = '';

beforeAll(async () => {
  db = await createTestDatabase({ max: 3 });
  const contest = await makeContest(db.db);
  roundId = (await makeRound(db.db, contest.id, { number: 1 })).round.id;
});
afterAll(() => db.destroy());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the round lock', () => {
  it('bounds how long its transaction may sit idle, for that transaction only', async () => {
    const inside = await db.db.transaction(async (tx) => {
      await lockRound(tx, roundId);
      return rawRows<{ t: string }>(tx, sql`select current_setting('idle_in_transaction_session_timeout') as t`);
    });
    expect(ROUND_LOCK_IDLE_MS).toBe(60_000);
    expect(inside).toEqual([{ t: '1min' }]);
    const after = await db.rows<{ t: string }>(sql`select current_setting('idle_in_transaction_session_timeout') as t`);
    expect(after).toEqual([{ t: '0' }]);
  });

  it('is taken: a second transaction waits for it', async () => {
    let secondHasIt = false;
    let second: Promise<void> = Promise.resolve();
    await db.db.transaction(async (tx) => {
      await lockRound(tx, roundId);
      second = db.db.transaction(async (tx2) => {
        await lockRound(tx2, roundId);
        secondHasIt = true;
      });
      await sleep(500);
      expect(secondHasIt).toBe(false);
    });
    await second;
    expect(secondHasIt).toBe(true);
  });

  it('is freed when the holder falls silent past the limit: its session ends, and the next one gets the round', async () => {
    let late: unknown = null;
    const silent = db.db.transaction(async (tx) => {
      await lockRound(tx, roundId, 300);
      // The client says nothing for longer than the limit, as a hung one would.
      await sleep(1_500);
      late = await rawRows(tx, sql`select 1`).then(
        () => 'answered',
        (err: unknown) => err,
      );
    });
    silent.catch(() => {});
    await sleep(100);
    const next = await db.db.transaction(async (tx) => {
      await lockRound(tx, roundId);
      return rawRows<{ id: string }>(tx, sql`select id from rounds where id = ${roundId}`);
    });
    expect(next).toEqual([{ id: roundId }]);
    await expect(silent).rejects.toThrow();
    // What the silent client says afterwards fails: its session is gone.
    await expect.poll(() => late, { timeout: 5_000 }).toBeInstanceOf(Error);
    // The pool goes on without the ended session.
    expect(await db.rows(sql`select 2 as two`)).toEqual([{ two: 2 }]);
  });
});
