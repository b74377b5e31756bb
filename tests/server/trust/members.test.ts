import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { describe, expect, it } from 'vitest';
import { auditLog, contestMembers } from '../../../db/schema/index';
import accessPlugin from '../../../server/src/plugins/access';
import { useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { makeClosedRound } from '../../helpers/results-factories';
import { call } from '../../helpers/requests';

const t = useTestApp();
const db = () => t.database.db;

const get = (url: string, token: string) => call(t.app, 'GET', url, token);
const putMembers = (contestId: string, members: unknown[], token: string) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/admin/contests/${contestId}/members`, headers: bearer(token), payload: { members } });

describe('contest members', () => {
  it("makes the creator an organizer member, and lists only the caller's contests (all for admins)", async () => {
    const o = await makeStaff(db(), 'organizer');
    const other = await makeStaff(db(), 'organizer');
    const admin = await makeStaff(db(), 'admin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/contests',
      headers: bearer(tokenFor(t.app, o)),
      payload: { slug: `mine-${Date.now()}`, title: 'Cuộc thi của tôi' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const mine = await get('/admin/contests', tokenFor(t.app, o));
    expect(mine.json()).toEqual([expect.objectContaining({ id, role: 'organizer' })]);
    expect((await get('/admin/contests', tokenFor(t.app, other))).json()).toEqual([]);
    const all = (await get('/admin/contests', tokenFor(t.app, admin))).json() as { id: string; role: string }[];
    expect(all.find((c) => c.id === id)?.role).toBe('admin');
    expect((await get(`/admin/contests/${id}/members`, tokenFor(t.app, o))).json()).toEqual([
      { userId: o.id, fullName: o.fullName, phone: o.phone, role: 'organizer' },
    ]);
    expect((await get(`/admin/contests/${id}`, tokenFor(t.app, other))).statusCode).toBe(404);
    // Named by its slug, as the web app's URLs do, the contest is the same for its member and hidden from others.
    const slug = created.json().slug as string;
    expect((await get(`/admin/contests/${slug}`, tokenFor(t.app, o))).json().id).toBe(id);
    expect((await get(`/admin/contests/${slug}`, tokenFor(t.app, other))).statusCode).toBe(404);
    // A slug may not pose as another contest's id, nor take a page's name.
    for (const bad of [id, 'users']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/contests',
        headers: bearer(tokenFor(t.app, other)),
        payload: { slug: bad, title: 'Giả mạo' },
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('replaces the members by phone, audit-logged; judges may read the list, not change it', async () => {
    const contest = await makeContest(db());
    const o = await makeStaff(db(), 'organizer');
    await addMember(db(), contest.id, o);
    const judge = await makeStaff(db(), 'judge');
    const o2 = await makeStaff(db(), 'organizer');
    const res = await putMembers(
      contest.id,
      [
        { phone: o.phone, role: 'organizer' },
        { phone: `+84${o2.phone.slice(1)}`, role: 'organizer' },
        { phone: judge.phone, role: 'judge' },
      ],
      tokenFor(t.app, o),
    );
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .map((m: { userId: string; role: string }) => `${m.role}:${m.userId}`)
        .sort(),
    ).toEqual([`judge:${judge.id}`, `organizer:${o.id}`, `organizer:${o2.id}`].sort());
    const judgeToken = tokenFor(t.app, judge);
    expect((await get(`/admin/contests/${contest.id}/members`, judgeToken)).statusCode).toBe(200);
    expect((await get(`/admin/contests/${contest.id}`, judgeToken)).statusCode).toBe(200);
    expect((await putMembers(contest.id, [{ phone: judge.phone, role: 'judge' }], judgeToken)).statusCode).toBe(403);
    const [audit] = await db().select().from(auditLog).where(eq(auditLog.action, 'contest.members'));
    expect(audit).toMatchObject({ entityId: contest.id, actorId: o.id });
    // What changed, not the lists (tests/server/audit/audit-size.test.ts): here the members added to the one there was.
    expect(audit.before).toMatchObject({ count: 1 });
    expect(audit.after).toMatchObject({ count: 3, addedCount: 2, removedCount: 0, changedCount: 0 });
    expect((audit.after as { added: { userId: string }[] }).added.map((m) => m.userId).sort()).toEqual([o2.id, judge.id].sort());
  });

  it('refuses unknown phones, roles that do not match the account and a list with no organizer, changing nothing', async () => {
    const contest = await makeContest(db());
    const o = await makeStaff(db(), 'organizer');
    await addMember(db(), contest.id, o);
    const judge = await makeStaff(db(), 'judge');
    const resident = await makeResident(db());
    const token = tokenFor(t.app, o);
    const bad = await putMembers(
      contest.id,
      [
        { phone: o.phone, role: 'organizer' },
        { phone: '0999999999', role: 'judge' },
        { phone: judge.phone, role: 'organizer' },
        { phone: resident.phone, role: 'judge' },
      ],
      token,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expect(
      bad
        .json()
        .details.map((d: { phone: string }) => d.phone)
        .sort(),
    ).toEqual(['0999999999', judge.phone, resident.phone].sort());
    const last = await putMembers(contest.id, [{ phone: judge.phone, role: 'judge' }], token);
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('LAST_ORGANIZER');
    expect((await putMembers(contest.id, [], token)).json().code).toBe('LAST_ORGANIZER');
    const rows = await db().select().from(contestMembers).where(eq(contestMembers.contestId, contest.id));
    expect(rows.map((r) => r.userId)).toEqual([o.id]);
  });

  it('two saves of the list at once: both 200, and the list is one of the two, whole', async () => {
    const o = await makeStaff(db(), 'organizer');
    const token = tokenFor(t.app, o);
    // Each save deletes then inserts: interleaved, the second inserted the first's rows again (500, 23505).
    for (let i = 0; i < 20; i++) {
      const contest = await makeContest(db());
      await addMember(db(), contest.id, o);
      const [ja, jb] = await Promise.all([makeStaff(db(), 'judge'), makeStaff(db(), 'judge')]);
      const lists = [ja, jb].map((j) => [
        { phone: o.phone, role: 'organizer' },
        { phone: j.phone, role: 'judge' },
      ]);
      const res = await Promise.all(lists.map((list) => putMembers(contest.id, list, token)));
      expect(res.map((r) => r.statusCode)).toEqual([200, 200]);
      const rows = await db().select().from(contestMembers).where(eq(contestMembers.contestId, contest.id));
      const judges = rows.filter((r) => r.role === 'judge').map((r) => r.userId);
      expect(rows).toHaveLength(2);
      expect([[ja.id], [jb.id]]).toContainEqual(judges);
    }
  });
});

describe('every staff route of a contest', () => {
  it('answers 404 to staff who are not members, 403 to members of the wrong role, and lets members in', async () => {
    // Contest A with one of everything a route can name; staff of contest B try them all.
    const a = await makeContest(db());
    const { round, pool } = await makeClosedRound(db(), a.id, { questionCount: 2 }, 2);
    const resident = await makeResident(db());
    const b = await makeContest(db());
    const outsiders = [await makeStaff(db(), 'organizer'), await makeStaff(db(), 'judge')];
    for (const s of outsiders) await addMember(db(), b.id, s);
    const memberOrganizer = await makeStaff(db(), 'organizer');
    const memberJudge = await makeStaff(db(), 'judge');
    await addMember(db(), a.id, memberOrganizer);
    await addMember(db(), a.id, memberJudge);

    const ids: Record<string, string> = { contestId: a.id, roundId: round.id, questionId: pool[0].id, userId: resident.id, jobId: 'job-1' };
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const scoped: { method: string; url: string }[] = [];
    const unscoped: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!/^\/api\/v1\/(admin|judge)\//.test(path)) continue;
      for (const method of Object.keys(ops)) {
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const url = path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p]);
        if (params.some((p) => ['contestId', 'roundId', 'questionId'].includes(p))) scoped.push({ method: method.toUpperCase(), url });
        else unscoped.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(scoped.length).toBeGreaterThan(30);
    // The routes on no single contest: creating one, one's own list, accounts, one's own import job, the audit log and its records.
    expect(unscoped.sort()).toEqual(
      [
        'GET /api/v1/admin/audit',
        'GET /api/v1/admin/audit/{id}',
        'GET /api/v1/admin/contests',
        'GET /api/v1/admin/imports/{jobId}',
        'GET /api/v1/admin/users',
        'PATCH /api/v1/admin/users/{userId}',
        'POST /api/v1/admin/contests',
        'POST /api/v1/admin/users/{userId}/password-reset',
      ].sort(),
    );

    for (const { method, url } of scoped) {
      for (const outsider of outsiders) {
        const res = await t.app.inject({
          method: method as 'GET',
          url,
          headers: bearer(tokenFor(t.app, outsider)),
          payload: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        expect({ method, url, role: outsider.role, status: res.statusCode }).toEqual({ method, url, role: outsider.role, status: 404 });
      }
      // A member gets past the membership check: never the outsider's 404 for the contest
      // (a 404 may still name a missing object), and 403 only where the role does not fit.
      const judgeRes = await t.app.inject({
        method: method as 'GET',
        url,
        headers: bearer(tokenFor(t.app, memberJudge)),
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      const judgeFits =
        url.startsWith('/api/v1/judge/') ||
        /\/(item-analysis|correction|key-confirmation)$/.test(url) ||
        (method === 'GET' && (/\/admin\/contests\/[^/]+(\/members)?$/.test(url) || url.endsWith('/stats')));
      if (judgeFits) expect({ url, method, status: judgeRes.statusCode }).not.toEqual({ url, method, status: 403 });
      else expect({ url, method, status: judgeRes.statusCode }).toEqual({ url, method, status: 403 });
    }
  });

  it('cannot be declared without saying who may use it', async () => {
    const app = Fastify();
    await app.register(fp(async () => {}, { name: 'auth' }));
    await app.register(fp(async () => {}, { name: 'db' }));
    await app.register(accessPlugin);
    expect(() => app.get('/api/v1/admin/forgotten', async () => 'x')).toThrow(/must declare config.access/);
    expect(() => app.get('/api/v1/judge/forgotten', async () => 'x')).toThrow(/must declare config.access/);
    expect(() => app.get('/api/v1/contests-public', async () => 'x')).not.toThrow();
    await app.close();
  });

  it('answers 403 to a resident on a staff route', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 1 }, 1);
    const r = await makeResident(db());
    expect((await get(`/admin/rounds/${round.id}/stats`, tokenFor(t.app, r))).statusCode).toBe(403);
  });
});
