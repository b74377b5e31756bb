import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, disqualifications, rounds } from '../../../db/schema/index';
import { member, useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeExclusion, makeLocality, makeOpenAttempt, makeSubmission, makeUnit } from '../../helpers/results-factories';
import { call } from '../../helpers/requests';
import { submissionsDigest } from '../../../server/src/modules/judging/finalize.sql';
import { SubmissionsDigestCache } from '../../../server/src/modules/judging/judging.cache';

const t = useTestApp();
let judgeToken: string;
let judgeId: string;
beforeAll(async () => ({ id: judgeId, token: judgeToken } = await member(t, 'judge')));

const db = () => t.database.db;
const post = (url: string, payload?: object) => call(t.app, 'POST', url, judgeToken, payload);
const get = (url: string, headers: Record<string, string> = {}) => call(t.app, 'GET', url, undefined, undefined, { headers });
const del = (url: string) => call(t.app, 'DELETE', url, judgeToken);

async function roundWithPeople(n = 3) {
  const contest = await makeContest(db());
  const { round, pool } = await makeClosedRound(db(), contest.id, { questionCount: 5 });
  const people = await Promise.all(Array.from({ length: n }, () => makeResident(db())));
  for (const [i, p] of people.entries()) await makeSubmission(db(), round, p.id, { score: 5 - i, durationMs: 1000 });
  return { contest, round, pool, people };
}

