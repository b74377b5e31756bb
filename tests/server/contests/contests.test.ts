import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, contests, rounds } from '../../../db/schema/index';
import { useTestApp, memberTokens } from '../../helpers/app';
import { bearer, makeContest, makeResident, makeRound, tokenFor } from '../../helpers/factories';
import { call } from '../../helpers/requests';

const t = useTestApp();
let org: string;
let judge: string;
let resident: string;
beforeAll(async () => {
  [org, judge] = await memberTokens(t, 'organizer', 'judge');
  resident = tokenFor(t.app, await makeResident(t.database.db));
});

const HOUR = 3_600_000;
const future = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

describe('GET /contests', () => {
  it('lists active contests but not drafts', async () => {
    const active = await makeContest(t.database.db);
    const draft = await makeContest(t.database.db, { status: 'draft' });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/contests' });
    expect(res.statusCode).toBe(200);
    const ids = res.json().map((c: { id: string }) => c.id);
    expect(ids).toContain(active.id);
    expect(ids).not.toContain(draft.id);
    expect(res.json()[0]).toEqual({ id: expect.any(String), slug: expect.any(String), title: expect.any(String), status: expect.any(String) });
  });
});

describe('GET /contests/:contestId', () => {
  it('returns the contest with its rounds and their status, by id or slug', async () => {
    const c = await makeContest(t.database.db, { rules: 'Thể lệ' });
    await makeRound(t.database.db, c.id, { number: 1 });
    await makeRound(t.database.db, c.id, { number: 2, opensAt: new Date(Date.now() + 7 * 24 * HOUR), closesAt: new Date(Date.now() + 14 * 24 * HOUR) });
    await makeRound(t.database.db, c.id, { number: 3, opensAt: new Date(Date.now() - 48 * HOUR), closesAt: new Date(Date.now() - 24 * HOUR) });
    for (const key of [c.id, c.slug]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${key}` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ id: c.id, slug: c.slug, rules: 'Thể lệ' });
      expect(body.rounds.map((r: { number: number; status: string }) => [r.number, r.status])).toEqual([
        [1, 'open'],
        [2, 'upcoming'],
        [3, 'closed'],
      ]);
      expect(Object.keys(body.rounds[0])).toEqual(
        expect.arrayContaining([
          'id',
          'number',
          'title',
          'opensAt',
          'closesAt',
          'questionCount',
          'timeLimitSeconds',
          'maxAttempts',
          'status',
          'predictionPrompt',
        ]),
      );
    }
  });

  it('answers 404 for an unknown id and for a draft', async () => {
    const draft = await makeContest(t.database.db, { status: 'draft' });
    for (const id of ['no-such-contest', draft.id, "x' or 1=1 --", 'a'.repeat(100)]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${encodeURIComponent(id)}` });
      expect(res.statusCode, id).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});

describe('POST /admin/contests', () => {
  it('creates a contest for an organizer and audits it', async () => {
    const res = await call(t.app, 'POST', '/admin/contests', org, { slug: 'thi-thu', title: 'Thi thử', description: 'Mô tả', onePrizePerPerson: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ slug: 'thi-thu', title: 'Thi thử', onePrizePerPerson: true, status: 'active' });
    const log = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, res.json().id));
    expect(log.map((l) => l.action)).toEqual(['contest.create']);
  });

  it('refuses residents and judges (403) and anonymous callers (401)', async () => {
    const payload = { slug: 'khong-duoc', title: 'Không được' };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', headers: bearer(resident), payload })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', headers: bearer(judge), payload })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', payload })).statusCode).toBe(401);
    expect(await t.database.db.select().from(contests).where(eq(contests.slug, 'khong-duoc'))).toEqual([]);
  });

  it('rejects a taken slug (409) and bad input (400)', async () => {
    await makeContest(t.database.db, { slug: 'da-co' });
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', headers: bearer(org), payload: { slug: 'da-co', title: 'Trùng' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('SLUG_TAKEN');
    for (const payload of [{ slug: 'Has Spaces', title: 'x y z' }, { slug: 'ok-slug' }, { slug: 'ok-slug', title: 42 }, {}]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', headers: bearer(org), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('PATCH /admin/contests/:contestId', () => {
  it('updates fields and keeps the rest', async () => {
    const c = await makeContest(t.database.db, { description: 'cũ' });
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/contests/${c.id}`,
      headers: bearer(org),
      payload: { title: 'Tên mới', onePrizePerPerson: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Tên mới', description: 'cũ', onePrizePerPerson: true, slug: c.slug });
  });

  it('answers 404 for an unknown contest and 409 for a slug of another contest', async () => {
    const a = await makeContest(t.database.db);
    const b = await makeContest(t.database.db);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/admin/contests/nope', headers: bearer(org), payload: { title: 'abc' } })).statusCode).toBe(404);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/contests/${a.id}`, headers: bearer(org), payload: { slug: b.slug } });
    expect(res.statusCode).toBe(409);
  });
});

