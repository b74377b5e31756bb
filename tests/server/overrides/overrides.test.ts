import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, submissions } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { dateNowFollows, testClock } from '../../helpers/clock';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { start, submit, firstOptions, call } from '../../helpers/requests';
import { makeTimedAttempt } from '../../helpers/results-factories';

// The attempts service reads Date.now (attempts.routes.ts gives it no other clock): this file moves it.
const clock = testClock();
dateNowFollows(clock);
const t = useTestApp();
let org: string;
beforeAll(async () => (org = await memberToken(t, 'organizer')));

const put = (roundId: string, userId: string, payload: unknown, token = org) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/admin/rounds/${roundId}/overrides/${userId}`, headers: bearer(token), payload: payload as object });

describe('PUT /admin/rounds/:roundId/overrides/:userId', () => {
  it('gives a resident an extra attempt past the cap, audit-logged', async () => {
    const contest = await makeContest(t.database.db);
    const { round } = await makeRound(t.database.db, contest.id, { questionCount: 3, maxAttempts: 1 }, 3);
    const resident = await makeResident(t.database.db);
    const token = tokenFor(t.app, resident);
    const first = (await start(t.app, round.id, token)).json();
    expect((await submit(t.app, first.attemptId, token, firstOptions(first, 1, 1))).statusCode).toBe(200);
    const refused = await start(t.app, round.id, token);
    expect(refused.json().code).toBe('ATTEMPTS_EXHAUSTED');

    const res = await put(round.id, resident.id, { extraAttempts: 1, extraSeconds: 0, reason: 'Mất điện lúc đang làm bài' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ extraAttempts: 1, extraSeconds: 0, reason: 'Mất điện lúc đang làm bài', fullName: resident.fullName });
    const second = await start(t.app, round.id, token);
    expect(second.statusCode).toBe(201);
    expect(second.json().attemptNo).toBe(2);
    expect((await submit(t.app, second.json().attemptId, token, firstOptions(second.json(), 1, 1))).statusCode).toBe(200);
    expect((await start(t.app, round.id, token)).json().code).toBe('ATTEMPTS_EXHAUSTED');

    const log = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'override.set'));
    expect(log.some((l) => l.entityId === `${round.id}:${resident.id}`)).toBe(true);
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/overrides`, headers: bearer(org) });
    expect(listed.json()).toHaveLength(1);

    // The database holds the cap: an override cannot drop below what was used.
    const lower = await put(round.id, resident.id, { extraAttempts: 0, extraSeconds: 0, reason: 'Thu hồi' });
    expect(lower.statusCode).toBe(409);
    expect(lower.json().code).toBe('OVERRIDE_BELOW_USED');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/overrides`, headers: bearer(org) })).json()[0].extraAttempts).toBe(1);
  });

  it('extends a running attempt, so a submit after its original deadline is accepted', async () => {
    const contest = await makeContest(t.database.db);
    const { round, pool } = await makeRound(t.database.db, contest.id, { questionCount: 3, maxAttempts: 1, timeLimitSeconds: 600 }, 3);
    const helped = await makeResident(t.database.db);
    const other = await makeResident(t.database.db);
    const now = Date.now();
    // Both are 28.5 s past their deadline: still inside the 30 s grace for a moment.
    for (const u of [helped, other]) {
      await makeTimedAttempt(t.database.db, round.id, u.id, pool, { startedAt: new Date(now - 600_000), deadline: new Date(now - 28_500) }, 7);
    }
    const helpedToken = tokenFor(t.app, helped);
    const otherToken = tokenFor(t.app, other);
    // Resume: this process now knows both attempts with their original deadlines.
    const a = (await start(t.app, round.id, helpedToken)).json();
    const b = (await start(t.app, round.id, otherToken)).json();
    expect(a.attemptId).toBeDefined();
    expect(b.attemptId).toBeDefined();

    const res = await put(round.id, helped.id, { extraAttempts: 0, extraSeconds: 300, reason: 'Rớt mạng giữa chừng' });
    expect(res.statusCode).toBe(200);
    expect(res.json().extendedAttempts).toBe(1);

    clock.advance(2_000);
    expect((await submit(t.app, b.attemptId, otherToken, firstOptions(b, 1, 1))).json().code).toBe('DEADLINE_PASSED');
    const ok = await submit(t.app, a.attemptId, helpedToken, firstOptions(a, 1, 1));
    expect(ok.statusCode).toBe(200);
    const stored = await t.database.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.attemptId, a.attemptId)));
    expect(stored).toHaveLength(1);
  });

  it('refuses other roles, unknown people, staff and bad input', async () => {
    const contest = await makeContest(t.database.db);
    const { round } = await makeRound(t.database.db, contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(t.database.db);
    const judge = await makeStaff(t.database.db, 'judge');
    const body = { extraAttempts: 1, extraSeconds: 60, reason: 'Sự cố' };
    expect((await put(round.id, resident.id, body, tokenFor(t.app, resident))).statusCode).toBe(403);
    expect((await put(round.id, resident.id, body, tokenFor(t.app, judge))).statusCode).toBe(404);
    await addMember(t.database.db, round.contestId, judge);
    expect((await put(round.id, resident.id, body, tokenFor(t.app, judge))).statusCode).toBe(403);
    expect((await put(round.id, 'nobody', body)).statusCode).toBe(404);
    expect((await put('no-round', resident.id, body)).statusCode).toBe(404);
    expect((await put(round.id, judge.id, body)).json().code).toBe('NOT_A_RESIDENT');
    for (const bad of [{ ...body, extraAttempts: 11 }, { ...body, extraSeconds: -1 }, { ...body, reason: '' }, { extraAttempts: 1 }]) {
      expect((await put(round.id, resident.id, bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/admin/rounds/${round.id}/overrides`, headers: bearer(org) })).json()).toEqual([]);
  });
});

describe('POST /admin/rounds/:roundId/overrides', () => {
  it('finds the resident by phone in any format', async () => {
    const contest = await makeContest(t.database.db);
    const { round } = await makeRound(t.database.db, contest.id, { questionCount: 3 }, 3);
    const resident = await makeResident(t.database.db, { phone: '0977123456' });
    const byPhone = (phone: string) =>
      call(t.app, 'POST', `/admin/rounds/${round.id}/overrides`, org, { phone, extraAttempts: 0, extraSeconds: 120, reason: 'Sự cố mạng' });
    const res = await byPhone('+84 977 123 456');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ userId: resident.id, extraSeconds: 120 });
    const unknown = await byPhone('0977000999');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('GET /me/overrides', () => {
  it("answers the caller's own grants per round, without the organizer's reason; nothing for others", async () => {
    const contest = await makeContest(t.database.db);
    const { round } = await makeRound(t.database.db, contest.id, { questionCount: 3, maxAttempts: 1 }, 3);
    const helped = await makeResident(t.database.db);
    const other = await makeResident(t.database.db);
    expect((await put(round.id, helped.id, { extraAttempts: 2, extraSeconds: 90, reason: 'Mất điện lúc đang làm bài' })).statusCode).toBe(200);
    const mine = await call(t.app, 'GET', '/me/overrides', tokenFor(t.app, helped));
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual([{ roundId: round.id, extraAttempts: 2, extraSeconds: 90 }]);
    expect((await call(t.app, 'GET', '/me/overrides', tokenFor(t.app, other))).json()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/overrides' })).statusCode).toBe(401);
  });
});
