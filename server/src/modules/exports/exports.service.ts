import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Db } from '../../../../db/client';
import type { Contest, Round } from '../../../../db/schema/index';
import { maskNationalId } from '../../lib/identity';
import { CANONICAL_COLUMNS, type PredictionTarget, type PrizeTier } from '../../lib/ranking';
import { recordAudit } from '../audit/index';
import { requireContest } from '../contests/index';
import { lastPrizePosition, requireCurrentResults, resultRowsAfter, type ExportRow } from '../judging/index';
import {
  COLUMN_TITLES,
  csvCell,
  FLAGS_NOTE,
  FLAGS_TITLE,
  flagsLabel,
  formatDuration,
  formatVietnamTime,
  ORDER_LABEL,
  reasonLabel,
  TARGET_LABELS,
} from './exports.format';

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

const PAGE_ROWS = 5000;

interface StoredRules {
  predictionTarget?: PredictionTarget;
  prizes?: PrizeTier[];
  onePrizePerPerson?: boolean;
  minMsPerQuestion?: number;
}

interface ExportContext {
  db: Db;
  round: Round;
  contest: Contest;
  finalizedAt: Date;
  checksum: string;
  actualCount: number;
  participants: number;
  ranked: number;
  rules: Required<Omit<StoredRules, 'minMsPerQuestion'>> & Pick<StoredRules, 'minMsPerQuestion'>;
}

/** The round's rows in position order, a page at a time, up to `upTo`. */
async function* rowsOf(ctx: ExportContext, upTo = Number.POSITIVE_INFINITY): AsyncGenerator<ExportRow> {
  let after = 0;
  while (after < upTo) {
    const page = await resultRowsAfter(ctx.db, ctx.round.id, after, PAGE_ROWS);
    for (const r of page) {
      if (r.position > upTo) return;
      yield r;
    }
    if (page.length < PAGE_ROWS) return;
    after = page[page.length - 1].position;
  }
}

async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
    const onDrain = () => { out.off('error', onError); resolve(); };
    const onError = (e: Error) => { out.off('drain', onDrain); reject(e); };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

