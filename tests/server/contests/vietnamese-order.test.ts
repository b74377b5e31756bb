import { describe, expect, it } from 'vitest';
import { localities, units } from '../../../db/schema/index';
import { useTestApp, member } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff } from '../../helpers/factories';

// What people read as a list is put in Vietnamese order by the API (server/src/lib/collation.ts),
// whatever the database's collation (this machine's test database and PGlite: code point).
const t = useTestApp();
const db = () => t.database.db;
const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: token ? bearer(token) : {} });

// In code-point order, as the database would return them by name.
const places = ['Huyện Hoằng Hóa', 'Huyện Hà Trung', 'Huyện Yên Định', 'Huyện Đông Sơn', 'Phường 10', 'Phường 2'];
const placesVi = ['Huyện Đông Sơn', 'Huyện Hà Trung', 'Huyện Hoằng Hóa', 'Huyện Yên Định', 'Phường 2', 'Phường 10'];
const offices = ['Bưu điện tỉnh', 'Sở Nội vụ', 'Sở Tài chính', 'Đài Phát thanh'];
const officesVi = ['Bưu điện tỉnh', 'Đài Phát thanh', 'Sở Nội vụ', 'Sở Tài chính'];
const names = (rows: { name: string | null }[]) => rows.map((r) => r.name);

describe('lists in Vietnamese alphabetical order', () => {
  it('orders localities and units at registration, for organizers, in the live stats and in the collective ranking', async () => {
    const organizer = await member(t, 'organizer');
    const judge = await member(t, 'judge');
    const c = await makeContest(db());
    await db()
      .insert(localities)
      .values(places.map((name) => ({ contestId: c.id, name, headcount: 100 })));
    await db()
      .insert(units)
      .values(offices.map((name) => ({ contestId: c.id, name, headcount: 100 })));
    const { round } = await makeRound(db(), c.id);

    const pub = (await get(`/contests/${c.id}`)).json();
    expect(names(pub.localities)).toEqual(placesVi);
    expect(names(pub.units)).toEqual(officesVi);
    expect(names((await get(`/admin/contests/${c.id}/localities`, organizer.token)).json())).toEqual(placesVi);
    expect(names((await get(`/admin/contests/${c.id}/units`, organizer.token)).json())).toEqual(officesVi);
    const stats = (await get(`/admin/rounds/${round.id}/stats`, organizer.token)).json();
    expect(names(stats.byLocality)).toEqual(placesVi);
    expect(names(stats.byUnit)).toEqual(officesVi);
    // Nobody took part: every place ties, and the names give the order.
    const collective = await get(`/judge/contests/${c.id}/collective-ranking`, judge.token);
    expect(collective.statusCode).toBe(200);
    expect(names(collective.json().localities.byParticipants)).toEqual(placesVi);
    expect(names(collective.json().units.byParticipationRate)).toEqual(officesVi);
  });

  it('lists members (organizers, then judges) and overrides by given name, as Vietnamese lists are kept', async () => {
    const organizer = await member(t, 'organizer', { fullName: 'Vũ Thị Yến' });
    const c = await makeContest(db());
    for (const [fullName, role] of [
      ['Bùi Văn Đức', 'judge'],
      ['Lê Thị Bình', 'organizer'],
      ['Đặng Văn An', 'judge'],
      ['Nguyễn Thị Dung', 'judge'],
    ] as const)
      await addMember(db(), c.id, await makeStaff(db(), role, { fullName }));
    const members = (await get(`/admin/contests/${c.id}/members`, organizer.token)).json() as { fullName: string; role: string }[];
    // The first test's members are members of every contest made since (tests/helpers/app.ts member).
    const named = members.filter((m) => !m.fullName.startsWith('Người dự thi'));
    expect(named.map((m) => `${m.role}:${m.fullName}`)).toEqual([
      'organizer:Lê Thị Bình',
      'organizer:Vũ Thị Yến',
      'judge:Đặng Văn An',
      'judge:Nguyễn Thị Dung',
      'judge:Bùi Văn Đức',
    ]);

    const { round } = await makeRound(db(), c.id);
    for (const fullName of ['Hoàng Văn Hùng', 'Bùi Thị Ánh', 'Đỗ Văn An']) {
      const r = await makeResident(db(), { fullName });
      const put = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/admin/rounds/${round.id}/overrides/${r.id}`,
        headers: bearer(organizer.token),
        payload: { extraAttempts: 1, extraSeconds: 0, reason: 'Mất điện' },
      });
      expect(put.statusCode).toBe(200);
    }
    const overrides = (await get(`/admin/rounds/${round.id}/overrides`, organizer.token)).json() as { fullName: string }[];
    expect(overrides.map((o) => o.fullName)).toEqual(['Đỗ Văn An', 'Bùi Thị Ánh', 'Hoàng Văn Hùng']);
  });
});
