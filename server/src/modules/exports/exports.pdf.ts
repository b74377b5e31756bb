import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { maskNationalId } from '../../lib/identity';
import { lastPrizePosition, type ExportRow } from '../judging/index';
import { rowsOf, summaryLines, type ExportContext } from './exports.context';
import { formatDuration } from '../../lib/duration';
import { flagsLabel, formatVietnamTime, reasonLabel } from './exports.format';
import { breathe, RUN_ROWS } from './exports.stream';

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  mono: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
};
/** The fontkit pdfkit reads fonts with (its own dependency): pdfkit takes a font it opened as a source. */
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Uint8Array): PDFKit.Mixins.PDFFontSource };
let opened: Record<keyof typeof FONT_FILES, PDFKit.Mixins.PDFFontSource> | undefined;
/**
 * The fonts, opened once per process: a font's tables are decoded where a document first uses
 * it, 50-130 ms at a time that each new document paid again, in one synchronous call.
 */
const fonts = () =>
  (opened ??= {
    regular: fontkit.create(readFileSync(FONT_FILES.regular)),
    bold: fontkit.create(readFileSync(FONT_FILES.bold)),
    mono: fontkit.create(readFileSync(FONT_FILES.mono)),
  });

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
  // To the millisecond: the time breaks ties, and two times must not read the same on the signed page.
  { title: 'Thời gian', width: 66, align: 'right', value: (r) => formatDuration(r.durationMs, ',', 3) },
  {
    title: 'Ghi chú',
    width: 108,
    // The cell is narrow: the flags are spelled out in the note under the table.
    value: (r) => [reasonLabel(r.ineligibleReason), r.flagsText ? 'Có dấu hiệu cần xem xét' : ''].filter(Boolean).join('. '),
  },
];

