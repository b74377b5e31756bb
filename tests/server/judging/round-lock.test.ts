import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_HOLDER_IDLE_MS, rawRows, type Db } from '../../../db/client';
import { lockRoundsOfContest } from '../../../server/src/modules/exclusions/exclusions.repo';
import { lockRoundsUsing } from '../../../server/src/modules/items/items.repo';
import { lockRound } from '../../../server/src/modules/judging/judging.repo';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeRound } from '../../helpers/factories';

// Finalize, publish and disqualification (judging.repo.ts lockRound), a key's correction
// (items.repo.ts lockRoundsUsing) and a new exclusion list (exclusions.repo.ts
// lockRoundsOfContest) hold rounds' row locks to the end of their transaction. A client that
// falls silent in one (the driver that stopped reading its answers after a COPY, db/patches)
// held them until the API restarted; now Postgres ends that session after
// LOCK_HOLDER_IDLE_MS (db/client.ts idleLimit) and the rounds are free again.

let db: TestDatabase;
let contestId = '';
let roundId = '';
let questionId = '';

beforeAll(async () => {
  db = await createTestDatabase({ max: 3 });
  contestId = (await makeContest(db.db)).id;
  const made = await makeRound(db.db, contestId, { number: 1 }, 3);
  roundId = made.round.id;
  questionId = made.pool[0].id;
});
afterAll(() => db.destroy());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the round lock', () => {
  const idleLimitOf = (tx: Db) => rawRows<{ t: string }>(tx, sql`select current_setting('idle_in_transaction_session_timeout') as t`).then((r) => r[0].t);

  it('bounds how long its transaction may sit idle, for that transaction only, wherever rounds are locked', async () => {
    expect(LOCK_HOLDER_IDLE_MS).toBe(60_000);
    const takers: [string, (tx: Db) => Promise<unknown>][] = [
      ['lockRound', (tx) => lockRound(tx, roundId)],
      ['lockRoundsUsing', (tx) => lockRoundsUsing(tx, questionId)],
      ['lockRoundsOfContest', (tx) => lockRoundsOfContest(tx, contestId)],
    ];
    for (const [name, take] of takers) {
      const inside = await db.db.transaction(async (tx) => {
        await take(tx);
        return idleLimitOf(tx);
      });
      expect(inside, name).toBe('1min');
    }
    expect(await db.db.transaction((tx) => idleLimitOf(tx))).toBe('0');
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
