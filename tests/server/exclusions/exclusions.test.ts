import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, exclusions, rounds } from '../../../db/schema/index';
import { makeNationalId } from '../../../server/src/lib/identity';
import { isExcluded } from '../../../server/src/modules/exclusions/index';
import { useTestApp, memberToken } from '../../helpers/app';
import { turnCounter, watchingRows } from '../../helpers/event-loop';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { call, start, uploadFile } from '../../helpers/requests';
import { makeClosedRound, makeSubmission } from '../../helpers/results-factories';
import { csvText, toCp1258, utf8Bom, xlsxOf } from '../../fixtures/sheets';

const t = useTestApp();
let organizer: string;
beforeAll(async () => (organizer = await memberToken(t, 'organizer')));

const ID1 = makeNationalId(1985, 111111); // 038085111111
const ID2 = makeNationalId(1990, 222222);

const put = (contestId: string, entries: unknown[], token = organizer) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/admin/contests/${contestId}/exclusions`, headers: bearer(token), payload: { entries } });

const importFile = (contestId: string, file: Buffer, name: string, query = '') =>
  uploadFile(t.app, `/admin/contests/${contestId}/exclusions/import${query}`, organizer, file, name);

const stored = async (contestId: string) =>
  (await t.database.db.select().from(exclusions).where(eq(exclusions.contestId, contestId))).map((e) => [e.nationalId, e.phone, e.note]).sort();

describe('PUT /admin/contests/:contestId/exclusions', () => {
  it('stores national ids and phones normalized and returns the list', async () => {
    const c = await makeContest(t.database.db);
    const res = await put(c.id, [
      { nationalId: ` ${ID1.slice(0, 4)} ${ID1.slice(4)} `, note: 'Ban tổ chức' },
      { phone: '+84 912.345.678' },
      { nationalId: ID2, phone: '84987654321', note: 'Giám khảo' },
      { phone: '0912345678' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ contestId: c.id, count: 3 });
    expect(await stored(c.id)).toEqual(
      [
        [ID1, null, 'Ban tổ chức'],
        [null, '0912345678', null],
        [ID2, '0987654321', 'Giám khảo'],
      ].sort(),
    );
    const get = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions`, headers: bearer(organizer) });
    expect(get.json()).toEqual(body);
  });

  it('replaces the whole list, and an empty list clears it', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }, { phone: '0912345678' }]);
    await put(c.id, [{ phone: '0333444555' }]);
    expect(await stored(c.id)).toEqual([[null, '0333444555', null]]);
    const res = await put(c.id, []);
    expect(res.json().count).toBe(0);
    expect(await stored(c.id)).toEqual([]);
  });

  it('rejects the whole body when one entry is bad, naming each bad field', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }]);
    const res = await put(c.id, [{ phone: '0912345678' }, { nationalId: '123' }, { phone: '02373851234' }, { note: 'không có gì' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_EXCLUSION');
    expect(res.json().details.map((d: { field: string }) => d.field)).toEqual([
      'body.entries.1.nationalId',
      'body.entries.2.phone',
      'body.entries.3.nationalId',
    ]);
    expect(await stored(c.id)).toEqual([[ID1, null, null]]);
  });

  it('takes a list of 20,000 entries in one body', async () => {
    const c = await makeContest(t.database.db);
    const entries = Array.from({ length: 20_000 }, (_, i) => ({
      nationalId: makeNationalId(1980 + (i % 20), i),
      phone: `09${String(i).padStart(8, '0')}`,
      note: `Cán bộ số ${i}`,
    }));
    const res = await put(c.id, entries);
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(20_000);
  });

  it('takes back a published prize list that names someone the new list excludes, and only that one', async () => {
    const c = await makeContest(t.database.db);
    const judge = await makeStaff(t.database.db, 'judge');
    await addMember(t.database.db, c.id, judge);
    const jt = tokenFor(t.app, judge);
    const { round: r1 } = await makeClosedRound(t.database.db, c.id, { number: 1, questionCount: 3 });
    const { round: r2 } = await makeClosedRound(t.database.db, c.id, { number: 2, questionCount: 3 });
    const staffer = await makeResident(t.database.db, { nationalId: ID1 });
    const other = await makeResident(t.database.db);
    await makeSubmission(t.database.db, r1, staffer.id, { score: 3, durationMs: 1000 });
    await makeSubmission(t.database.db, r2, other.id, { score: 3, durationMs: 1000 });
    for (const r of [r1, r2]) {
      expect((await call(t.app, 'POST', `/judge/rounds/${r.id}/finalize`, jt)).statusCode).toBe(200);
      expect((await call(t.app, 'POST', `/judge/rounds/${r.id}/publish`, jt)).statusCode).toBe(200);
    }
    expect((await put(c.id, [{ nationalId: ID1, note: 'Tổ ra đề' }])).statusCode).toBe(200);
    const [a, b] = await Promise.all([r1, r2].map(async (r) => (await t.database.db.select().from(rounds).where(eq(rounds.id, r.id)))[0]));
    expect(a.publishedAt).toBeNull();
    expect(b.publishedAt).not.toBeNull();
    const logs = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, c.id));
    expect(logs.filter((l) => l.action === 'exclusions.replace').map((l) => (l.after as { withdrawnRounds?: string[] }).withdrawnRounds)).toEqual([[r1.id]]);
  });

  it('a winner excluded while a judge publishes: the public list never names them', async () => {
    const judge = await makeStaff(t.database.db, 'judge');
    const jt = tokenFor(t.app, judge);
    // The publish checked the list before the save committed, and the save looked for published rounds before the publish committed.
    for (let i = 0; i < 20; i++) {
      const c = await makeContest(t.database.db);
      await addMember(t.database.db, c.id, judge);
      const { round } = await makeClosedRound(t.database.db, c.id, { questionCount: 5 });
      const people = await Promise.all([0, 1, 2].map(() => makeResident(t.database.db)));
      for (const [k, p] of people.entries()) await makeSubmission(t.database.db, round, p.id, { score: 5 - k, durationMs: 1000 });
      expect((await call(t.app, 'POST', `/judge/rounds/${round.id}/finalize`, jt)).statusCode).toBe(200);
      const winner = people[0];
      const [pub, save] = await Promise.all([
        call(t.app, 'POST', `/judge/rounds/${round.id}/publish`, jt),
        put(c.id, [{ nationalId: winner.nationalId, note: 'Cán bộ' }]),
      ]);
      expect(save.statusCode).toBe(200);
      // Either the publish came first and the save took it back, or it came second and found the results stale.
      expect([200, 409]).toContain(pub.statusCode);
      const winners = await call(t.app, 'GET', `/rounds/${round.id}/winners`);
      expect([winners.statusCode, winners.json().code]).toEqual([409, 'RESULTS_NOT_PUBLISHED']);
    }
  });

  it('audits the change: the sizes before and after, the entries added and removed (tests/server/audit/audit-size.test.ts)', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }]);
    await put(c.id, [{ nationalId: ID2 }]);
    const rows = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, c.id));
    const last = rows.filter((r) => r.action === 'exclusions.replace').at(-1)!;
    expect(last.before).toMatchObject({ count: 1 });
    expect(last.before).not.toHaveProperty('entries');
    expect(last.after).toMatchObject({
      count: 1,
      added: [{ nationalId: ID2, phone: null, note: null }],
      addedCount: 1,
      removed: [{ nationalId: ID1, phone: null, note: null }],
      removedCount: 1,
    });
  });

  it('is for organizers only, and 404 for an unknown contest', async () => {
    const c = await makeContest(t.database.db);
    expect((await put(c.id, [], tokenFor(t.app, { id: 'r', role: 'resident' }))).statusCode).toBe(403);
    // A judge of another contest does not learn this one exists; a judge member may not edit it.
    const judge = await makeStaff(t.database.db, 'judge');
    expect((await put(c.id, [], tokenFor(t.app, judge))).statusCode).toBe(404);
    await addMember(t.database.db, c.id, judge);
    expect((await put(c.id, [], tokenFor(t.app, judge))).statusCode).toBe(403);
    expect((await put('nope', [])).statusCode).toBe(404);
  });
});

