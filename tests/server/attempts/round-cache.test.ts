import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rounds } from '../../../db/schema/index';
import { RoundCache } from '../../../server/src/modules/attempts/attempts.cache';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { makeContest, makeRound } from '../../helpers/factories';

describe('attempts RoundCache: peek (the submit’s way in) and get', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('peeks nothing before a load, the loaded round after, a stale copy while it reloads, then the new one', async () => {
    const contest = await makeContest(database.db);
    const { round } = await makeRound(database.db, contest.id, { questionCount: 3 }, 4);
    let now = 1_000_000;
    const cache = new RoundCache(database, 5_000, () => now);

    expect(cache.peek(round.id)).toBeUndefined();
    const loaded = await cache.get(round.id);
    expect(loaded?.round.id).toBe(round.id);
    expect(loaded?.plans.size).toBe(4);
    expect(cache.peek(round.id)).toBe(loaded);

    // Within the TTL: the same copy, no reload.
    await database.db.update(rounds).set({ questionCount: 2 }).where(eq(rounds.id, round.id));
    now += 4_000;
    expect(cache.peek(round.id)?.round.questionCount).toBe(3);

    // Past it: peek answers at once with the stale copy and starts one reload; get then
    // answers with the copy until the reload lands, after which both see the change.
    now += 2_000;
    expect(cache.peek(round.id)).toBe(loaded);
    await expect.poll(() => cache.peek(round.id)?.round.questionCount).toBe(2);
    expect((await cache.get(round.id))?.round.questionCount).toBe(2);
  });

  it('keeps no entry for an unknown round: peek stays empty, get answers null', async () => {
    const cache = new RoundCache(database, 5_000);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await cache.get(unknown)).toBeNull();
    expect(cache.peek(unknown)).toBeUndefined();
  });
});
