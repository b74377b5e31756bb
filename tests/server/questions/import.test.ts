import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { auditLog, questions } from '../../../db/schema/index';
import { prng } from '../../../server/src/lib/draw';
import { QUESTION_HEADERS } from '../../../server/src/lib/question-sheet';
import { member, useTestApp } from '../../helpers/app';
import { turnCounter, watchingRows } from '../../helpers/event-loop';
import { bearer, makeContest, makeQuestions, makeStaff, tokenFor } from '../../helpers/factories';
import { csvText, multipart, semicolonCsv, toCp1258, utf8Bom, xlsxBuilt, xlsxOf } from '../../fixtures/sheets';

const t = useTestApp();
let organizer: string;
let organizerId: string;
beforeAll(async () => ({ id: organizerId, token: organizer } = await member(t, 'organizer')));

const H = [...QUESTION_HEADERS];
const url = (contestId: string, query = '') => `/api/v1/admin/contests/${contestId}/questions/import${query}`;

async function upload(contestId: string, file: Buffer, name: string, query = '', token = organizer) {
  const m = multipart(file, name);
  return t.app.inject({ method: 'POST', url: url(contestId, query), headers: { ...m.headers, ...bearer(token) }, payload: m.payload });
}

async function bankOf(contestId: string) {
  const rows = await t.database.db.select().from(questions).where(eq(questions.contestId, contestId));
  return rows
    .map((q) => ({ text: q.text, options: q.options.map((o) => ({ text: o.text, correct: o.correct })), topic: q.topic, explanation: q.explanation }))
    .sort((a, b) => a.text.localeCompare(b.text));
}

const bankSize = async (contestId: string) => (await t.database.db.select({ n: count() }).from(questions).where(eq(questions.contestId, contestId)))[0].n;

const sample = [
  H,
  ['Chuyển đổi số là gì?', 'Một quá trình thay đổi tổng thể', 'Mua máy tính', 'Lắp wifi', 'Dùng Zalo', 'A', 'Kinh tế số', 'Theo Quyết định 749/QĐ-TTg'],
  ['Cổng dịch vụ công quốc gia có địa chỉ nào?', 'dichvucong.gov.vn', 'thanhhoa.gov.vn', 'vneid.gov.vn', '', 'a', 'Chính quyền số', ''],
  ['Ứng dụng định danh điện tử quốc gia là gì?', 'VNeID', 'Zalo', 'Facebook', 'TikTok', 'b', '', 'Sai đáp án cố ý'],
];