describe('isExcluded (what attempts and ranking match on)', () => {
  it('matches by national id or by phone, within the contest only', async () => {
    const c = await makeContest(t.database.db);
    const other = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }, { phone: '+84912345678' }]);
    const db = t.database.db;
    expect(await isExcluded(db, c.id, { nationalId: ID1, phone: '0999999999' })).toBe(true);
    expect(await isExcluded(db, c.id, { nationalId: ID2, phone: '0912345678' })).toBe(true);
    expect(await isExcluded(db, c.id, { nationalId: ID2, phone: '0999999999' })).toBe(false);
    expect(await isExcluded(db, other.id, { nationalId: ID1, phone: '0912345678' })).toBe(false);
  });
});

describe('POST /rounds/:roundId/attempts with an exclusion list', () => {
  it('refuses people listed by phone (in any notation) or national id, and lets others start', async () => {
    const db = t.database.db;
    const c = await makeContest(db);
    const { round } = await makeRound(db, c.id);
    const byPhone = await makeResident(db);
    const byId = await makeResident(db);
    const free = await makeResident(db);
    await put(c.id, [{ phone: '+84' + byPhone.phone.slice(1) }, { nationalId: `${byId.nationalId!.slice(0, 6)} ${byId.nationalId!.slice(6)}` }]);
    for (const u of [byPhone, byId]) {
      const res = await start(t.app, round.id, tokenFor(t.app, u));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('NOT_ELIGIBLE');
    }
    expect((await start(t.app, round.id, tokenFor(t.app, free))).statusCode).toBe(201);
  });
});

