import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, rounds, type Round } from '../../../db/schema/index';
import { CANONICAL_COLUMNS, escapeCanonical } from '../../../server/src/lib/ranking';
import { loadContext, rowsOf } from '../../../server/src/modules/exports/exports.context';
import { COLUMN_TITLES, csvValueToCanonical, FLAGS_TITLE } from '../../../server/src/modules/exports/exports.format';
import { memberToken, useTestApp } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeStaff, prizeTiers, tokenFor } from '../../helpers/factories';
import { makeClosedRound, makeDisqualification, makeExclusion, makeLocality, makeSubmission, makeUnit } from '../../helpers/results-factories';
import { finalize } from '../../helpers/requests';
import { pdfText } from './pdf-text';

const t = useTestApp();
let judgeToken: string;
let round: Round;
let checksum: string;
let flagged: { id: string }[];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const NAMES = [
  'Nguyễn Thị Hoa Tôn Nữ Kim Hải Yến Phương',
  'Trần Văn Đức',
  'Lê Hoàng Yến',
  'Phạm Quốc Khánh',
  'Đỗ Thị Ngọc Ánh',
  // Apostrophes before a formula's sign get one more in the CSV, dropped again for the checksum.
  "'=2+2 Vũ Minh Tuấn",
  '=1+1 Bùi Thị Lụa',
];

beforeAll(async () => {
  const db = t.database.db;
  judgeToken = await memberToken(t, 'judge');
  const contest = await makeContest(db, { title: 'Cuộc thi tìm hiểu chuyển đổi số tỉnh Thanh Hóa, staff offline' });
  ({ round } = await makeClosedRound(db, contest.id, {
    number: 3,
    title: 'Chính quyền số',
    questionCount: 5,
    prizes: prizeTiers(['Giải Nhất', 1], ['Giải Nhì', 2], ['Giải Khuyến khích', 2]),
  }));
  const loc = await makeLocality(db, contest.id, 'Phường Hạc Thành');
  const unit = await makeUnit(db, contest.id, 'Sở Khoa học và Công nghệ');
  const people = [];
  for (const [i, fullName] of NAMES.entries())
    people.push(await makeResident(db, { fullName, localityId: i % 2 ? loc.id : null, unitId: i % 3 ? unit.id : null }));
  await makeExclusion(db, contest.id, { nationalId: people[1].nationalId });
  await makeDisqualification(db, round.id, people[2].id, 'Thi hộ, có bằng chứng "ảnh chụp"');
  for (const [i, p] of people.entries()) await makeSubmission(db, round, p.id, { score: 5 - (i % 3), prediction: 10 + i, durationMs: 60_000 + i * 1111 });
  // Fair play: a sixth and a seventh account hand in the same answers in the same order,
  // one of them wrong (a set with every answer right is no evidence), the sixth in 5 s for
  // 5 questions (under the default 1.5 s a question).
  const copied = [1, 2, 3, 4, 5].map((n) => ({ questionId: `q${n}`, optionId: `o${n}` }));
  flagged = [await makeResident(db, { fullName: 'Hoàng Văn Nhanh' }), await makeResident(db, { fullName: 'Hoàng Văn Chép' })];
  await makeSubmission(db, round, flagged[0].id, { score: 4, prediction: 50, durationMs: 5_000, answers: copied });
  await makeSubmission(db, round, flagged[1].id, { score: 1, prediction: 90, durationMs: 90_000, answers: copied });
  const fin = await finalize(t.app, round.id, judgeToken);
  expect(fin.statusCode).toBe(200);
  checksum = fin.json().checksum;
});

const exportOf = (format: string, token = judgeToken, roundId = round.id) =>
  t.app.inject({ method: 'GET', url: `/api/v1/judge/rounds/${roundId}/export?format=${format}`, headers: bearer(token) });