describe('POST /admin/contests/:contestId/questions/import', () => {
  it('imports an xlsx made by exceljs, with option ids, topics and explanations', async () => {
    const c = await makeContest(t.database.db);
    const res = await upload(c.id, await xlsxOf(sample), 'ngan-hang.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, errors: [], total: 3, valid: 3, dryRun: false, format: 'xlsx' });
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(organizer) });
    const qs = list.json() as { text: string; options: { id: string; text: string; correct: boolean }[]; topic?: string; explanation?: string }[];
    expect(qs.map((q) => q.text)).toEqual(sample.slice(1).map((r) => r[0]));
    expect(qs[1].options).toHaveLength(3);
    expect(qs[2].options.find((o) => o.correct)?.text).toBe('Zalo');
    expect(qs[0]).toMatchObject({ topic: 'Kinh tế số', explanation: 'Theo Quyết định 749/QĐ-TTg' });
    // No topic: absent, as questionInput's `topic?` (API.md).
    expect('topic' in qs[2]).toBe(false);
    expect(new Set(qs.flatMap((q) => q.options.map((o) => o.id))).size).toBe(11);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'question.import'));
    expect(audit.find((a) => a.entityId === c.id)).toMatchObject({ actorId: organizerId, entity: 'contest', after: expect.objectContaining({ created: 3 }) });
  });

  it('imports a UTF-8 CSV with a BOM, semicolons, stray spaces, decomposed text and blank trailing rows', async () => {
    const c = await makeContest(t.database.db);
    const rows = sample.map((r, i) => (i === 0 ? r : r.map((cell) => `  ${cell.normalize('NFD')} `)));
    const file = utf8Bom(csvText(rows, ';') + ';;;;;;;\r\n\r\n');
    const res = await upload(c.id, file, 'cau-hoi.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, errors: [], format: 'csv', encoding: 'utf-8' });
    const bank = await bankOf(c.id);
    expect(bank.map((q) => q.text)).toContain('Chuyển đổi số là gì?');
    expect(bank.every((q) => q.text === q.text.normalize('NFC') && q.options.every((o) => o.text === o.text.normalize('NFC')))).toBe(true);
  });

  it('imports a semicolon CSV whose cells hold more commas than there are semicolons', async () => {
    const c = await makeContest(t.database.db);
    const rows = Array.from({ length: 9 }, (_, i) => [
      `Câu ${i + 1}: Những dịch vụ nào, trong số khai sinh, khai tử, kết hôn, thường trú, tạm trú, lý lịch tư pháp, là dịch vụ công?`,
      '1,5',
      '2,5',
      '3,5',
      '4,5',
      'A',
      'Dịch vụ công, hành chính',
      'Theo Nghị định 42/2022, điều 3, khoản 1, điểm a, b',
    ]);
    const res = await upload(c.id, utf8Bom(semicolonCsv([H, ...rows])), 'q-semicolon-many-commas.csv', '?dryRun=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ errors: [], total: 9, valid: 9 });
  });

  it('imports a Windows-1258 CSV', async () => {
    const c = await makeContest(t.database.db);
    const res = await upload(c.id, toCp1258(csvText(sample)), 'cp1258.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, encoding: 'windows-1258' });
    const bank = await bankOf(c.id);
    expect(bank.find((q) => q.text === 'Ứng dụng định danh điện tử quốc gia là gì?')?.explanation).toBe('Sai đáp án cố ý');
  });

  it('writes nothing on a dry run and says what would be created', async () => {
    const c = await makeContest(t.database.db);
    const res = await upload(c.id, await xlsxOf(sample), 'x.xlsx', '?dryRun=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: true, created: 0, valid: 3, errors: [] });
    expect(await bankSize(c.id)).toBe(0);
  });

  it('reports every bad row in both languages and writes none of the good ones', async () => {
    const c = await makeContest(t.database.db);
    const bad = [
      ...sample,
      ['Thiếu đáp án?', 'a', 'b', 'c', '', '', '', ''],
      ['', 'a', 'b', 'c', 'd', 'A', '', ''],
      ['Hai phương án?', 'a', 'b', '', '', 'A', '', ''],
      ['Đáp án lạ?', 'a', 'b', 'c', 'd', 'Z', '', ''],
    ];
    for (const dryRun of ['', '?dryRun=true']) {
      const res = await upload(c.id, await xlsxOf(bad), 'bad.xlsx', dryRun);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.created).toBe(0);
      expect(body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
        [5, 'Đáp án đúng'],
        [6, 'Câu hỏi'],
        [7, 'Phương án C'],
        [8, 'Đáp án đúng'],
      ]);
      expect(body.errors[0]).toMatchObject({ column: 'F', message: 'Thiếu đáp án đúng', messageEn: 'Missing correct answer' });
      expect(await bankSize(c.id)).toBe(0);
    }
  });

  it('imports the text xlsx cells show (dates, times, thousands, percents), not their stored values', async () => {
    const c = await makeContest(t.database.db);
    const file = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Ngân hàng');
      ws.addRow(H);
      ws.addRow(['Số dân của xã X năm 2024?', 1000, 2500, 0.5, 1234.5, 'B', 'Số liệu', '']);
      ws.addRow(['Ngày Quốc khánh?', new Date(Date.UTC(1945, 8, 2)), new Date(Date.UTC(1975, 3, 30)), new Date(Date.UTC(1930, 1, 3)), '', 'A', '', '']);
      ws.addRow(['Giờ làm việc buổi sáng bắt đầu lúc mấy giờ?', ...[7.5, 8, 7].map((h) => new Date(Date.UTC(1899, 11, 30, h, (h % 1) * 60))), '', 'A', '', '']);
      ws.addRow(['Một nửa là bao nhiêu?', 0.5, 0.25, 0.75, '', 'A', '', '']);
      const formats: Record<string, string> = { B2: '#,##0', D2: '0%', E2: '#,##0.0', B5: '0;0;0;0;0' };
      for (const col of ['B', 'C', 'D']) {
        formats[`${col}3`] = 'dd/mm/yyyy';
        formats[`${col}4`] = 'hh:mm';
      }
      for (const [cell, numFmt] of Object.entries(formats)) ws.getCell(cell).numFmt = numFmt;
    });
    const res = await upload(c.id, file, 'q-valid-messy.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 4, errors: [] });
    // A format Excel itself would refuse (five sections) is not followed: said on its row, not changed silently.
    expect(res.json().warnings.filter((w: { rule: string }) => w.rule === 'cell_value')).toEqual([
      expect.objectContaining({ row: 5, column: 'B', messageEn: expect.stringContaining('Cell B5 has the format "0;0;0;0;0"') }),
    ]);
    const options = Object.fromEntries((await bankOf(c.id)).map((q) => [q.text, q.options.map((o) => o.text)]));
    expect(options).toEqual({
      'Số dân của xã X năm 2024?': ['1.000', '2500', '50%', '1.234,5'],
      'Ngày Quốc khánh?': ['02/09/1945', '30/04/1975', '03/02/1930'],
      'Giờ làm việc buổi sáng bắt đầu lúc mấy giờ?': ['07:30', '08:00', '07:00'],
      'Một nửa là bao nhiêu?': ['0,5', '0,25', '0,75'],
    });
  });

  it('leaves out rows hidden in Excel with a warning, and names the sheet it read when columns are missing', async () => {
    const c = await makeContest(t.database.db);
    // The tester's q-two-row-header.xlsx: a header over two merged rows, row 4 hidden.
    const file = await xlsxBuilt((wb) => {
      const ws = wb.addWorksheet('Câu hỏi tuần 4');
      ws.addRow(['STT', 'Câu hỏi', 'Phương án trả lời', '', '', '', 'Đáp án đúng', 'Ghi chú']);
      ws.addRow(['', '', 'A', 'B', 'C', 'D', '', '']);
      for (const range of ['A1:A2', 'B1:B2', 'C1:F1', 'G1:G2', 'H1:H2']) ws.mergeCells(range);
      ws.addRow([1, 'Giờ làm việc buổi sáng bắt đầu lúc mấy giờ?', '7:30', '8:00', '7:00', '', 'A', '']);
      ws.addRow([2, 'Câu hỏi bị loại (đã ẩn dòng)', 'x', 'y', 'z', '', 'A', 'Loại, không dùng']);
      ws.getRow(4).hidden = true;
      ws.addRow([3, 'Câu ba phương án?', 'Một', 'Hai', 'Ba', '', 'B', '']);
    });
    const res = await upload(c.id, file, 'q-two-row-header.xlsx');
    expect(res.json()).toMatchObject({ created: 2, total: 2, errors: [] });
    expect(res.json().warnings).toEqual([expect.objectContaining({ row: 4, rule: 'hidden_row' })]);
    expect((await bankOf(c.id)).map((q) => q.text)).not.toContain('Câu hỏi bị loại (đã ẩn dòng)');

    // The help sheet first, the questions second: the first visible sheet is read, and named.
    const helpFirst = await xlsxBuilt((wb) => {
      wb.addWorksheet('Hướng dẫn').addRow(['Mỗi dòng của trang "Câu hỏi" là một câu hỏi']);
      wb.addWorksheet('Câu hỏi').addRow(H);
    });
    const missing = await upload(c.id, helpFirst, 'mau.xlsx', '?dryRun=true');
    expect(missing.json().errors[0].message).toBe('Thiếu cột "Câu hỏi" ở trang tính "Hướng dẫn" (chỉ trang tính đầu tiên không bị ẩn được đọc)');
  });

  it('reports duplicates within the file and against the bank, or skips them on request', async () => {
    const c = await makeContest(t.database.db);
    const [existing] = await makeQuestions(t.database.db, c.id, 1);
    const rows = [...sample, [existing.text.toUpperCase(), 'x', 'y', 'z', '', 'A', '', ''], [sample[1][0], 'x', 'y', 'z', '', 'A', '', '']];
    const res = await upload(c.id, await xlsxOf(rows), 'dups.xlsx');
    expect(res.json().errors.map((e: { row: number; messageEn: string }) => [e.row, e.messageEn])).toEqual([
      [5, 'The question is already in the bank'],
      [6, 'Same question as on row 2'],
    ]);
    expect(await bankSize(c.id)).toBe(1);

    const skip = await upload(c.id, await xlsxOf(rows), 'dups.xlsx', '?skipDuplicates=true');
    expect(skip.json()).toMatchObject({ created: 3, errors: [] });
    expect(skip.json().skipped.map((e: { row: number }) => e.row)).toEqual([5, 6]);
    expect(await bankSize(c.id)).toBe(4);
  });

  it('names missing columns instead of guessing', async () => {
    const c = await makeContest(t.database.db);
    const res = await upload(
      c.id,
      Buffer.from(
        csvText([
          ['Câu hỏi', 'A', 'B', 'C'],
          ['x', '1', '2', '3'],
        ]),
      ),
      'x.csv',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().errors).toEqual([{ row: 1, field: 'Đáp án đúng', message: 'Thiếu cột "Đáp án đúng"', messageEn: 'Missing column "Đáp án đúng"' }]);
  });

  it('answers unreadable input with a 4xx and writes nothing', async () => {
    const c = await makeContest(t.database.db);
    const xlsx = await xlsxOf(sample);
    const cases: [string, () => Promise<{ statusCode: number; json(): { code: string } }>, number, string][] = [
      ['an empty file', () => upload(c.id, Buffer.alloc(0), 'e.csv'), 400, 'INVALID_FILE'],
      [
        'a PNG',
        () => upload(c.id, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)]), 'p.xlsx'),
        400,
        'INVALID_FILE',
      ],
      [
        'a legacy .xls',
        () => upload(c.id, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), randomBytes(500)]), 'old.xls'),
        400,
        'INVALID_FILE',
      ],
      ['a truncated xlsx', () => upload(c.id, xlsx.subarray(0, xlsx.length / 2), 'half.xlsx'), 400, 'INVALID_FILE'],
      ['a zip that is no workbook', () => upload(c.id, Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(300)]), 'z.xlsx'), 400, 'INVALID_FILE'],
      ['a CSV with an unclosed quote', () => upload(c.id, Buffer.from(`${H.join(',')}\r\n"x,a,b,c,,A\r\n`), 'q.csv'), 400, 'INVALID_FILE'],
      [
        'a JSON body',
        () => t.app.inject({ method: 'POST', url: url(c.id), headers: bearer(organizer), payload: { file: 'x' } }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a multipart body without a file',
        () =>
          t.app.inject({
            method: 'POST',
            url: url(c.id),
            headers: { ...bearer(organizer), 'content-type': 'multipart/form-data; boundary=b' },
            payload: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
          }),
        400,
        'FILE_REQUIRED',
      ],
      [
        'a broken multipart body',
        () =>
          t.app.inject({
            method: 'POST',
            url: url(c.id),
            headers: { ...bearer(organizer), 'content-type': 'multipart/form-data; boundary=b' },
            payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc',
          }),
        400,
        'INVALID_MULTIPART',
      ],
      ['a file over 10 MB', () => upload(c.id, Buffer.alloc(10 * 1024 * 1024 + 10, 0x41), 'big.csv'), 413, 'PAYLOAD_TOO_LARGE'],
      ['a bad dryRun flag', () => upload(c.id, xlsx, 'x.xlsx', '?dryRun=maybe'), 400, 'VALIDATION_FAILED'],
    ];
    for (const [name, send, status, code] of cases) {
      const res = await send();
      expect([name, res.statusCode, res.json().code]).toEqual([name, status, code]);
    }
    expect(await bankSize(c.id)).toBe(0);
  });

  it('never answers 5xx nor writes part of a file, whatever the bytes', async () => {
    const c = await makeContest(t.database.db);
    const good = Buffer.from(csvText(sample));
    // Seeded (the attempts' own PRNG): the same damaged files every run.
    const random = prng(20261129);
    for (let i = 0; i < 25; i++) {
      const mutated = Buffer.from(i % 2 ? good : await xlsxOf(sample));
      for (let k = 0; k < 1 + (i % 5); k++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const res = await upload(c.id, i % 7 === 0 ? Buffer.from(Array.from({ length: 200 + i * 10 }, () => Math.floor(random() * 256))) : mutated, 'f');
      expect(res.statusCode).toBeLessThan(500);
      const n = await bankSize(c.id);
      if (res.statusCode === 200 && res.json().created > 0) {
        expect(n).toBe(res.json().created);
        await t.database.db.delete(questions).where(eq(questions.contestId, c.id));
      } else expect(n).toBe(0);
    }
    // Each workbook whose zip directory survives the damage is read on a worker of its own,
    // which from source (tsx) takes a second or more to start on a loaded machine.
  }, 90_000);

  it('refuses residents and unknown contests', async () => {
    const resident = tokenFor(t.app, { id: 'x', role: 'resident' });
    const c = await makeContest(t.database.db);
    expect((await upload(c.id, await xlsxOf(sample), 'x.xlsx', '', resident)).statusCode).toBe(403);
    expect((await upload('no-such-contest', await xlsxOf(sample), 'x.xlsx')).statusCode).toBe(404);
  });

  it('imports 5,000 questions at once and reports the progress under the client-chosen job id', async () => {
    const c = await makeContest(t.database.db);
    const rows = [
      H,
      ...Array.from({ length: 5000 }, (_, i) => [
        `Câu hỏi số ${i + 1} về chuyển đổi số?`,
        `Đáp án ${i}-1`,
        `Đáp án ${i}-2`,
        `Đáp án ${i}-3`,
        i % 2 ? `Đáp án ${i}-4` : '',
        'ABCD'[i % 3],
        `Chủ đề ${i % 7}`,
        `Giải thích ${i}`,
      ]),
    ];
    const file = await xlsxOf(rows);
    const jobId = 'job-' + randomBytes(6).toString('hex');
    const started = performance.now();
    const pending = upload(c.id, file, 'big.xlsx', `?jobId=${jobId}`);
    // Poll the way the organizer's page does while the upload runs.
    const seen: string[] = [];
    let settled = false;
    void pending.finally(() => (settled = true));
    while (!settled) {
      const p = await t.app.inject({ method: 'GET', url: `/api/v1/admin/imports/${jobId}`, headers: bearer(organizer) });
      if (p.statusCode === 200) seen.push(`${p.json().phase}:${p.json().processed}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await pending;
    const ms = performance.now() - started;
    expect(seen.some((s) => /^writing:[0-9]+$/.test(s) && s !== 'writing:5000')).toBe(true);
    console.log(`import of 5,000 rows (${(file.length / 1024).toFixed(0)} KB xlsx): ${ms.toFixed(0)} ms`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 5000, jobId });
    expect(await bankSize(c.id)).toBe(5000);
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions`, headers: bearer(organizer) });
    expect(
      list
        .json()
        .slice(0, 3)
        .map((q: { text: string }) => q.text),
    ).toEqual(rows.slice(1, 4).map((r) => r[0]));

    const p = await t.app.inject({ method: 'GET', url: `/api/v1/admin/imports/${jobId}`, headers: bearer(organizer) });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ jobId, phase: 'done', processed: 5000, total: 5000, created: 5000 });
    const other = tokenFor(t.app, await makeStaff(t.database.db, 'organizer'));
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/admin/imports/${jobId}`, headers: bearer(other) })).statusCode).toBe(404);
  });
});

describe('GET /admin/contests/:contestId/questions/export', () => {
  it.each(['xlsx', 'csv'] as const)('gives back the same bank when re-imported (%s)', async (format) => {
    const c = await makeContest(t.database.db);
    const rows = [...sample, ['Câu có "ngoặc kép", dấu phẩy; và chấm phẩy?', 'Một', 'Hai', 'Ba', '', 'c', 'Chủ đề', 'Dòng một\nDòng hai']];
    await upload(c.id, await xlsxOf(rows), 'in.xlsx');
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/export?format=${format}`, headers: bearer(organizer) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain(`cau-hoi-${c.slug}.${format}`);
    const copy = await makeContest(t.database.db);
    const back = await upload(copy.id, res.rawPayload, `out.${format}`);
    expect(back.json()).toMatchObject({ created: 4, errors: [] });
    expect(await bankOf(copy.id)).toEqual(await bankOf(c.id));
  });
});