// No ligatures: "ff" in a checksum must stay two letters when read or copied from the page.
const PLAIN = { features: { liga: false, clig: false, dlig: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[] };

export async function writePdf(ctx: ExportContext, out: Writable) {
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
  for (const [name, font] of Object.entries(fonts())) doc.registerFont(name, font);
  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom - 14;
  let page = 1;
  const footer = () => {
    // Text below the bottom margin would make pdfkit open a new page: lift the margin meanwhile.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(7).fillColor('#555');
    doc.text(`Tuần ${ctx.round.number} · SHA-256 ${ctx.checksum} · Trang ${page}`, left, doc.page.height - margin + 10, {
      ...PLAIN,
      width: right - left,
      align: 'center',
      lineBreak: false,
    });
    doc.fillColor('black');
    doc.page.margins.bottom = margin;
  };
  const newPage = () => {
    footer();
    doc.addPage();
    page++;
  };

  doc
    .font('bold')
    .fontSize(14)
    .text('DANH SÁCH XẾP HẠNG VÀ ĐỀ NGHỊ TRAO GIẢI', { ...PLAIN, align: 'center' });
  // A font's first use in a document loads its tables (tens of ms each): a turn after each.
  await breathe(out);
  doc
    .font('regular')
    .fontSize(11)
    .text(`${ctx.contest.title} — Tuần ${ctx.round.number}${ctx.round.title ? `: ${ctx.round.title}` : ''}`, { ...PLAIN, align: 'center' });
  await breathe(out);
  doc.moveDown(0.6);
  doc.fontSize(8.5);
  for (const [k, v] of summaryLines(ctx)) {
    await breathe(out);
    if (k.startsWith('Mã kiểm tra')) {
      doc
        .font('bold')
        .text(`${k}: `, { ...PLAIN, continued: true })
        .font('mono')
        .text(v, PLAIN);
    } else {
      doc
        .font('bold')
        .text(`${k}: `, { ...PLAIN, continued: true })
        .font('regular')
        // An empty text does not end a continued line: the next line would print over it.
        .text(v || '—', PLAIN);
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
    doc
      .moveTo(left, y + rowHeight)
      .lineTo(x, y + rowHeight)
      .lineWidth(0.7)
      .stroke();
    doc.y = y + rowHeight;
  };
  if (upTo === 0) {
    doc.font('regular').fontSize(9).text('Không có giải nào được trao ở vòng này.', PLAIN);
  } else {
    doc
      .font('regular')
      .fontSize(8.5)
      .text(`Các vị trí từ 1 đến ${upTo} (đến người cuối cùng được đề nghị trao giải); danh sách đầy đủ ở tệp CSV/XLSX cùng mã kiểm tra.`, PLAIN);
    doc.moveDown(0.3);
    header();
    let n = 0;
    for await (const r of rowsOf(ctx, upTo)) {
      if (++n % RUN_ROWS.pdf === 0) await breathe(out);
      // A row is as tall as its longest cell: a winner's whole name, locality and unit are
      // printed on the page people sign, never cut short with an ellipsis.
      doc.fontSize(7.5);
      const cells = PDF_COLUMNS.map((c) => {
        const text = c.value(r);
        doc.font(c.bold?.(r) ? 'bold' : 'regular');
        return { c, text, height: doc.heightOfString(text, { ...PLAIN, width: c.width - 4, align: c.align ?? 'left' }) };
      });
      const height = Math.max(rowHeight, Math.ceil(Math.max(...cells.map((x) => x.height))) + 5);
      if (doc.y + height > bottom()) {
        newPage();
        header();
      }
      const y = doc.y;
      let x = left;
      doc.fillColor(r.eligible ? 'black' : '#777');
      for (const { c, text } of cells) {
        doc.font(c.bold?.(r) ? 'bold' : 'regular');
        doc.text(text, x + 2, y + 3, { ...PLAIN, width: c.width - 4, align: c.align ?? 'left' });
        x += c.width;
      }
      doc.fillColor('black');
      doc
        .moveTo(left, y + height)
        .lineTo(x, y + height)
        .lineWidth(0.2)
        .strokeColor('#bbb')
        .stroke()
        .strokeColor('black');
      doc.y = y + height;
    }
  }

  if (upTo > 0) {
    // Flags never change a rank or a prize; the Jury reads them before signing.
    let first = true;
    let n = 0;
    for await (const r of rowsOf(ctx, upTo)) {
      if (++n % (RUN_ROWS.pdf * 10) === 0) await breathe(out);
      if (!r.flagsText) continue;
      if (first) {
        if (doc.y + 40 > bottom()) newPage();
        doc.moveDown(0.6);
        // What the flags mean is in the summary above.
        doc.font('bold').fontSize(8.5).text('Dấu hiệu cần xem xét (không làm thay đổi hạng hay giải):', left, doc.y, PLAIN);
        first = false;
      }
      if (doc.y + 12 > bottom()) newPage();
      doc
        .font('regular')
        .fontSize(8)
        .text(`Vị trí ${r.position} — ${r.fullName ?? ''}: ${flagsLabel(r.flagsText.split(';'))}`, left, doc.y, { ...PLAIN, width: right - left });
    }
  }

  // Signature block, kept together on one page.
  if (doc.y + 120 > bottom()) newPage();
  doc.moveDown(1.2);
  const y = doc.y;
  const colW = (right - left) / 3;
  const signers = ['THƯ KÝ HỘI ĐỒNG', 'THÀNH VIÊN HỘI ĐỒNG GIÁM KHẢO', 'CHỦ TỊCH HỘI ĐỒNG GIÁM KHẢO'];
  doc
    .font('regular')
    .fontSize(9)
    .text(`Lập ngày ${formatVietnamTime(ctx.finalizedAt).slice(0, 10)}`, left, y, { ...PLAIN, width: right - left, align: 'right' });
  signers.forEach((s, i) => {
    doc
      .font('bold')
      .fontSize(9)
      .text(s, left + i * colW, y + 18, { ...PLAIN, width: colW, align: 'center' });
    doc
      .font('regular')
      .fontSize(8)
      .text('(Ký, ghi rõ họ tên)', left + i * colW, y + 31, { ...PLAIN, width: colW, align: 'center' });
    doc
      .moveTo(left + i * colW + 30, y + 95)
      .lineTo(left + (i + 1) * colW - 30, y + 95)
      .lineWidth(0.5)
      .stroke();
  });
  footer();
  // Ending embeds the subset of each font: its own run.
  await breathe(out);
  doc.end();
  await done;
}
