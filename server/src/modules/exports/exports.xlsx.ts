import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { CANONICAL_COLUMNS } from '../../lib/ranking';
import { rowsOf, summaryLines, type ExportContext } from './exports.context';
import { COLUMN_TITLES, FLAGS_TITLE } from './exports.format';
import { breathe, RUN_ROWS } from './exports.stream';

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

export async function writeXlsx(ctx: ExportContext, out: Writable) {
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
    // exceljs never waits for its output: without these pauses the zip ran ahead of a slow
    // reader into memory, and 5,000 rows at a time held the event loop for seconds.
    if (++n % RUN_ROWS.xlsx === 0) await breathe(out);
  }
  ws.commit();
  await wb.commit();
}