describe('GET /judge/rounds/:roundId/export', () => {
  it('exports CSV in UTF-8 with a BOM, the canonical columns, and a checksum a judge can recompute from it', async () => {
    const res = await exportOf('csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="xep-hang-cuoc-thi-\d+-tuan-3\.csv"$/);
    const body = res.rawPayload;
    expect(res.headers['x-content-sha256']).toBe(sha(body));
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(body.subarray(3).toString('utf8'), { relax_column_count: false });
    expect(records[0]).toEqual([...CANONICAL_COLUMNS.map((c) => COLUMN_TITLES[c]), FLAGS_TITLE]);
    const rows = records.slice(1);
    expect(rows).toHaveLength(NAMES.length + 2);
    expect(rows.map((r) => r[4]).sort()).toEqual([...NAMES.map((n) => (/^'*=/.test(n) ? `'${n}` : n)), 'Hoàng Văn Nhanh', 'Hoàng Văn Chép'].sort());
    // The flags, after the canonical columns; everyone else has none.
    const flagsOf = new Map(rows.map((r) => [r[3], r[CANONICAL_COLUMNS.length]]));
    expect(flagsOf.get(flagged[0].id)).toBe('too_fast;same_answers_same_order');
    expect(flagsOf.get(flagged[1].id)).toBe('same_answers_same_order');
    expect(rows.filter((r) => r[CANONICAL_COLUMNS.length] !== '')).toHaveLength(2);
    // The recipe of lib/ranking.ts over the canonical (first 21) columns: canonical
    // escaping, tab-joined, LF-ended, SHA-256. The flags are not in the checksum.
    const canonical = rows
      .map(
        (r) =>
          r
            .slice(0, CANONICAL_COLUMNS.length)
            .map((cell) => escapeCanonical(csvValueToCanonical(cell)))
            .join('\t') + '\n',
      )
      .join('');
    expect(createHash('sha256').update(canonical, 'utf8').digest('hex')).toBe(checksum);
    expect(rows.find((r) => r[20].startsWith('disqualified'))?.[20]).toBe('disqualified: Thi hộ, có bằng chứng "ảnh chụp"');
    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, round.id), eq(auditLog.action, 'round.export')));
    expect(audit.map((a) => (a.after as { sha256: string }).sha256)).toContain(res.headers['x-content-sha256']);
    // Phones and national ids keep their leading zero.
    expect(rows.every((r) => /^0\d{9}$/.test(r[6]) && /^0\d{11}$/.test(r[5]))).toBe(true);
  });

  it('exports XLSX that reads back with Vietnamese text, text phones, and the summary sheet', async () => {
    const res = await exportOf('xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-sha256']).toBe(sha(res.rawPayload));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Xếp hạng')!;
    expect(ws.rowCount).toBe(NAMES.length + 3);
    expect(ws.getRow(1).getCell(5).value).toBe(COLUMN_TITLES.fullName);
    const flagsCol = CANONICAL_COLUMNS.length + 1;
    expect(ws.getRow(1).getCell(flagsCol).value).toBe(FLAGS_TITLE);
    const names = [];
    const flagsOf = new Map<unknown, unknown>();
    for (let i = 2; i <= ws.rowCount; i++) {
      const row = ws.getRow(i);
      names.push(row.getCell(5).value);
      flagsOf.set(row.getCell(4).value, row.getCell(flagsCol).value);
      expect(typeof row.getCell(7).value).toBe('string');
      expect(row.getCell(1).value).toBe(i - 1);
    }
    expect([...names].sort()).toEqual([...NAMES, 'Hoàng Văn Nhanh', 'Hoàng Văn Chép'].sort());
    expect(flagsOf.get(flagged[0].id)).toBe('too_fast;same_answers_same_order');
    expect(flagsOf.get(flagged[1].id)).toBe('same_answers_same_order');
    // Rows without flags have an empty cell.
    expect([...flagsOf.values()].filter((v) => v !== null && v !== undefined)).toHaveLength(2);
    const info = wb.getWorksheet('Thông tin')!;
    const pairs = new Map<string, unknown>();
    info.eachRow((r) => pairs.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(pairs.get('Mã kiểm tra SHA-256 của danh sách')).toBe(checksum);
    expect(pairs.get('Cuộc thi')).toBe('Cuộc thi tìm hiểu chuyển đổi số tỉnh Thanh Hóa, staff offline');
  });

  it('exports a printable PDF with an embedded Vietnamese font, the rules, the actual count, the checksum and signature lines', async () => {
    const res = await exportOf('pdf');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-sha256']).toBe(sha(res.rawPayload));
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.toString('latin1')).toContain('DejaVuSans');
    const { lines, unmapped } = pdfText(res.rawPayload);
    expect(unmapped).toBe(0);
    const text = lines.join('\n');
    for (const s of [
      'DANH SÁCH XẾP HẠNG VÀ ĐỀ NGHỊ TRAO GIẢI',
      'Cuộc thi tìm hiểu chuyển đổi số tỉnh Thanh Hóa, staff offline',
      'Chính quyền số',
      'Số người có ít nhất một lượt thi trả lời đúng tất cả các câu hỏi',
      'Giải Nhất: 1; Giải Nhì: 2; Giải Khuyến khích: 2',
      checksum,
      'Nguyễn Thị Hoa',
      'Đỗ Thị Ngọc Ánh',
      'Thuộc danh sách loại trừ',
      'CHỦ TỊCH HỘI ĐỒNG GIÁM KHẢO',
      '(Ký, ghi rõ họ tên)',
      // The flags of a prize row: marked in the table, spelled out under it, threshold stated.
      'Có dấu hiệu cần xem xét',
      'Dấu hiệu cần xem xét (không làm thay đổi hạng hay giải):',
      'Hoàng Văn Nhanh: làm quá nhanh; trùng đáp án và thứ tự',
      'Ngưỡng làm quá nhanh: 1500 ms mỗi câu.',
    ])
      expect(text).toContain(s);
    // The note under the flags says which answer sets are compared (the lines wrap).
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(
      'trùng đáp án (có câu sai) và thứ tự với tài khoản khác; nhóm từ 3 tài khoản trùng đáp án (có câu sai)',
    );
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('Bài đúng hết không được so trùng đáp án, trừ cùng thiết bị.');
    // A winner's whole name is on the page people sign (it was cut to "…" in its cell), and
    // times to the millisecond, as the tie-break reads them (60,000 and 64,444 ms).
    expect(text).not.toContain('…');
    expect(text).toContain('Yến Phương');
    expect(text).toContain('1:00,000');
    expect(text).toContain('1:04,444');
    // Hoàng Văn Chép is below the last prize: the PDF does not list that row.
    expect(text).not.toContain('Hoàng Văn Chép');
    // Only the masked national id is printed.
    expect(text).not.toMatch(/\b0\d{11}\b/);
  });

  it('states the default prediction question of a round that has none, on a line of its own', async () => {
    await t.database.db.update(rounds).set({ predictionPrompt: '' }).where(eq(rounds.id, round.id));
    try {
      const lines = pdfText((await exportOf('pdf')).rawPayload).lines;
      const at = lines.indexOf('Câu hỏi dự đoán: ');
      expect(lines[at + 1]).toBe('Dự đoán số người trả lời đúng tất cả các câu hỏi (câu mặc định)');
      expect(lines[at + 2]).toBe('Đáp án dự đoán (số thực tế): ');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await exportOf('xlsx')).rawPayload as unknown as ArrayBuffer);
      const info = new Map<string, unknown>();
      wb.getWorksheet('Thông tin')!.eachRow((r) => info.set(String(r.getCell(1).value), r.getCell(2).value));
      expect(info.get('Câu hỏi dự đoán')).toBe('Dự đoán số người trả lời đúng tất cả các câu hỏi (câu mặc định)');
    } finally {
      await t.database.db.update(rounds).set({ predictionPrompt: round.predictionPrompt }).where(eq(rounds.id, round.id));
    }
  });

  it('gives the same bytes for the same finalized round, even seconds apart', async () => {
    const first = await Promise.all(['csv', 'xlsx', 'pdf'].map((f) => exportOf(f)));
    // 2.1 s later by every clock a file writer could read (Date.now, new Date()), without the wait.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2100 });
    const second = await Promise.all(['csv', 'xlsx', 'pdf'].map((f) => exportOf(f))).finally(() => vi.useRealTimers());
    for (let i = 0; i < 3; i++) {
      expect(second[i].headers['x-content-sha256']).toBe(first[i].headers['x-content-sha256']);
      expect(Buffer.compare(second[i].rawPayload, first[i].rawPayload)).toBe(0);
    }
  });

  it('refuses a round not finalized (409), a non-member (404), an organizer member (403) and an unknown format (400)', async () => {
    const contest = await makeContest(t.database.db);
    const { round: other } = await makeClosedRound(t.database.db, contest.id);
    const res = await exportOf('csv', judgeToken, other.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ROUND_NOT_FINALIZED');
    const organizer = await makeStaff(t.database.db, 'organizer');
    expect((await exportOf('csv', tokenFor(t.app, organizer), other.id)).statusCode).toBe(404);
    await addMember(t.database.db, contest.id, organizer);
    expect((await exportOf('csv', tokenFor(t.app, organizer), other.id)).statusCode).toBe(403);
    expect((await exportOf('docx')).statusCode).toBe(400);
    expect((await exportOf('csv', judgeToken, 'no-such-round')).statusCode).toBe(404);
  });
});

describe("the export's pages (exports.context rowsOf)", () => {
  it('reads every row once, in position order, across pages of any size, and stops at upTo', async () => {
    const ctx = await loadContext(t.database.db, round.id);
    expect(ctx.participants).toBe(NAMES.length + 2);
    const positions = async (upTo?: number, pageRows?: number) => {
      const out: number[] = [];
      for await (const r of rowsOf(ctx, upTo, pageRows)) out.push(r.position);
      return out;
    };
    const all = Array.from({ length: ctx.participants }, (_, i) => i + 1);
    expect(await positions()).toEqual(all);
    for (const pageRows of [1, 2, 3, ctx.participants - 1, ctx.participants, 5000]) expect(await positions(undefined, pageRows)).toEqual(all);
    expect(await positions(5, 2)).toEqual([1, 2, 3, 4, 5]);
    expect(await positions(0, 2)).toEqual([]);
    expect(await positions(ctx.participants + 10, 4)).toEqual(all);
  });
});

describe('the PDF font', () => {
  it('has a glyph for every Vietnamese letter', () => {
    const require = createRequire(import.meta.url);
    // fontkit is what pdfkit reads fonts with.
    const fontkit = require('fontkit') as { openSync(path: string): { hasGlyphForCodePoint(c: number): boolean } };
    const font = fontkit.openSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
    const letters = 'aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ';
    const all = letters + letters.toUpperCase() + '₫–—“”';
    const missing = [...all.normalize('NFC')].filter((ch) => !font.hasGlyphForCodePoint(ch.codePointAt(0)!));
    expect(missing).toEqual([]);
  });
});
