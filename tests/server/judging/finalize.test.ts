import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { rounds, users, type Round, type User } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import {
  makeClosedRound,
  makeDisqualification,
  makeExclusion,
  makeLocality,
  makePriorWinners,
  makeSubmission,
  makeUnit,
} from '../../helpers/results-factories';
import { checksumOfServedRows, finalize, ranking, type RankingRow } from '../../helpers/requests';
import { finalizeRound } from '../../../server/src/modules/judging/finalize.service';

const t = useTestApp();
let judgeToken: string;
beforeAll(async () => (judgeToken = await memberToken(t, 'judge')));

const db = () => t.database.db;
const T0 = new Date('2026-11-20T03:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

async function rankingOf(roundId: string): Promise<{ actualCount: number; checksum: string; stale: boolean; rows: RankingRow[] }> {
  const res = await ranking(t.app, roundId, judgeToken, '?limit=1000');
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function finalized(round: Round) {
  const res = await finalize(t.app, round.id, judgeToken);
  expect(res.statusCode).toBe(200);
  return { ...(res.json() as { actualCount: number; checksum: string; participants: number; ranked: number }), ...(await rankingOf(round.id)) };
}

/** How many result rows are stored for the round. */
async function storedRows(roundId: string): Promise<number> {
  const [{ n }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from round_result_rows where round_id = ${roundId}`);
  return n;
}

async function residents(n: number): Promise<User[]> {
  return Promise.all(Array.from({ length: n }, () => makeResident(db())));
}

async function closedRound(over: Partial<Round> = {}) {
  const contest = await makeContest(db(), { onePrizePerPerson: false });
  const { round } = await makeClosedRound(db(), contest.id, {
    prizes: [
      { name: 'Giải Nhất', count: 1 },
      { name: 'Giải Nhì', count: 2 },
    ],
    ...over,
  });
  return { contest, round };
}

describe('POST /judge/rounds/:roundId/finalize', () => {
  it('refuses a round that has not closed yet (409 ROUND_NOT_CLOSED)', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id);
    const res = await finalize(t.app, round.id, judgeToken);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ROUND_NOT_CLOSED');
  });

  it('needs a judge member: 401 without a token, 403 for a resident or an organizer member, 404 for staff of other contests, 200 for an admin', async () => {
    const { round } = await closedRound();
    expect((await finalize(t.app, round.id)).statusCode).toBe(401);
    expect((await finalize(t.app, round.id, tokenFor(t.app, await makeResident(db())))).statusCode).toBe(403);
    const organizer = await makeStaff(db(), 'organizer');
    expect((await finalize(t.app, round.id, tokenFor(t.app, organizer))).statusCode).toBe(404);
    expect((await finalize(t.app, round.id, tokenFor(t.app, await makeStaff(db(), 'judge')))).statusCode).toBe(404);
    await addMember(db(), round.contestId, organizer);
    expect((await finalize(t.app, round.id, tokenFor(t.app, organizer))).statusCode).toBe(403);
    expect((await finalize(t.app, round.id, tokenFor(t.app, await makeStaff(db(), 'admin')))).statusCode).toBe(200);
  });

  it('answers 404 for an unknown round', async () => {
    const res = await finalize(t.app, 'no-such-round', judgeToken);
    expect(res.statusCode).toBe(404);
  });

  it('finalizes an empty round: nobody, actualCount 0, the checksum of no rows', async () => {
    const { round } = await closedRound();
    const r = await finalized(round);
    expect(r).toMatchObject({ actualCount: 0, participants: 0, ranked: 0, rows: [] });
    expect(r.checksum).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('orders equal scores by prediction error, an error above and one below the actual count tying', async () => {
    // actualCount (all_correct_people) = 4: a, b, c, d answer everything.
    const { round } = await closedRound({ questionCount: 5 });
    const [a, b, c, d] = await residents(4);
    await makeSubmission(db(), round, a.id, { score: 5, prediction: 9, durationMs: 10_000, submittedAt: at(1) }); // error 5
    await makeSubmission(db(), round, b.id, { score: 5, prediction: 6, durationMs: 30_000, submittedAt: at(2) }); // error 2, slower
    await makeSubmission(db(), round, c.id, { score: 5, prediction: 2, durationMs: 20_000, submittedAt: at(3) }); // error 2 below, faster
    await makeSubmission(db(), round, d.id, { score: 5, prediction: 4, durationMs: 90_000, submittedAt: at(4) }); // error 0
    const r = await finalized(round);
    expect(r.actualCount).toBe(4);
    expect(r.rows.map((x) => [x.userId, x.predictionError, x.rank, x.prize])).toEqual([
      [d.id, 0, 1, 'Giải Nhất'],
      [c.id, 2, 2, 'Giải Nhì'],
      [b.id, 2, 3, 'Giải Nhì'],
      [a.id, 5, 4, null],
    ]);
  });

  it('puts a higher score first whatever the prediction and the time', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const [a, b] = await residents(2);
    await makeSubmission(db(), round, a.id, { score: 4, prediction: 0, durationMs: 1_000, submittedAt: at(1) });
    await makeSubmission(db(), round, b.id, { score: 5, prediction: 50, durationMs: 99_000, submittedAt: at(9) });
    const r = await finalized(round);
    expect(r.rows.map((x) => x.userId)).toEqual([b.id, a.id]);
  });

  it('breaks equal score, error and duration by the earlier submission, then by attemptId', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const [a, b, c] = await residents(3);
    await makeSubmission(db(), round, a.id, { score: 3, prediction: 1, durationMs: 5_000, submittedAt: at(20), attemptId: 'a-0001' });
    await makeSubmission(db(), round, b.id, { score: 3, prediction: 1, durationMs: 5_000, submittedAt: at(10), attemptId: 'z-0001' });
    await makeSubmission(db(), round, c.id, { score: 3, prediction: 1, durationMs: 5_000, submittedAt: at(20), attemptId: 'A-0001' });
    const r = await finalized(round);
    // Byte order: 'A' (0x41) sorts before 'a' (0x61), whatever the database's locale.
    expect(r.rows.map((x) => x.attemptId)).toEqual(['z-0001', 'A-0001', 'a-0001']);
    expect(r.rows.map((x) => x.rank)).toEqual([1, 2, 3]);
  });

  it('compares submit times to the millisecond, as the exports show them', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const [a, b] = await residents(2);
    await makeSubmission(db(), round, a.id, { score: 3, durationMs: 5_000, submittedAt: at(1), attemptId: 'ms-b' });
    await makeSubmission(db(), round, b.id, { score: 3, durationMs: 5_000, submittedAt: at(1), attemptId: 'ms-a' });
    // ms-a is 0.3 ms later than ms-b, which no export can show: the tie goes to attemptId.
    await db().execute(sql`update submissions set submitted_at = submitted_at + interval '100 microseconds' where attempt_id = 'ms-b'`);
    await db().execute(sql`update submissions set submitted_at = submitted_at + interval '400 microseconds' where attempt_id = 'ms-a'`);
    const r = await finalized(round);
    expect(r.rows.map((x) => x.attemptId)).toEqual(['ms-a', 'ms-b']);
    expect(r.rows[0].submittedAt).toBe(at(1).toISOString());
  });

  it('ranks each participant once, by their best attempt', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const [a, b] = await residents(2);
    await makeSubmission(db(), round, a.id, { score: 2, durationMs: 5_000, submittedAt: at(1) });
    const best = await makeSubmission(db(), round, a.id, { score: 4, durationMs: 50_000, submittedAt: at(2) });
    await makeSubmission(db(), round, a.id, { score: 4, durationMs: 60_000, submittedAt: at(3) });
    await makeSubmission(db(), round, b.id, { score: 3, durationMs: 1_000, submittedAt: at(1) });
    const r = await finalized(round);
    expect(r.participants).toBe(2);
    expect(r.rows).toHaveLength(2);
    expect(r.rows[0]).toMatchObject({ userId: a.id, attemptId: best.attempt.id, attemptNo: 2, score: 4 });
  });

  it.each([
    ['all_correct_people', 2],
    ['all_correct_entries', 3],
    ['participants', 3],
    ['entries', 5],
  ] as const)('counts %s as the actual count (%i), leaving out the ineligible', async (target, expected) => {
    const { contest, round } = await closedRound({ questionCount: 3, predictionTarget: target });
    const [a, b, c, excluded] = await residents(4);
    await makeExclusion(db(), contest.id, { nationalId: excluded.nationalId });
    await makeSubmission(db(), round, a.id, { score: 3 });
    await makeSubmission(db(), round, a.id, { score: 3 });
    await makeSubmission(db(), round, b.id, { score: 3 });
    await makeSubmission(db(), round, b.id, { score: 1 });
    await makeSubmission(db(), round, c.id, { score: 2 });
    await makeSubmission(db(), round, excluded.id, { score: 3 });
    await makeSubmission(db(), round, excluded.id, { score: 3 });
    const r = await finalized(round);
    expect(r.actualCount).toBe(expected);
    expect(r.participants).toBe(4);
    expect(r.ranked).toBe(3);
  });

  it('keeps ineligible participants in the list without rank or prize, and gives prizes down the eligible rows', async () => {
    const { contest, round } = await closedRound({ questionCount: 5 });
    const [byId, byPhone, dq, ok1, ok2, ok3, ok4] = await residents(7);
    const staff = await makeStaff(db(), 'organizer');
    await makeExclusion(db(), contest.id, { nationalId: byId.nationalId, note: 'Ban tổ chức' });
    await makeExclusion(db(), contest.id, { phone: byPhone.phone });
    // An exclusion of another contest does not count here.
    const other = await makeContest(db());
    await makeExclusion(db(), other.id, { nationalId: ok1.nationalId });
    await makeDisqualification(db(), round.id, dq.id, 'Dùng nhiều tài khoản');
    let s = 0;
    for (const u of [byId, byPhone, dq, staff, ok1, ok2, ok3, ok4]) await makeSubmission(db(), round, u.id, { score: 5, durationMs: 1000 * ++s });
    const r = await finalized(round);
    expect(r.rows.map((x) => [x.userId, x.rank, x.prize, x.eligible, x.ineligibleReason ?? null])).toEqual([
      [byId.id, null, null, false, 'excluded'],
      [byPhone.id, null, null, false, 'excluded'],
      [dq.id, null, null, false, 'disqualified: Dùng nhiều tài khoản'],
      [staff.id, null, null, false, 'not_resident'],
      [ok1.id, 1, 'Giải Nhất', true, null],
      [ok2.id, 2, 'Giải Nhì', true, null],
      [ok3.id, 3, 'Giải Nhì', true, null],
      [ok4.id, 4, null, true, null],
    ]);
    expect(r.rows.map((x) => x.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.actualCount).toBe(4);
  });

  it('gives the same rows and checksum when finalized again, and the checksum is recomputable from the rows', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const us = await residents(5);
    // Names with what the canonical line escapes (backslash, tab, CR, LF) and without.
    await db().update(users).set({ fullName: 'Lê\\Văn\tAn\r\nB' }).where(eq(users.id, us[1].id));
    await db().update(users).set({ fullName: 'Trần\\\\Thị\n' }).where(eq(users.id, us[3].id));
    // Control characters it leaves as they are (COPY's text format would escape these).
    await db().update(users).set({ fullName: 'Phạm\bVăn\fC\v' }).where(eq(users.id, us[4].id));
    for (const [i, u] of us.entries()) await makeSubmission(db(), round, u.id, { score: i % 3, prediction: i, durationMs: 1000 * (5 - i) });
    const first = await finalized(round);
    expect(first.rows.map((r) => (r as RankingRow & { fullName: string }).fullName)).toEqual(expect.arrayContaining(['Lê\\Văn\tAn\r\nB', 'Phạm\bVăn\fC\v']));
    const second = await finalized(round);
    expect(second.checksum).toBe(first.checksum);
    expect(second.rows).toEqual(first.rows);
    const recomputed = checksumOfServedRows(second.rows);
    expect(recomputed).toBe(first.checksum);
  });

  it('finalized again after changes, stores exactly the new rows: changed ones updated, new ones added, surplus ones removed', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const us = await residents(6);
    for (const [i, u] of us.entries()) await makeSubmission(db(), round, u.id, { score: i % 5, prediction: i, durationMs: 1000 * (9 - i) });
    const first = await finalized(round);
    expect(first.rows).toHaveLength(6);
    // One person gone (their attempts go with the account), two others gone too, one better
    // attempt for someone, one newcomer: rows move, change, appear and (6 -> 4) disappear.
    await db()
      .delete(users)
      .where(sql`${users.id} in (${us[0].id}, ${us[1].id}, ${us[2].id})`);
    await makeSubmission(db(), round, us[5].id, { score: 5, prediction: 3, durationMs: 500 });
    const newcomer = await makeResident(db());
    await makeSubmission(db(), round, newcomer.id, { score: 3, prediction: 1 });
    const second = await finalized(round);
    expect(second.participants).toBe(4);
    expect(second.rows.map((r) => [r.position, r.userId, r.score])).toEqual([
      [1, us[5].id, 5],
      [2, us[4].id, 4],
      // Equal scores: the newcomer's prediction is the actual count (1 all correct).
      [3, newcomer.id, 3],
      [4, us[3].id, 3],
    ]);
    // The stored rows are what the checksum was taken over: nothing left over from before.
    expect(checksumOfServedRows(second.rows)).toBe(second.checksum);
    expect(await storedRows(round.id)).toBe(4);
    // Positions stay 1..n without a gap, which the ranking's pages (a range of positions) rely on.
    const page = async (q: string) => ((await ranking(t.app, round.id, judgeToken, q)).json().rows as RankingRow[]).map((r) => [r.position, r.userId]);
    expect(await page('?offset=1&limit=2')).toEqual([
      [2, us[4].id],
      [3, newcomer.id],
    ]);
    expect(await page('?offset=3&limit=100')).toEqual([[4, us[3].id]]);
    expect(await page('?offset=4&limit=100')).toEqual([]);
  });

  it('keeps no result rows of a round that is deleted (they go with its results)', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const kept = await closedRound({ questionCount: 5 });
    for (const u of await residents(3)) {
      await makeSubmission(db(), round, u.id, { score: 2 });
      await makeSubmission(db(), kept.round, u.id, { score: 3 });
    }
    await finalized(round);
    await finalized(kept.round);
    expect(await storedRows(round.id)).toBe(3);
    await db().delete(rounds).where(eq(rounds.id, round.id));
    expect(await storedRows(round.id)).toBe(0);
    expect(await storedRows(kept.round.id)).toBe(3);
  });

  it('serializes two finalizes of one round started together: same rows, same checksum', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const us = await residents(6);
    for (const [i, u] of us.entries()) await makeSubmission(db(), round, u.id, { score: i % 4, prediction: i });
    const [a, b] = await Promise.all([finalize(t.app, round.id, judgeToken), finalize(t.app, round.id, judgeToken)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().checksum).toBe(b.json().checksum);
    const r = await rankingOf(round.id);
    expect(r.rows.map((x) => x.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('ranks in parallel workers as in one process: the same rows and checksum, and nothing staged is left', async () => {
    const { round } = await closedRound({ questionCount: 5 });
    const us = await residents(400);
    await Promise.all(us.map((u, i) => makeSubmission(db(), round, u.id, { score: i % 6, prediction: i % 50, durationMs: 1000 + ((i * 7919) % 50_000) })));
    const serial = await finalized(round);
    // A round this small is ranked by one process. Here every plan that can have workers
    // gets them, the leader only gathers, and even the staged tables' few pages are split
    // between the workers: rows reach the leader interleaved, and only ORDER BY puts them back.
    const parallel = await db().transaction(async (tx) => {
      // PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query.
      const [{ v }] = await t.database.rows<{ v: number }>(sql`select current_setting('server_version_num')::int as v`);
      const force = v >= 160000 ? 'debug_parallel_query' : 'force_parallel_mode';
      await tx.execute(
        sql`select set_config(${force}, 'on', true), set_config('parallel_leader_participation', 'off', true),
          set_config('min_parallel_table_scan_size', '0', true), set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)`,
      );
      return finalizeRound(tx, null, round.id);
    });
    expect(parallel.checksum).toBe(serial.checksum);
    expect((await rankingOf(round.id)).rows).toEqual(serial.rows);
    // The staging tables (finalize.sql.ts stagingOf) are dropped before commit.
    expect(await t.database.rows(sql`select relname from pg_class where relname like 'finalize\_%'`)).toEqual([]);
  });

  it('stores the identity of each row as of the finalize, with locality and unit names', async () => {
    const { contest, round } = await closedRound();
    const loc = await makeLocality(db(), contest.id, 'Phường Hạc Thành');
    const unit = await makeUnit(db(), contest.id, 'Sở Khoa học và Công nghệ');
    const u = await makeResident(db(), { fullName: 'Lê Thị Ngọc Ánh', localityId: loc.id, unitId: unit.id, category: 'Cán bộ' });
    await makeSubmission(db(), round, u.id, { score: 1 });
    const r = await finalized(round);
    expect(r.rows[0]).toMatchObject({
      fullName: 'Lê Thị Ngọc Ánh',
      nationalId: u.nationalId,
      phone: u.phone,
      locality: 'Phường Hạc Thành',
      unit: 'Sở Khoa học và Công nghệ',
      category: 'Cán bộ',
    });
    await db().update(users).set({ fullName: 'Tên đã đổi' }).where(eq(users.id, u.id));
    const after = await rankingOf(round.id);
    expect(after.rows[0]).toMatchObject({ fullName: 'Lê Thị Ngọc Ánh' });
    expect(after.checksum).toBe(r.checksum);
  });
});

describe('onePrizePerPerson', () => {
  async function twoRounds(onePrizePerPerson: boolean) {
    const contest = await makeContest(db(), { onePrizePerPerson });
    const prizes = [{ name: 'Giải Nhất', count: 1 }];
    const { round: r1 } = await makeClosedRound(db(), contest.id, { number: 1, prizes });
    const { round: r2 } = await makeClosedRound(db(), contest.id, { number: 2, prizes });
    const [star, other] = await residents(2);
    for (const r of [r1, r2]) {
      await makeSubmission(db(), r, star.id, { score: 5, durationMs: 1000 });
      await makeSubmission(db(), r, other.id, { score: 4, durationMs: 1000 });
    }
    return { r1, r2, star, other };
  }

  it('passes over someone who won in an earlier finalized round: still ranked, prize null', async () => {
    const { r1, r2, star, other } = await twoRounds(true);
    expect((await finalized(r1)).rows[0]).toMatchObject({ userId: star.id, prize: 'Giải Nhất' });
    const second = await finalized(r2);
    expect(second.rows.map((x) => [x.userId, x.rank, x.prize])).toEqual([
      [star.id, 1, null],
      [other.id, 2, 'Giải Nhất'],
    ]);
  });

  it('ignores later rounds and rounds not finalized', async () => {
    const { r1, r2, star } = await twoRounds(true);
    // Round 2 first: round 1 is not finalized yet, so star wins round 2...
    expect((await finalized(r2)).rows[0]).toMatchObject({ userId: star.id, prize: 'Giải Nhất' });
    // ...and round 2 being later does not stop star winning round 1.
    expect((await finalized(r1)).rows[0]).toMatchObject({ userId: star.id, prize: 'Giải Nhất' });
  });

  it('marks a later round stale when re-finalizing an earlier one changes its winners', async () => {
    const { r1, r2, star } = await twoRounds(true);
    await finalized(r1);
    await finalized(r2);
    const dq = await t.app.inject({
      method: 'POST',
      url: `/api/v1/judge/rounds/${r1.id}/disqualifications`,
      headers: bearer(judgeToken),
      payload: { userId: star.id, reason: 'Gian lận' },
    });
    expect(dq.statusCode).toBe(201);
    await finalized(r1);
    expect((await rankingOf(r2.id)).stale).toBe(true);
    expect((await finalized(r2)).rows[0]).toMatchObject({ userId: star.id, prize: 'Giải Nhất' });
  });

  it('lets the same person win again without the rule', async () => {
    const { r1, r2, star } = await twoRounds(false);
    await finalized(r1);
    expect((await finalized(r2)).rows[0]).toMatchObject({ userId: star.id, prize: 'Giải Nhất' });
  });

  it('reads earlier winners from stored results', async () => {
    const contest = await makeContest(db(), { onePrizePerPerson: true });
    const { round: r1 } = await makeClosedRound(db(), contest.id, { number: 3 });
    const { round: r2 } = await makeClosedRound(db(), contest.id, { number: 7 });
    const [a, b] = await residents(2);
    await makePriorWinners(db(), r1, [a.id]);
    await makeSubmission(db(), r2, a.id, { score: 5 });
    await makeSubmission(db(), r2, b.id, { score: 1 });
    const r = await finalized(r2);
    expect(r.rows.map((x) => x.prize)).toEqual([null, 'Giải Nhất']);
  });
});