describe('POST /admin/contests/:contestId/rounds', () => {
  it('creates an upcoming round with the defaults of API.md', async () => {
    const c = await makeContest(t.database.db);
    const res = await call(t.app, 'POST', `/admin/contests/${c.id}/rounds`, org, {
      number: 1,
      opensAt: future(24),
      closesAt: future(24 * 8),
      prizes: [{ name: 'Giải Nhất', count: 1 }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      number: 1,
      questionCount: 20,
      timeLimitSeconds: 1200,
      maxAttempts: 1,
      revealScore: 'immediately',
      predictionTarget: 'all_correct_people',
      status: 'upcoming',
      prizes: [{ name: 'Giải Nhất', count: 1 }],
    });
  });

  it('refuses a round that would open now with no pool (409 POOL_TOO_SMALL)', async () => {
    const c = await makeContest(t.database.db);
    const res = await call(t.app, 'POST', `/admin/contests/${c.id}/rounds`, org, { number: 1, opensAt: future(-1), closesAt: future(24) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('POOL_TOO_SMALL');
  });

  it("tells staff a round's pool size, and residents nothing of it (a short pool cannot start even once open)", async () => {
    const c = await makeContest(t.database.db);
    const created = await call(t.app, 'POST', `/admin/contests/${c.id}/rounds`, org, { number: 1, questionCount: 3, opensAt: future(1), closesAt: future(24) });
    expect(created.statusCode).toBe(201);
    const { round } = await makeRound(t.database.db, c.id, { number: 2, questionCount: 3 }, 5);
    const staff = await call(t.app, 'GET', `/admin/contests/${c.id}`, org);
    expect(staff.statusCode).toBe(200);
    const sizes = Object.fromEntries(staff.json().rounds.map((r: { number: number; poolSize: number }) => [r.number, r.poolSize]));
    expect(sizes).toEqual({ 1: 0, 2: 5 });
    const pub = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${c.id}` });
    expect(pub.json().rounds.find((r: { id: string }) => r.id === round.id)).not.toHaveProperty('poolSize');
  });

  it('rejects a duplicate number, closesAt before opensAt and bad prizes', async () => {
    const c = await makeContest(t.database.db);
    await makeRound(t.database.db, c.id, { number: 1 });
    const dup = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/contests/${c.id}/rounds`,
      headers: bearer(org),
      payload: { number: 1, opensAt: future(1), closesAt: future(2) },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('ROUND_NUMBER_TAKEN');
    for (const payload of [
      { number: 2, opensAt: future(2), closesAt: future(1) },
      { number: 2, opensAt: 'tomorrow', closesAt: future(1) },
      { number: 2, opensAt: future(1), closesAt: future(2), prizes: [{ name: 'x', count: 0 }] },
      { number: 0, opensAt: future(1), closesAt: future(2) },
      { number: 2, opensAt: future(1), closesAt: future(2), questionCount: -5 },
      { number: 2, opensAt: future(1), closesAt: future(2), revealScore: 'never' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/rounds`, headers: bearer(org), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const count = await t.database.db.select().from(rounds).where(eq(rounds.contestId, c.id));
    expect(count.length).toBe(1);
  });

  it('answers 404 for an unknown contest', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/contests/nope/rounds',
      headers: bearer(org),
      payload: { number: 1, opensAt: future(1), closesAt: future(2) },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('PATCH /admin/rounds/:roundId', () => {
  it('closes a round early by moving closesAt to now', async () => {
    const c = await makeContest(t.database.db);
    const { round } = await makeRound(t.database.db, c.id);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/rounds/${round.id}`,
      headers: bearer(org),
      payload: { closesAt: new Date().toISOString() },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('closed');
  });

  it('refuses to open a round whose pool is too small, and a window that ends before it starts', async () => {
    const c = await makeContest(t.database.db);
    const { round } = await makeRound(
      t.database.db,
      c.id,
      { opensAt: new Date(Date.now() + HOUR), closesAt: new Date(Date.now() + 2 * HOUR), questionCount: 10 },
      3,
    );
    const open = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/rounds/${round.id}`, headers: bearer(org), payload: { opensAt: future(-1) } });
    expect(open.statusCode).toBe(409);
    expect(open.json().code).toBe('POOL_TOO_SMALL');
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/rounds/${round.id}`, headers: bearer(org), payload: { closesAt: future(1.5) } });
    expect(moved.statusCode).toBe(200);
    const bad = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/rounds/${round.id}`, headers: bearer(org), payload: { closesAt: future(-5) } });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 404 for an unknown round and 403 for a resident', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/admin/rounds/nope', headers: bearer(org), payload: { title: 'x' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/admin/rounds/nope', headers: bearer(resident), payload: { title: 'x' } })).statusCode).toBe(
      403,
    );
  });
});

describe('control characters', () => {
  it('are dropped from text fields and refused in ids, never a 5xx', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/contests/${c.id}`,
      headers: bearer(org),
      payload: { title: 'ab\u0000cd', rules: 'dòng 1\n\u0000dòng 2' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'abcd', rules: 'dòng 1\ndòng 2' });
    const id = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${encodeURIComponent('a\u0000b')}` });
    expect(id.statusCode).toBe(400);
    const q = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions?q=${encodeURIComponent('x\u0000')}`, headers: bearer(org) });
    expect(q.statusCode).toBeLessThan(500);
  });
});