describe('GET /admin/contests/:contestId/questions/export of a large bank', () => {
  it('writes it a run of rows at a time, never a whole workbook in memory on this thread, and it imports back', async () => {
    const c = await makeContest(t.database.db);
    const n = 1_500;
    await makeQuestions(t.database.db, c.id, n);
    // Built whole (Workbook.xlsx.writeBuffer), a 2,000-question bank held every request for 1.3 s.
    const inMemory = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    const loop = turnCounter();
    const turnAtRow: number[] = [];
    const res = await watchingRows(
      () => turnAtRow.push(loop.turns),
      () => t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/export?format=xlsx`, headers: bearer(organizer) }),
    ).finally(() => loop.stop());
    try {
      expect(inMemory).not.toHaveBeenCalled();
    } finally {
      inMemory.mockRestore();
    }
    expect(res.statusCode).toBe(200);
    expect(turnAtRow).toHaveLength(n + 1);
    expect(turnAtRow[n] - turnAtRow[0]).toBeGreaterThanOrEqual(n / 500);
    const copy = await makeContest(t.database.db);
    const back = await upload(copy.id, res.rawPayload, 'out.xlsx');
    expect(back.json()).toMatchObject({ created: n, errors: [] });
    expect(await bankOf(copy.id)).toEqual(await bankOf(c.id));
  });
});

describe('GET /admin/contests/:contestId/questions/template', () => {
  it('gives an xlsx whose first sheet has the Vietnamese headers and a help sheet', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/template?format=xlsx`, headers: bearer(organizer) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Câu hỏi', 'Hướng dẫn']);
    expect((wb.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(H);
  });

  it('imports once filled in, as an organizer would in Excel', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/template?format=xlsx`, headers: bearer(organizer) });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    for (const r of sample.slice(1)) wb.worksheets[0].addRow(r);
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const back = await upload(c.id, filled, 'mau-da-dien.xlsx');
    expect(back.json()).toMatchObject({ created: 3, errors: [] });
  });

  it('gives a CSV with a BOM and the headers', async () => {
    const c = await makeContest(t.database.db);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/contests/${c.id}/questions/template?format=csv`, headers: bearer(organizer) });
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(res.rawPayload.subarray(3).toString('utf8')).toBe(H.join(',') + '\r\n');
  });
});
