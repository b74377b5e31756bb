import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { localities, units } from '../../../db/schema/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { bearer, makeContest, makeResident, tokenFor } from '../../helpers/factories';
import { uploadFile } from '../../helpers/requests';
import { csvText, toCp1258, utf8Bom, xlsxOf } from '../../fixtures/sheets';

const t = useTestApp();
let organizer: string;
beforeAll(async () => (organizer = await memberToken(t, 'organizer')));

const importFile = (contestId: string, kind: 'localities' | 'units', file: Buffer, name = 'ds.csv', query = '') =>
  uploadFile(t.app, `/admin/contests/${contestId}/${kind}/import${query}`, organizer, file, name);

const names = async (contestId: string) =>
  (await t.database.db.select().from(localities).where(eq(localities.contestId, contestId))).map((l) => [l.name, l.headcount]).sort();

describe('POST /admin/contests/:contestId/localities/import', () => {
  const rows = [
    ['STT', 'Tên xã, phường', 'Dân số'],
    ['1', 'Phường Điện Biên', '12.345'],
    ['2', 'Xã Quảng Phú', ''],
    ['3', '  Thị trấn   Nưa ', '8000'],
  ];

  it('imports a CSV in UTF-8 with a BOM, with headcounts in Vietnamese notation', async () => {
    const c = await makeContest(t.database.db);
    const res = await importFile(c.id, 'localities', utf8Bom(csvText(rows, ';')));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, updated: 0, count: 3, errors: [], total: 3 });
    expect(await names(c.id)).toEqual([
      ['Phường Điện Biên', 12345],
      ['Thị trấn Nưa', 8000],
      ['Xã Quảng Phú', null],
    ]);
  });

  it('imports a Windows-1258 CSV and offers the names at registration', async () => {
    const c = await makeContest(t.database.db);
    expect((await importFile(c.id, 'localities', toCp1258(csvText(rows)))).json()).toMatchObject({ created: 3, encoding: 'windows-1258' });
    const pub = await t.app.inject({ method: 'GET', url: `/api/v1/contests/${c.id}` });
    expect(pub.json().localities.map((l: { name: string }) => l.name)).toEqual(['Phường Điện Biên', 'Thị trấn Nưa', 'Xã Quảng Phú']);
  });

  it('keeps ids of names already listed, updates their headcount and keeps names not in the file', async () => {
    const c = await makeContest(t.database.db);
    await importFile(c.id, 'localities', Buffer.from(csvText(rows)));
    const [dienBien] = await t.database.db
      .select()
      .from(localities)
      .where(and(eq(localities.contestId, c.id), eq(localities.name, 'Phường Điện Biên')));
    const resident = await makeResident(t.database.db, { localityId: dienBien.id });
    const res = await importFile(
      c.id,
      'localities',
      Buffer.from(
        csvText([
          ['Tên', 'Số người'],
          ['PHƯỜNG ĐIỆN BIÊN', '13000'],
          ['Xã Mới', '5'],
        ]),
      ),
    );
    expect(res.json()).toMatchObject({ created: 1, updated: 1, count: 4 });
    const list = (await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/localities`, headers: bearer(organizer) })).json();
    expect(list.find((l: { id: string }) => l.id === dienBien.id)).toEqual({ id: dienBien.id, name: 'Phường Điện Biên', headcount: 13000, registered: 1 });
    expect(list).toHaveLength(4);
    expect(resident.localityId).toBe(dienBien.id);
  });

  it('reports bad rows and writes nothing; a dry run writes nothing either', async () => {
    const c = await makeContest(t.database.db);
    const bad = [...rows, ['4', '', '10'], ['5', 'phường điện biên', ''], ['6', 'Xã Lạ', 'nhiều'], ['7', 'Xã Âm', '-5']];
    const res = await importFile(c.id, 'localities', Buffer.from(csvText(bad)));
    expect(res.json().errors.map((e: { row: number; field: string; column: string }) => [e.row, e.field, e.column])).toEqual([
      [5, 'Tên', 'B'],
      [6, 'Tên', 'B'],
      [7, 'Số người', 'C'],
      [8, 'Số người', 'C'],
    ]);
    expect(res.json().created).toBe(0);
    const dry = await importFile(c.id, 'localities', Buffer.from(csvText(rows)), 'x.csv', '?dryRun=true');
    expect(dry.json()).toMatchObject({ dryRun: true, created: 0, count: 3, valid: 3 });
    expect(await names(c.id)).toEqual([]);
  });
});

describe('POST /admin/contests/:contestId/units/import', () => {
  it('imports units from an xlsx made by exceljs', async () => {
    const c = await makeContest(t.database.db);
    const res = await importFile(
      c.id,
      'units',
      await xlsxOf([
        ['Cơ quan, đơn vị', 'Biên chế'],
        ['Sở Thông tin và Truyền thông', 85],
        ['Huyện đoàn Hoằng Hóa', null],
      ]),
      'dv.xlsx',
    );
    expect(res.json()).toMatchObject({ created: 2, errors: [] });
    const rows = await t.database.db.select().from(units).where(eq(units.contestId, c.id));
    expect(rows.map((u) => [u.name, u.headcount]).sort()).toEqual([
      ['Huyện đoàn Hoằng Hóa', null],
      ['Sở Thông tin và Truyền thông', 85],
    ]);
  });

  it('needs a name column and is for organizers', async () => {
    const c = await makeContest(t.database.db);
    expect((await importFile(c.id, 'units', Buffer.from(csvText([['Số người'], ['5']])))).json().errors[0].messageEn).toBe('Missing a "Tên" (name) column');
    const resident = tokenFor(t.app, { id: 'r', role: 'resident' });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/units`, headers: bearer(resident) })).statusCode).toBe(403);
  });
});

describe('GET /admin/contests/:contestId/localities and /units', () => {
  it('lists each entry with the number of users who chose it, zero for none, in Vietnamese order', async () => {
    const db = t.database.db;
    const c = await makeContest(db);
    const other = await makeContest(db);
    const [a, b] = await db
      .insert(localities)
      .values(['Xã Yên Định', 'Phường Ba Đình', 'Xã Ân Thi'].map((name) => ({ contestId: c.id, name })))
      .returning();
    const [elsewhere] = await db.insert(localities).values({ contestId: other.id, name: 'Xã Khác' }).returning();
    const [u1] = await db
      .insert(units)
      .values(['Sở Y tế', 'Đoàn Thanh niên'].map((name) => ({ contestId: c.id, name, headcount: 10 })))
      .returning();
    for (let i = 0; i < 3; i++) await makeResident(db, { localityId: a.id, unitId: u1.id });
    await makeResident(db, { localityId: b.id });
    await makeResident(db, { localityId: elsewhere.id, unitId: u1.id });
    await makeResident(db);

    const get = async (kind: 'localities' | 'units') => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/${kind}`, headers: bearer(organizer) });
      expect(res.statusCode).toBe(200);
      return res.json().map((r: { name: string; registered: number; headcount: number | null }) => [r.name, r.registered, r.headcount]);
    };
    // Counted by the entry chosen: another contest's entries and users without one count nowhere.
    expect(await get('localities')).toEqual([
      ['Phường Ba Đình', 1, null],
      ['Xã Ân Thi', 0, null],
      ['Xã Yên Định', 3, null],
    ]);
    expect(await get('units')).toEqual([
      ['Đoàn Thanh niên', 0, 10],
      ['Sở Y tế', 4, 10],
    ]);
  });
});