function end(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** The canonical columns, so a judge can recompute the checksum from this file, then the flags. */
async function writeCsv(ctx: ExportContext, out: Writable) {
  const line = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\r\n';
  // The BOM makes Excel read the file as UTF-8 (Vietnamese diacritics).
  await write(out, '\uFEFF' + line([...CANONICAL_COLUMNS.map((c) => COLUMN_TITLES[c]), FLAGS_TITLE]));
  let batch = '';
  for await (const r of rowsOf(ctx)) {
    batch += line([...CANONICAL_COLUMNS.map((c) => csvCell(r[c])), r.flagsText ?? '']);
    if (batch.length > 64 * 1024) {
      await write(out, batch);
      batch = '';
    }
  }
  if (batch) await write(out, batch);
  await end(out);
}

/** UTC wall time as local wall time: DOS dates in zip entries are local, so bytes then match in any TZ. */
function zipDate(d: Date): Date {
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

interface ZipLike {
  append(source: unknown, data: Record<string, unknown>): unknown;
}
const pinned = new WeakSet<ZipLike>();
function pinZipDates(zip: ZipLike, date: Date) {
  if (pinned.has(zip)) return;
  pinned.add(zip);
  const append = zip.append.bind(zip);
  zip.append = (source, data) => append(source, { ...data, date });
}

let constructingWith: Date | null = null;
type WriterCtor = new (options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>) => ExcelJS.stream.xlsx.WorkbookWriter;
// Archiver stamps every zip entry with "now", and the writer's constructor already appends
// two entries: its hooks are the first moment the zip exists, so the dates are pinned there.
const PinnedDatesWriter = class extends (ExcelJS.stream.xlsx.WorkbookWriter as unknown as new (o: object) => { zip: ZipLike }) {
  addThemes(this: { zip: ZipLike }) {
    pinZipDates(this.zip, constructingWith!);
    return (ExcelJS.stream.xlsx.WorkbookWriter.prototype as unknown as { addThemes(): Promise<void> }).addThemes.call(this);
  }
  addOfficeRels(this: { zip: ZipLike }) {
    pinZipDates(this.zip, constructingWith!);
    return (ExcelJS.stream.xlsx.WorkbookWriter.prototype as unknown as { addOfficeRels(): Promise<void> }).addOfficeRels.call(this);
  }
} as unknown as WriterCtor;

function pinnedWorkbookWriter(date: Date, options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>) {
  constructingWith = date;
  try {
    return new PinnedDatesWriter(options);
  } finally {
    constructingWith = null;
  }
}

async function writeXlsx(ctx: ExportContext, out: Writable) {
  // No shared strings: that table would hold every distinct name in memory until the end.
  // No styles: they double the time per row; the frozen header row is enough.
  const wb = pinnedWorkbookWriter(zipDate(ctx.finalizedAt), { stream: out, useStyles: false, useSharedStrings: false });
  wb.creator = 'Hội đồng giám khảo';
  wb.lastModifiedBy = 'Hội đồng giám khảo';
  wb.created = ctx.finalizedAt;
  wb.modified = ctx.finalizedAt;

  const info = wb.addWorksheet('Thông tin');
  info.columns = [{ width: 34 }, { width: 100 }];
  for (const [k, v] of summaryLines(ctx)) info.addRow([k, v]).commit();
  info.commit();

  const ws = wb.addWorksheet('Xếp hạng', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    ...CANONICAL_COLUMNS.map((c) => ({ key: c, width: c === 'fullName' ? 28 : c === 'userId' || c === 'attemptId' ? 38 : 16 })),
    { key: 'flags', width: 30 },
  ];
  ws.addRow([...CANONICAL_COLUMNS.map((c) => COLUMN_TITLES[c]), FLAGS_TITLE]).commit();
  let n = 0;
  for await (const r of rowsOf(ctx)) {
    // Phones and ids stay text: as numbers Excel would drop their leading zeros.
    ws.addRow([
      ...CANONICAL_COLUMNS.map((c) => {
        const v = r[c];
        return v instanceof Date ? v.toISOString() : v;
      }),
      // No cell at all when there are none: most rows, and an empty cell costs bytes and time.
      r.flagsText,
    ]).commit();
    if (++n % PAGE_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  ws.commit();
  await wb.commit();
}

function summaryLines(ctx: ExportContext): [string, string][] {
  const { round, contest, rules } = ctx;
  return [
    ['Cuộc thi', contest.title],
    ['Vòng thi', `Tuần ${round.number}${round.title ? ` — ${round.title}` : ''}`],
    ['Thời gian thi (giờ Việt Nam)', `${formatVietnamTime(round.opensAt)} – ${formatVietnamTime(round.closesAt)}`],
    ['Chốt kết quả lúc (giờ Việt Nam)', formatVietnamTime(ctx.finalizedAt)],
    ['Câu hỏi dự đoán', round.predictionPrompt],
    ['Đáp án dự đoán (số thực tế)', String(ctx.actualCount)],
    ['Cách tính số thực tế', TARGET_LABELS[rules.predictionTarget]],
    ['Thứ tự xếp hạng', ORDER_LABEL],
    ['Cơ cấu giải', rules.prizes.length ? rules.prizes.map((p) => `${p.name}: ${p.count}`).join('; ') : 'Không có giải'],
    ['Mỗi người chỉ nhận một giải trong cuộc thi', rules.onePrizePerPerson ? 'Có (người đã đoạt giải ở vòng trước không nhận giải)' : 'Không'],
    ['Điều kiện hợp lệ', 'Người dự thi không thuộc danh sách loại trừ (theo CCCD hoặc số điện thoại) và không bị Ban giám khảo loại ở vòng này'],
    [
      'Dấu hiệu cần xem xét (flags)',
      rules.minMsPerQuestion === undefined ? FLAGS_NOTE : `${FLAGS_NOTE} Ngưỡng làm quá nhanh: ${rules.minMsPerQuestion} ms mỗi câu.`,
    ],
    ['Số người tham gia', String(ctx.participants)],
    ['Số người được xếp hạng', String(ctx.ranked)],
    ['Mã kiểm tra SHA-256 của danh sách', ctx.checksum],
  ];
}

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');
const FONT_MONO = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf');

interface PdfColumn {
  title: string;
  width: number;
  align?: 'left' | 'right' | 'center';
  bold?(r: ExportRow): boolean;
  value(r: ExportRow): string;
}

const PDF_COLUMNS: PdfColumn[] = [
  { title: 'Vị trí', width: 30, align: 'right', value: (r) => String(r.position) },
  { title: 'Hạng', width: 30, align: 'right', value: (r) => (r.rank === null ? '—' : String(r.rank)) },
  { title: 'Giải', width: 96, bold: (r) => r.prize !== null, value: (r) => r.prize ?? '' },
  { title: 'Họ và tên', width: 120, bold: (r) => r.prize !== null, value: (r) => r.fullName ?? '' },
  { title: 'Năm sinh', width: 46, align: 'right', value: (r) => (r.birthYear === null ? '' : String(r.birthYear)) },
  { title: 'CCCD', width: 56, value: (r) => (r.nationalId ? maskNationalId(r.nationalId) : '') },
  { title: 'Địa phương / đơn vị', width: 108, value: (r) => [r.locality, r.unit].filter(Boolean).join(' / ') },
  { title: 'Đúng', width: 30, align: 'right', value: (r) => `${r.score}/${r.total}` },
  { title: 'Dự đoán', width: 44, align: 'right', value: (r) => String(r.prediction) },
  { title: 'Sai số', width: 36, align: 'right', value: (r) => String(r.predictionError) },
  { title: 'Thời gian', width: 66, align: 'right', value: (r) => formatDuration(r.durationMs) },
  {
    title: 'Ghi chú',
    width: 108,
    // The cell is narrow: the flags are spelled out in the note under the table.
    value: (r) => [reasonLabel(r.ineligibleReason), r.flagsText ? 'Có dấu hiệu cần xem xét' : ''].filter(Boolean).join('. '),
  },
];

// No ligatures: "ff" in a checksum must stay two letters when read or copied from the page.
const PLAIN = { features: { liga: false, clig: false, dlig: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[] };

async function writePdf(ctx: ExportContext, out: Writable) {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    // The file id is derived from the info dictionary: a fixed CreationDate gives the same bytes.
    info: {
      Title: `Danh sách xếp hạng và trao giải — ${ctx.contest.title} — Tuần ${ctx.round.number}`,
      Author: 'Hội đồng giám khảo',
      Subject: `SHA-256 ${ctx.checksum}`,
      CreationDate: ctx.finalizedAt,
      ModDate: ctx.finalizedAt,
    },
  });
  const done = pipeline(doc, out);
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  doc.registerFont('mono', FONT_MONO);
  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom - 14;
  let page = 1;
  const footer = () => {
    // Text below the bottom margin would make pdfkit open a new page: lift the margin meanwhile.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(7).fillColor('#555');
    doc.text(`Tuần ${ctx.round.number} · SHA-256 ${ctx.checksum} · Trang ${page}`, left, doc.page.height - margin + 10, { ...PLAIN, width: right - left, align: 'center', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = margin;
  };
  const newPage = () => {
    footer();
    doc.addPage();
    page++;
  };

  doc.font('bold').fontSize(14).text('DANH SÁCH XẾP HẠNG VÀ ĐỀ NGHỊ TRAO GIẢI', { ...PLAIN, align: 'center' });
  doc.font('regular').fontSize(11).text(`${ctx.contest.title} — Tuần ${ctx.round.number}${ctx.round.title ? `: ${ctx.round.title}` : ''}`, { ...PLAIN, align: 'center' });
  doc.moveDown(0.6);
  doc.fontSize(8.5);
  for (const [k, v] of summaryLines(ctx)) {
    if (k.startsWith('Mã kiểm tra')) {
      doc.font('bold').text(`${k}: `, { ...PLAIN, continued: true }).font('mono').text(v, PLAIN);
    } else {
      doc.font('bold').text(`${k}: `, { ...PLAIN, continued: true }).font('regular').text(v, PLAIN);
    }
  }
  doc.moveDown(0.6);

  const upTo = await lastPrizePosition(ctx.db, ctx.round.id);
  const rowHeight = 13;
  const header = () => {
    let x = left;
    const y = doc.y;
    doc.font('bold').fontSize(7.5);
    for (const c of PDF_COLUMNS) {
      doc.text(c.title, x + 2, y + 3, { ...PLAIN, width: c.width - 4, height: rowHeight - 3, align: c.align ?? 'left', ellipsis: true });
      x += c.width;
    }
    doc.moveTo(left, y + rowHeight).lineTo(x, y + rowHeight).lineWidth(0.7).stroke();
    doc.y = y + rowHeight;
  };
  if (upTo === 0) {
    doc.font('regular').fontSize(9).text('Không có giải nào được trao ở vòng này.', PLAIN);
  } else {
    doc.font('regular').fontSize(8.5).text(`Các vị trí từ 1 đến ${upTo} (đến người cuối cùng được đề nghị trao giải); danh sách đầy đủ ở tệp CSV/XLSX cùng mã kiểm tra.`, PLAIN);
    doc.moveDown(0.3);
    header();
    for await (const r of rowsOf(ctx, upTo)) {
      if (doc.y + rowHeight > bottom()) {
        newPage();
        header();
      }
      const y = doc.y;
      let x = left;
      doc.fontSize(7.5).fillColor(r.eligible ? 'black' : '#777');
      for (const c of PDF_COLUMNS) {
        doc.font(c.bold?.(r) ? 'bold' : 'regular');
        doc.text(c.value(r), x + 2, y + 3, { ...PLAIN, width: c.width - 4, height: rowHeight - 3, align: c.align ?? 'left', ellipsis: true });
        x += c.width;
      }
      doc.fillColor('black');
      doc.moveTo(left, y + rowHeight).lineTo(x, y + rowHeight).lineWidth(0.2).strokeColor('#bbb').stroke().strokeColor('black');
      doc.y = y + rowHeight;
    }
  }

  if (upTo > 0) {
    // Flags never change a rank or a prize; the Jury reads them before signing.
    let first = true;
    for await (const r of rowsOf(ctx, upTo)) {
      if (!r.flagsText) continue;
      if (first) {
        if (doc.y + 40 > bottom()) newPage();
        doc.moveDown(0.6);
        // What the flags mean is in the summary above.
        doc.font('bold').fontSize(8.5).text('Dấu hiệu cần xem xét (không làm thay đổi hạng hay giải):', left, doc.y, PLAIN);
        first = false;
      }
      if (doc.y + 12 > bottom()) newPage();
      doc.font('regular').fontSize(8).text(`Vị trí ${r.position} — ${r.fullName ?? ''}: ${flagsLabel(r.flagsText.split(';'))}`, left, doc.y, { ...PLAIN, width: right - left });
    }
  }

  // Signature block, kept together on one page.
  if (doc.y + 120 > bottom()) newPage();
  doc.moveDown(1.2);
  const y = doc.y;
  const colW = (right - left) / 3;
  const signers = ['THƯ KÝ HỘI ĐỒNG', 'THÀNH VIÊN HỘI ĐỒNG GIÁM KHẢO', 'CHỦ TỊCH HỘI ĐỒNG GIÁM KHẢO'];
  doc.font('regular').fontSize(9).text(`Lập ngày ${formatVietnamTime(ctx.finalizedAt).slice(0, 10)}`, left, y, { ...PLAIN, width: right - left, align: 'right' });
  signers.forEach((s, i) => {
    doc.font('bold').fontSize(9).text(s, left + i * colW, y + 18, { ...PLAIN, width: colW, align: 'center' });
    doc.font('regular').fontSize(8).text('(Ký, ghi rõ họ tên)', left + i * colW, y + 31, { ...PLAIN, width: colW, align: 'center' });
    doc.moveTo(left + i * colW + 30, y + 95).lineTo(left + (i + 1) * colW - 30, y + 95).lineWidth(0.5).stroke();
  });
  footer();
  doc.end();
  await done;
}

async function loadContext(db: Db, roundId: string): Promise<ExportContext> {
  const { round, results } = await requireCurrentResults(db, roundId);
  const contest = await requireContest(db, round.contestId);
  const stored = (results.rules ?? {}) as StoredRules;
  return {
    db,
    round,
    contest,
    finalizedAt: results.finalizedAt,
    checksum: results.checksum,
    actualCount: results.actualCount,
    participants: results.participants,
    ranked: results.ranked,
    rules: {
      predictionTarget: stored.predictionTarget ?? round.predictionTarget,
      prizes: stored.prizes ?? round.prizes,
      onePrizePerPerson: stored.onePrizePerPerson ?? contest.onePrizePerPerson,
      // Results finalized before the flags existed have none, and no threshold to state.
      minMsPerQuestion: stored.minMsPerQuestion,
    },
  };
}

const writers: Record<ExportFormat, (ctx: ExportContext, out: Writable) => Promise<void>> = { csv: writeCsv, xlsx: writeXlsx, pdf: writePdf };

/**
 * Writes the ranked prize list of a finalized, current round to `out`. Everything in the
 * file comes from the stored results (no clock, no randomness), read in one snapshot, so
 * the same finalized round always gives the same bytes.
 */
export async function writeExport(db: Db, roundId: string, format: ExportFormat, out: Writable): Promise<ExportMeta> {
  return db.transaction(
    async (tx) => {
      const ctx = await loadContext(tx, roundId);
      await writers[format](ctx, out);
      return { filename: `xep-hang-${ctx.contest.slug}-tuan-${ctx.round.number}.${format}`, checksum: ctx.checksum };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export interface ExportMeta {
  filename: string;
  checksum: string;
}

export interface ExportFile extends ExportMeta {
  path: string;
  sha256: string;
  size: number;
  contentType: string;
  /** Removes the file; call once it has been sent. */
  cleanup(): Promise<void>;
}

/**
 * The hash must go out as a header, before the body; so the file is written to disk while
 * hashed (memory stays flat whatever the size) and then streamed from there.
 */
export async function exportToFile(db: Db, actorId: string, roundId: string, format: ExportFormat): Promise<ExportFile> {
  const dir = await mkdtemp(join(tmpdir(), 'export-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let hasherRef: Transform | undefined;
  let pipedRef: Promise<void> | undefined;
  try {
    const path = join(dir, `export.${format}`);
    const hash = createHash('sha256');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const file = createWriteStream(path);
    const piped = pipeline(hasher, file);
    hasherRef = hasher;
    pipedRef = piped;
    const meta = await writeExport(db, roundId, format, hasher);
    await piped;
    const { size } = await stat(path);
    const sha256 = hash.digest('hex');
    // The files carry personal data (full names, phones, national ids): who took one is kept.
    await recordAudit(db, { actorId, action: 'round.export', entity: 'round', entityId: roundId, after: { format, sha256, checksum: meta.checksum } });
    return { ...meta, path, sha256, size, contentType: CONTENT_TYPES[format], cleanup };
  } catch (err) {
    hasherRef?.destroy();
    await pipedRef?.catch(() => {});
    await cleanup();
    throw err;
  }
}

export function openExport(file: ExportFile) {
  const stream = createReadStream(file.path);
  // Once open, the file can go: the stream reads through its descriptor, and nothing is
  // left behind if the process stops before the client has read it all.
  stream.once('open', () => void file.cleanup());
  stream.once('close', () => void file.cleanup());
  return stream;
}