describe('POST /admin/contests/:contestId/exclusions/import', () => {
  const rows = [
    ['DANH SÁCH CÁN BỘ KHÔNG DỰ THI'],
    ['STT', 'Họ và tên', 'Số CCCD', 'Số điện thoại', 'Ghi chú'],
    ['1', 'Lê Văn Tám', ID1, '0912 345 678', 'Ban tổ chức'],
    ['2', 'Trần Thị Bình', '', '+84987654321', ''],
    ['3', 'Nguyễn Hữu Đức', ID2, '', 'Tổ thư ký'],
  ];

  it('reads an xlsx where ids and phones are numbers that lost their leading zero', async () => {
    const c = await makeContest(t.database.db);
    const file = await xlsxOf([rows[0], rows[1], ['1', 'Lê Văn Tám', Number(ID1), 912345678, 'Ban tổ chức'], ['2', 'Trần Thị Bình', null, 987654321, null]]);
    const res = await importFile(c.id, file, 'ds.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 2, count: 2, errors: [], total: 2 });
    expect(await stored(c.id)).toEqual(
      [
        [ID1, '0912345678', 'Lê Văn Tám — Ban tổ chức'],
        [null, '0987654321', 'Trần Thị Bình'],
      ].sort(),
    );
  });

  it('restores the two zeros a numeric cell dropped from a Hà Nội CCCD (province 001-009)', async () => {
    // The tester's ex-with-hanoi.xlsx: ids and phones typed as numbers, some as text.
    const c = await makeContest(t.database.db);
    const file = await xlsxOf([
      ['DANH SÁCH THÀNH VIÊN BAN TỔ CHỨC, BAN GIÁM KHẢO'],
      ['STT', 'Họ và tên', 'Số CCCD', 'SĐT', 'Ghi chú'],
      [1, 'Phạm Văn Một', 38090000101, null, 'BTC'],
      [2, 'Hoàng Thị Hai', 1185000202, null, 'BGK'],
      [3, 'Vũ Văn Ba', null, '+84 912 000 303', 'Tổ ra đề'],
      [4, 'Đỗ Thị Sáu', '038 190 000 606', '', ''],
      [5, 'Bùi Văn Năm', null, 912000505, ''],
    ]);
    const res = await importFile(c.id, file, 'ex-with-hanoi.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 5, errors: [], warnings: [] });
    expect((await stored(c.id)).map((r) => r[0] ?? r[1]).sort()).toEqual(['001185000202', '038090000101', '038190000606', '0912000303', '0912000505']);

    // Typed as text, ten digits are not padded (two digits may be missing anywhere): refused, saying why.
    const text = await importFile(
      c.id,
      utf8Bom(
        csvText([
          ['Số CCCD', 'Ghi chú'],
          ['1185000202', 'BGK'],
        ]),
      ),
      'ds.csv',
    );
    expect(text.json().errors).toEqual([
      expect.objectContaining({ row: 2, column: 'A', message: expect.stringContaining('Excel có thể đã bỏ các số 0 ở đầu') }),
    ]);
  });

  it('reads CSV in UTF-8 with a BOM and in Windows-1258', async () => {
    for (const file of [utf8Bom(csvText(rows, ';')), toCp1258(csvText(rows))]) {
      const c = await makeContest(t.database.db);
      const res = await importFile(c.id, file, 'ds.csv');
      expect(res.json()).toMatchObject({ created: 3, errors: [] });
      expect((await stored(c.id)).map((r) => r[2])).toContain('Nguyễn Hữu Đức — Tổ thư ký');
    }
  });

  it('reports bad rows, writes nothing, and keeps the old list', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ phone: '0333444555' }]);
    const bad = [...rows, ['4', 'Sai số', '12345', '0912', ''], ['5', 'Không có gì', '', '', '']];
    const res = await importFile(c.id, Buffer.from(csvText(bad)), 'bad.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json().created).toBe(0);
    expect(res.json().errors.map((e: { row: number; field: string; column: string }) => [e.row, e.field, e.column])).toEqual([
      [6, 'Số CCCD', 'C'],
      [6, 'Số điện thoại', 'D'],
      [7, 'Số CCCD', 'C'],
    ]);
    expect(await stored(c.id)).toEqual([[null, '0333444555', null]]);
  });

  it('appends on request, and a dry run writes nothing', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ phone: '0333444555' }]);
    const dry = await importFile(c.id, Buffer.from(csvText(rows)), 'a.csv', '?mode=append&dryRun=true');
    expect(dry.json()).toMatchObject({ dryRun: true, created: 0, count: 4 });
    expect((await stored(c.id)).length).toBe(1);
    const res = await importFile(c.id, Buffer.from(csvText(rows)), 'a.csv', '?mode=append');
    expect(res.json()).toMatchObject({ created: 3, count: 4 });
    expect((await stored(c.id)).length).toBe(4);
  });

  it('needs an id or phone column', async () => {
    const c = await makeContest(t.database.db);
    const res = await importFile(c.id, Buffer.from(csvText([['Họ và tên'], ['Ai đó']])), 'x.csv');
    expect(res.json().errors[0]).toMatchObject({ row: 1, messageEn: 'Missing a "Số CCCD" or "Số điện thoại" column' });
  });

  it('answers a broken file with 400', async () => {
    const c = await makeContest(t.database.db);
    const res = await importFile(c.id, Buffer.from('PK\x03\x04garbage'), 'x.xlsx');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_FILE');
  });
});

