import { beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../../server/src/modules/audit/index';
import { member, useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';
import { call } from '../../helpers/requests';

const t = useTestApp();
let admin: string;
let organizer: string;
let organizerId: string;
beforeAll(async () => {
  admin = tokenFor(t.app, await makeStaff(t.database.db, 'admin'));
  ({ id: organizerId, token: organizer } = await member(t, 'organizer', { fullName: 'Trần Văn Tổ Chức' }));
});

const audit = (query = '', token = admin) => t.app.inject({ method: 'GET', url: `/api/v1/admin/audit${query}`, headers: bearer(token) });

describe('GET /admin/audit', () => {
  it('lists organizer actions newest first, with who, what, when, before and after', async () => {
    const c = await makeContest(t.database.db);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/contests/${c.id}`, headers: bearer(organizer), payload: { title: 'Tên mới của cuộc thi' } });
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/contests/${c.id}/exclusions`,
      headers: bearer(organizer),
      payload: { entries: [{ phone: '0912345678' }] },
    });
    const res = await audit(`?entityId=${c.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.rows.map((r: { action: string }) => r.action)).toEqual(['exclusions.replace', 'contest.update']);
    const update = body.rows[1];
    expect(update).toMatchObject({ actorId: organizerId, actorName: 'Trần Văn Tổ Chức', actorRole: 'organizer', entity: 'contest', entityId: c.id });
    expect(update.before.title).toBe(c.title);
    expect(update.after.title).toBe('Tên mới của cuộc thi');
    expect(Date.parse(update.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('filters by actor, action prefix and time, and pages', async () => {
    const c = await makeContest(t.database.db);
    for (let i = 0; i < 5; i++)
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/contests/${c.id}/questions`,
        headers: bearer(organizer),
        payload: {
          text: `Câu ${i}?`,
          options: [
            { text: 'a', correct: true },
            { text: 'b', correct: false },
            { text: 'c', correct: false },
          ],
        },
      });
    const all = (await audit(`?actorId=${organizerId}&action=question.&limit=200`)).json();
    expect(all.total).toBeGreaterThanOrEqual(5);
    expect(all.rows.every((r: { action: string; actorId: string }) => r.action.startsWith('question.') && r.actorId === organizerId)).toBe(true);
    const page1 = (await audit(`?actorId=${organizerId}&action=question.create&limit=2`)).json();
    const page2 = (await audit(`?actorId=${organizerId}&action=question.create&limit=2&offset=2`)).json();
    expect(page1.rows).toHaveLength(2);
    expect(page2.rows).toHaveLength(2);
    expect(page2.rows[0].id).toBeLessThan(page1.rows[1].id);
    const future = (await audit(`?from=${new Date(Date.now() + 60_000).toISOString()}`)).json();
    expect(future).toMatchObject({ total: 0, rows: [] });
  });

  it('gathers everything about one contest: the contest, its rounds and questions', async () => {
    const c = await makeContest(t.database.db);
    const other = await makeContest(t.database.db);
    const h = bearer(organizer);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/contests/${c.id}`, headers: h, payload: { title: 'Đổi tên cuộc thi' } });
    const q = {
      text: 'Câu hỏi?',
      options: [
        { text: 'a', correct: true },
        { text: 'b', correct: false },
        { text: 'c', correct: false },
      ],
    };
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/questions`, headers: h, payload: q });
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${other.id}/questions`, headers: h, payload: q });
    const opensAt = new Date(Date.now() + 86_400_000).toISOString();
    const closesAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/contests/${c.id}/rounds`, headers: h, payload: { number: 1, opensAt, closesAt } });
    const rows = (await audit(`?contestId=${c.id}`)).json().rows;
    expect(rows.map((r: { action: string }) => r.action).sort()).toEqual(['contest.update', 'question.create', 'round.create']);
  });

  it("gathers a contest's judging too: finalize, export, publish and disqualifications of its rounds", async () => {
    const c = await makeContest(t.database.db);
    const { round } = await makeClosedRound(t.database.db, c.id, { questionCount: 3 });
    const person = await makeResident(t.database.db);
    await makeSubmission(t.database.db, round, person.id, { score: 3, durationMs: 1000 });
    const judgeUser = await makeStaff(t.database.db, 'judge');
    await addMember(t.database.db, c.id, judgeUser);
    const judge = tokenFor(t.app, judgeUser);
    const j = (method: 'POST' | 'GET', path: string, payload?: object) => call(t.app, method, path, judge, payload);
    expect((await j('POST', `/judge/rounds/${round.id}/finalize`)).statusCode).toBe(200);
    expect((await j('GET', `/judge/rounds/${round.id}/export?format=csv`)).statusCode).toBe(200);
    expect((await j('POST', `/judge/rounds/${round.id}/publish`)).statusCode).toBe(200);
    expect((await j('POST', `/judge/rounds/${round.id}/disqualifications`, { userId: person.id, reason: 'Thử' })).statusCode).toBe(201);
    const rows = (await audit(`?contestId=${c.id}`)).json().rows;
    expect(rows.map((r: { action: string }) => r.action).sort()).toEqual(['round.disqualify', 'round.export', 'round.finalize', 'round.publish']);
    // Another contest's filter sees none of it.
    const other = await makeContest(t.database.db);
    expect((await audit(`?contestId=${other.id}`)).json().rows).toEqual([]);
  });

  it('never shows a password hash kept in a record', async () => {
    await t.database.db.transaction((tx) =>
      recordAudit(tx, {
        actorId: null,
        action: 'user.create',
        entity: 'user',
        entityId: 'u-1',
        after: { id: 'u-1', passwordHash: '$argon2id$secret', nested: { password_hash: 'x', ok: 1 } },
      }),
    );
    const row = (await audit('?entityId=u-1')).json().rows[0];
    expect(row.after).toEqual({ id: 'u-1', nested: { ok: 1 } });
  });

  it('is for admins only', async () => {
    expect((await audit('', organizer)).statusCode).toBe(403);
    expect((await audit('', tokenFor(t.app, { id: 'j', role: 'judge' }))).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit' })).statusCode).toBe(401);
  });

  it('rejects bad filters with 400', async () => {
    expect((await audit('?limit=0')).statusCode).toBe(400);
    expect((await audit('?from=yesterday')).statusCode).toBe(400);
  });
});