describe('POST /judge/rounds/:roundId/disqualifications', () => {
  it('disqualifies with a reason, audit-logged, and makes the results stale until finalized again', async () => {
    const { round, people } = await roundWithPeople();
    expect((await post(`/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200);
    const res = await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: '  Thi hộ  người khác ' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ roundId: round.id, userId: people[0].id, reason: 'Thi hộ người khác', createdBy: judgeId, resultsStale: true });
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, round.id), eq(auditLog.action, 'round.disqualify')));
    expect(audit).toHaveLength(1);
    expect(audit[0].actorId).toBe(judgeId);

    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(true);
    const pub = await post(`/judge/rounds/${round.id}/publish`);
    expect(pub.statusCode).toBe(409);
    expect(pub.json().code).toBe('RESULTS_STALE');
    const exp = await get(`/judge/rounds/${round.id}/export?format=csv`, bearer(judgeToken));
    expect(exp.statusCode).toBe(409);

    await post(`/judge/rounds/${round.id}/finalize`);
    const ranking = (await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json();
    expect(ranking.stale).toBe(false);
    expect(ranking.rows[0]).toMatchObject({ userId: people[0].id, rank: null, eligible: false, ineligibleReason: 'disqualified: Thi hộ người khác' });
    expect(ranking.rows[1]).toMatchObject({ userId: people[1].id, rank: 1, prize: 'Giải Nhất' });
  });

  it('refuses someone without an attempt in the round (404), twice the same person (409), and a missing reason (400)', async () => {
    const { round, people } = await roundWithPeople(1);
    const stranger = await makeResident(db());
    expect((await post(`/judge/rounds/${round.id}/disqualifications`, { userId: stranger.id, reason: 'x' })).statusCode).toBe(404);
    expect((await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: '   ' })).statusCode).toBe(400);
    expect((await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id })).statusCode).toBe(400);
    expect((await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: 'Gian lận' })).statusCode).toBe(201);
    const again = await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: 'Lý do khác' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_DISQUALIFIED');
    const stored = await db().select().from(disqualifications).where(eq(disqualifications.roundId, round.id));
    expect(stored.map((d) => d.reason)).toEqual(['Gian lận']);
  });

  it('accepts a participant whose attempt is not submitted, before the round closes', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { maxAttempts: 2 });
    const p = await makeResident(db());
    await makeOpenAttempt(db(), round, p.id);
    expect((await post(`/judge/rounds/${round.id}/disqualifications`, { userId: p.id, reason: 'Gian lận' })).statusCode).toBe(201);
  });

  it('is for judges only', async () => {
    const { round, people } = await roundWithPeople(1);
    const organizerUser = await makeStaff(db(), 'organizer');
    await addMember(db(), round.contestId, organizerUser);
    const organizer = tokenFor(t.app, organizerUser);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/judge/rounds/${round.id}/disqualifications`,
      headers: bearer(organizer),
      payload: { userId: people[0].id, reason: 'x' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('stale results', () => {
  it('are stale when the exclusion list changes after the finalize, until finalized again', async () => {
    const { contest, round, people } = await roundWithPeople(3);
    await post(`/judge/rounds/${round.id}/finalize`);
    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(false);
    await makeExclusion(db(), contest.id, { phone: people[0].phone });
    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(true);
    const pub = await post(`/judge/rounds/${round.id}/publish`);
    expect(pub.statusCode).toBe(409);
    expect(pub.json().code).toBe('RESULTS_STALE');
    expect((await get(`/judge/rounds/${round.id}/export?format=csv`, bearer(judgeToken))).json().code).toBe('RESULTS_STALE');
    await post(`/judge/rounds/${round.id}/finalize`);
    expect((await post(`/judge/rounds/${round.id}/publish`)).statusCode).toBe(200);
    const winners = (await get(`/rounds/${round.id}/winners`)).json().winners.map((w: { fullName: string }) => w.fullName);
    expect(winners).not.toContain(people[0].fullName);
  });

  it('are stale when a submission lands after the finalize (the grace after closing)', async () => {
    const { round } = await roundWithPeople(2);
    await post(`/judge/rounds/${round.id}/finalize`);
    // The page just before counted the submissions (and keeps the count a few seconds).
    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(false);
    await makeSubmission(db(), round, (await makeResident(db())).id, { score: 5, submittedAt: new Date(round.closesAt.getTime() + 10_000) });
    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(true);
    expect((await post(`/judge/rounds/${round.id}/publish`)).json().code).toBe('RESULTS_STALE');
  });

  it("the ranking page's count of submissions is kept a few seconds, and a later submission is seen at once", async () => {
    const { round } = await roundWithPeople(2);
    let now = 1_000_000;
    const cache = new SubmissionsDigestCache(5_000, () => now);
    const counted = async () => (await submissionsDigest(db(), round.id)).part;
    const first = await counted();
    expect(await cache.get(db(), round.id)).toBe(first);
    // One that arrives without moving the latest time (an earlier clock) waits for the entry to expire...
    await makeSubmission(db(), round, (await makeResident(db())).id, { score: 1, submittedAt: new Date(round.closesAt.getTime() - 3 * 3_600_000) });
    expect(await cache.get(db(), round.id)).toBe(first);
    now += 5_001;
    const second = await counted();
    expect(second).not.toBe(first);
    expect(await cache.get(db(), round.id)).toBe(second);
    // ...a later one is seen on the next read.
    await makeSubmission(db(), round, (await makeResident(db())).id, { score: 1, submittedAt: new Date(round.closesAt.getTime() + 10_000) });
    const third = await counted();
    expect(third).not.toBe(second);
    expect(await cache.get(db(), round.id)).toBe(third);
  });
});

describe('DELETE /judge/rounds/:roundId/disqualifications/:userId', () => {
  it('reinstates, audit-logged, and the next finalize ranks the person again', async () => {
    const { round, people } = await roundWithPeople(2);
    await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: 'Nghi vấn' });
    const first = (await post(`/judge/rounds/${round.id}/finalize`)).json();
    const res = await del(`/judge/rounds/${round.id}/disqualifications/${people[0].id}`);
    expect(res.statusCode).toBe(204);
    expect((await get(`/judge/rounds/${round.id}/disqualifications`, bearer(judgeToken))).json()).toEqual([]);
    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(true);
    const second = (await post(`/judge/rounds/${round.id}/finalize`)).json();
    expect(second.checksum).not.toBe(first.checksum);
    const rows = (await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().rows;
    expect(rows[0]).toMatchObject({ userId: people[0].id, rank: 1, eligible: true });
    const audit = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, round.id), eq(auditLog.action, 'round.reinstate')));
    expect(audit).toHaveLength(1);
  });

  it('answers 404 when the person is not disqualified', async () => {
    const { round, people } = await roundWithPeople(1);
    const res = await del(`/judge/rounds/${round.id}/disqualifications/${people[0].id}`);
    expect(res.statusCode).toBe(404);
  });
});

describe('GET /judge/rounds/:roundId/ranking', () => {
  it('answers 409 ROUND_NOT_FINALIZED before a finalize', async () => {
    const { round } = await roundWithPeople(1);
    const res = await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ROUND_NOT_FINALIZED');
  });

  it('pages with offset and limit', async () => {
    const { round, people } = await roundWithPeople(5);
    await post(`/judge/rounds/${round.id}/finalize`);
    const res = await get(`/judge/rounds/${round.id}/ranking?offset=1&limit=2`, bearer(judgeToken));
    expect(res.json().rows.map((r: { userId: string }) => r.userId)).toEqual([people[1].id, people[2].id]);
    expect((await get(`/judge/rounds/${round.id}/ranking?limit=0`, bearer(judgeToken))).statusCode).toBe(400);
  });
});

describe('POST /judge/rounds/:roundId/publish and GET /rounds/:roundId/winners', () => {
  it('needs finalized results (409 ROUND_NOT_FINALIZED)', async () => {
    const { round } = await roundWithPeople(1);
    const res = await post(`/judge/rounds/${round.id}/publish`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ROUND_NOT_FINALIZED');
  });

  it('hides the winners until published (409 RESULTS_NOT_PUBLISHED), then shows them masked', async () => {
    const { contest, round } = await roundWithPeople(0);
    const loc = await makeLocality(db(), contest.id, 'Xã Quảng Phú');
    const unit = await makeUnit(db(), contest.id, 'Trường THPT Lam Sơn');
    const winner = await makeResident(db(), { fullName: 'Trịnh Văn Đức', phone: '0912345678', localityId: loc.id, unitId: unit.id });
    const second = await makeResident(db(), { fullName: 'Hoàng Thị Yến' });
    const last = await makeResident(db());
    await makeSubmission(db(), round, winner.id, { score: 5, prediction: 1, durationMs: 1234 });
    await makeSubmission(db(), round, second.id, { score: 4 });
    await makeSubmission(db(), round, second.id, { score: 3 });
    await makeSubmission(db(), round, (await makeResident(db())).id, { score: 3 });
    await makeSubmission(db(), round, last.id, { score: 0 });

    expect((await get(`/rounds/${round.id}/winners`)).json().code).toBe('RESULTS_NOT_PUBLISHED');
    await post(`/judge/rounds/${round.id}/finalize`);
    const before = await get(`/rounds/${round.id}/winners`);
    expect(before.statusCode).toBe(409);
    expect(before.json().code).toBe('RESULTS_NOT_PUBLISHED');

    const pub = await post(`/judge/rounds/${round.id}/publish`);
    expect(pub.statusCode).toBe(200);
    const [stored] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(stored.publishedAt?.toISOString()).toBe(pub.json().publishedAt);

    const res = await get(`/rounds/${round.id}/winners`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.actualCount).toBe(1);
    expect(body.winners).toHaveLength(3);
    expect(body.winners[0]).toEqual({
      rank: 1,
      prize: 'Giải Nhất',
      fullName: 'Trịnh Văn Đức',
      maskedPhone: '091****678',
      locality: 'Xã Quảng Phú',
      unit: 'Trường THPT Lam Sơn',
      score: 5,
      total: 5,
      prediction: 1,
      durationMs: 1234,
    });
    const text = res.body;
    expect(text).not.toContain('0912345678');
    for (const p of [winner, second]) expect(text).not.toContain(p.nationalId!);
    expect(body.winners.map((w: { prize: string }) => w.prize)).toEqual(['Giải Nhất', 'Giải Nhì', 'Giải Nhì']);
  });

  it('withdraws publication when the round is finalized again', async () => {
    const { round } = await roundWithPeople(2);
    await post(`/judge/rounds/${round.id}/finalize`);
    await post(`/judge/rounds/${round.id}/publish`);
    expect((await get(`/rounds/${round.id}/winners`)).statusCode).toBe(200);
    await post(`/judge/rounds/${round.id}/finalize`);
    expect((await get(`/rounds/${round.id}/winners`)).statusCode).toBe(409);
    expect((await post(`/judge/rounds/${round.id}/publish`)).statusCode).toBe(200);
    expect((await get(`/rounds/${round.id}/winners`)).statusCode).toBe(200);
  });

  it('withdraws publication when a winner is disqualified or reinstated afterwards, until published again', async () => {
    const { round, people } = await roundWithPeople(2);
    await post(`/judge/rounds/${round.id}/finalize`);
    await post(`/judge/rounds/${round.id}/publish`);
    expect((await get(`/rounds/${round.id}/winners`)).json().winners[0].fullName).toBe(people[0].fullName);
    const dq = await post(`/judge/rounds/${round.id}/disqualifications`, { userId: people[0].id, reason: 'Dùng hai tài khoản' });
    expect(dq.statusCode).toBe(201);
    expect(dq.json()).toMatchObject({ resultsStale: true, publicationWithdrawn: true });
    // The public list named the person just disqualified: it is no longer public (no 5 s of cache either).
    const gone = await get(`/rounds/${round.id}/winners`);
    expect(gone.statusCode).toBe(409);
    expect(gone.json().code).toBe('RESULTS_NOT_PUBLISHED');
    await post(`/judge/rounds/${round.id}/finalize`);
    expect((await post(`/judge/rounds/${round.id}/publish`)).statusCode).toBe(200);
    expect((await get(`/rounds/${round.id}/winners`)).json().winners.map((w: { fullName: string }) => w.fullName)).not.toContain(people[0].fullName);
    expect((await del(`/judge/rounds/${round.id}/disqualifications/${people[0].id}`)).statusCode).toBe(204);
    expect((await get(`/rounds/${round.id}/winners`)).statusCode).toBe(409);
    const [r] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(r.publishedAt).toBeNull();
  });

  it('never lists an excluded person among the winners', async () => {
    const { contest, round, people } = await roundWithPeople(4);
    await makeExclusion(db(), contest.id, { phone: people[0].phone });
    await post(`/judge/rounds/${round.id}/finalize`);
    await post(`/judge/rounds/${round.id}/publish`);
    const names = (await get(`/rounds/${round.id}/winners`)).json().winners.map((w: { fullName: string }) => w.fullName);
    expect(names).toEqual([people[1].fullName, people[2].fullName, people[3].fullName]);
  });
});

describe('GET /rounds/:roundId/answer-key', () => {
  it('is 409 ROUND_NOT_CLOSED while the round is open', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id);
    const res = await get(`/rounds/${round.id}/answer-key`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ROUND_NOT_CLOSED');
  });

  it('gives every pool question with its correct option and explanation once closed', async () => {
    const { round, pool } = await roundWithPeople(0);
    const res = await get(`/rounds/${round.id}/answer-key`);
    expect(res.statusCode).toBe(200);
    const key = res.json();
    expect(key).toHaveLength(pool.length);
    for (const [i, q] of pool.entries()) {
      expect(key[i]).toEqual({
        questionId: q.id,
        text: q.text,
        options: q.options.map((o) => ({ id: o.id, text: o.text })),
        correctOptionId: q.options.find((o) => o.correct)!.id,
        explanation: 'Giải thích.',
      });
    }
  });

  it('answers 404 for an unknown round', async () => {
    expect((await get(`/rounds/nope/answer-key`)).statusCode).toBe(404);
  });
});

describe('GET /judge/contests/:contestId/collective-ranking', () => {
  it('ranks localities and units by participants and, with a headcount, by participation rate', async () => {
    const contest = await makeContest(db());
    const { round: r1 } = await makeClosedRound(db(), contest.id, { number: 1 });
    const { round: r2 } = await makeClosedRound(db(), contest.id, { number: 2 });
    const big = await makeLocality(db(), contest.id, 'Phường Đông Sơn', 100);
    const small = await makeLocality(db(), contest.id, 'Xã Hoằng Hóa', 4);
    const none = await makeLocality(db(), contest.id, 'Xã Nga Sơn');
    const unit = await makeUnit(db(), contest.id, 'Sở Tư pháp', 10);
    const inBig = await Promise.all([1, 2, 3].map(() => makeResident(db(), { localityId: big.id, unitId: unit.id })));
    const inSmall = await Promise.all([1, 2].map(() => makeResident(db(), { localityId: small.id })));
    const excluded = await makeResident(db(), { localityId: small.id });
    await makeExclusion(db(), contest.id, { nationalId: excluded.nationalId });
    // Two rounds by one person count once; an excluded person not at all.
    for (const p of [...inBig, ...inSmall, excluded]) await makeSubmission(db(), r1, p.id, { score: 1 });
    await makeSubmission(db(), r2, inBig[0].id, { score: 1 });
    await makeOpenAttempt(db(), r2, inSmall[0].id);

    const res = await get(`/judge/contests/${contest.id}/collective-ranking`, bearer(judgeToken));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.localities.byParticipants.map((e: { name: string; participants: number; rank: number }) => [e.rank, e.name, e.participants])).toEqual([
      [1, 'Phường Đông Sơn', 3],
      [2, 'Xã Hoằng Hóa', 2],
      [3, 'Xã Nga Sơn', 0],
    ]);
    expect(body.localities.byParticipationRate.map((e: { name: string; participationRate: number }) => [e.name, e.participationRate])).toEqual([
      ['Xã Hoằng Hóa', 0.5],
      ['Phường Đông Sơn', 0.03],
    ]);
    expect(body.units.byParticipants).toEqual([{ rank: 1, id: unit.id, name: 'Sở Tư pháp', participants: 3, headcount: 10, participationRate: 0.3 }]);
    void none;

    const organizerUser = await makeStaff(db(), 'organizer');
    expect((await get(`/judge/contests/${contest.id}/collective-ranking`, bearer(tokenFor(t.app, organizerUser)))).statusCode).toBe(404);
    await addMember(db(), contest.id, organizerUser);
    // A member whose role does not fit a /judge route: 403 FORBIDDEN (API.md v1.1; it was 200).
    const asOrganizer = await get(`/judge/contests/${contest.id}/collective-ranking`, bearer(tokenFor(t.app, organizerUser)));
    expect([asOrganizer.statusCode, asOrganizer.json().code]).toEqual([403, 'FORBIDDEN']);
    expect((await get(`/judge/contests/${contest.id}/collective-ranking`, bearer(tokenFor(t.app, inBig[0])))).statusCode).toBe(403);
    const onlyR2 = (await get(`/judge/contests/${contest.id}/collective-ranking?roundId=${r2.id}`, bearer(judgeToken))).json();
    expect(onlyR2.localities.byParticipants[0]).toMatchObject({ name: 'Phường Đông Sơn', participants: 1 });
  });
});

describe('a participant whose role changes after the finalize (PATCH /admin/users/:userId)', () => {
  it('makes the results stale and takes a publication naming them as a winner back; finalizing again reads the new role', async () => {
    const { round, people } = await roundWithPeople(3);
    const other = await roundWithPeople(1);
    expect((await post(`/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200);
    expect((await post(`/judge/rounds/${round.id}/publish`)).statusCode).toBe(200);
    expect((await post(`/judge/rounds/${other.round.id}/finalize`)).statusCode).toBe(200);

    const admin = tokenFor(t.app, await makeStaff(db(), 'admin'));
    const res = await call(t.app, 'PATCH', `/admin/users/${people[0].id}`, admin, { role: 'organizer' });
    expect(res.statusCode).toBe(200);

    expect((await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(true);
    const [stored] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(stored.publishedAt).toBeNull();
    // A round they took no part in stands.
    expect((await get(`/judge/rounds/${other.round.id}/ranking`, bearer(judgeToken))).json().stale).toBe(false);
    const [audit] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, people[0].id), eq(auditLog.action, 'user.update')));
    expect(audit.after).toMatchObject({ role: 'organizer', staleRounds: [round.id], withdrawnRounds: [round.id] });

    expect((await post(`/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200);
    const ranking = (await get(`/judge/rounds/${round.id}/ranking`, bearer(judgeToken))).json();
    expect(ranking.stale).toBe(false);
    expect(ranking.rows.find((r: { userId: string }) => r.userId === people[0].id)).toMatchObject({ eligible: false, ineligibleReason: 'not_resident' });
    expect(ranking.rows.find((r: { rank: number | null }) => r.rank === 1).userId).toBe(people[1].id);
  });
});