describe('GET /admin/contests/:contestId/exclusions/export', () => {
  it.each(['xlsx', 'csv'] as const)('gives a %s that imports back to the same list', async (format) => {
    const c = await makeContest(t.database.db);
    await put(c.id, [
      { nationalId: ID1, note: '=HYPERLINK("x")' },
      { phone: '0912345678', note: 'Ban tổ chức' },
      { nationalId: ID2, phone: '0987654321' },
    ]);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions/export?format=${format}`, headers: bearer(organizer) });
    expect(res.statusCode).toBe(200);
    const copy = await makeContest(t.database.db);
    const back = await importFile(copy.id, res.rawPayload, `ds.${format}`);
    expect(back.json()).toMatchObject({ created: 3, errors: [] });
    expect(await stored(copy.id)).toEqual(await stored(c.id));
  });

  it('writes a large list a run of rows at a time, never a whole workbook in memory on this thread, and it imports back', async () => {
    const c = await makeContest(t.database.db);
    const n = 3_000;
    const entries = Array.from({ length: n }, (_, i) => ({
      nationalId: makeNationalId(1970 + (i % 30), i),
      phone: `09${String(i).padStart(8, '0')}`,
      note: `Cán bộ số ${i}`,
    }));
    expect((await put(c.id, entries)).statusCode).toBe(200);
    // Built whole (Workbook.xlsx.writeBuffer), 100,000 entries held every request for 14 s and took 800 MB.
    const inMemory = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    const loop = turnCounter();
    const turnAtRow: number[] = [];
    const res = await watchingRows(
      () => turnAtRow.push(loop.turns),
      () => t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions/export?format=xlsx`, headers: bearer(organizer) }),
    ).finally(() => loop.stop());
    try {
      expect(inMemory).not.toHaveBeenCalled();
    } finally {
      inMemory.mockRestore();
    }
    expect(res.statusCode).toBe(200);
    // The header and every entry, all read at once: the turns between them are the writer's.
    expect(turnAtRow).toHaveLength(n + 1);
    expect(turnAtRow[n] - turnAtRow[0]).toBeGreaterThanOrEqual(n / 500);
    const copy = await makeContest(t.database.db);
    const back = await importFile(copy.id, res.rawPayload, 'ds.xlsx');
    expect(back.json()).toMatchObject({ created: n, errors: [] });
    expect(await stored(copy.id)).toEqual(await stored(c.id));
  });

  it('gives an empty template with the headers', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }]);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions/template?format=csv`, headers: bearer(organizer) });
    expect(res.rawPayload.subarray(3).toString('utf8')).toBe('Số CCCD,Số điện thoại,Ghi chú\r\n');
  });

  it('audits who downloaded the list (it carries national ids and phones), not the empty template', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }, { phone: '0333444555' }]);
    const get = (path: string) => t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions/${path}`, headers: bearer(organizer) });
    expect((await get('export?format=csv')).statusCode).toBe(200);
    expect((await get('template?format=csv')).statusCode).toBe(200);
    const rows = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, c.id));
    const exports = rows.filter((r) => r.action === 'exclusions.export');
    expect(exports).toHaveLength(1);
    expect(exports[0].after).toEqual({ format: 'csv', count: 2 });
  });

  it('refuses the template sent back as it is: a header with no rows never empties the list', async () => {
    const c = await makeContest(t.database.db);
    await put(c.id, [{ nationalId: ID1 }]);
    const template = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/exclusions/template?format=xlsx`, headers: bearer(organizer) });
    const res = await importFile(c.id, template.rawPayload, 'mau.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 0, errors: [{ row: 1, field: 'file', message: expect.stringContaining('danh sách giữ nguyên') }] });
    expect((await stored(c.id)).map((r) => r[0])).toEqual([ID1]);
  });
});
