// Reading and writing the spreadsheets organizers keep (.xlsx from Excel or LibreOffice,
// .csv in whatever encoding and flavour Excel produced), as plain rows of NFC strings.
// The shared shapes are in spreadsheet.base.ts, each format in spreadsheet.csv.ts and
// spreadsheet.xlsx.ts; this file reads either and locates header rows.
import {
  headerKey,
  OLE_MAGIC,
  SheetError,
  startsWith,
  ZIP_MAGIC,
  type ReadOptions,
  type RowNotice,
  type Sheet,
  type SheetRow,
  type SheetWarning,
} from './spreadsheet.base';

import { readSheetIsolated } from './spreadsheet.isolated';
import { parseSheet } from './spreadsheet.parse';
import { checkZipDirectory } from './spreadsheet.xlsx';

export * from './spreadsheet.base';
export { decodeText, detectDelimiter, guardFormula, readCsv, unguardFormula, writeCsv } from './spreadsheet.csv';
export { cellText, mergedCells, readXlsx, unzipCapped, writeXlsx, zipUncompressedSize, type XlsxSheetSpec } from './spreadsheet.xlsx';

/** A CSV up to this size is parsed on the calling thread. */
const INLINE_CSV_BYTES = 64 * 1024;

/** Reads an .xlsx or .csv upload; the content decides, not the file name. */
export async function readSheet(buf: Buffer, opts: ReadOptions = {}): Promise<Sheet> {
  if (buf.length === 0) throw new SheetError('Tệp rỗng', 'The file is empty');
  if (startsWith(buf, OLE_MAGIC))
    throw new SheetError(
      'Định dạng .xls cũ không được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv',
      'Legacy .xls files are not supported: save as .xlsx or .csv',
    );
  const name = (opts.filename ?? '').toLowerCase();
  if (!startsWith(buf, ZIP_MAGIC) && /\.(xlsx|xlsm|ods)$/.test(name))
    throw name.endsWith('.ods')
      ? new SheetError(
          'Tệp .ods chưa được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv',
          'OpenDocument (.ods) files are not supported: save the file as .xlsx or .csv',
        )
      : new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  // A small CSV is parsed here (a 64 KB file in a few ms); a workbook, or a larger CSV (a
  // 10 MB one took 3 s), on the spreadsheet worker.
  // What a zip's directory says is checked first: a damaged or a declared-too-large file
  // needs no worker.
  if (startsWith(buf, ZIP_MAGIC)) checkZipDirectory(buf, opts);
  else if (buf.length <= INLINE_CSV_BYTES) return parseSheet(buf, opts);
  return readSheetIsolated(buf, opts);
}

/** The sheet's warnings on the cells an importer reads: in its `columns` (0-based), below its header row. */
export function cellNotices(warnings: SheetWarning[] | undefined, columns: (number | undefined)[], headerRow: number): RowNotice[] {
  const read = new Set(columns.filter((c) => c !== undefined));
  return (warnings ?? [])
    .filter((w) => w.row > headerRow && read.has(w.col))
    .map((w) => ({ row: w.row, rule: w.rule, column: columnLetter(w.col + 1), message: w.message, messageEn: w.messageEn }));
}

/**
 * Data rows an importer takes: those Excel shows. A row hidden by hand or by a filter was set
 * aside by the organizer (what they see is what they import, as when copying from Excel); it
 * is left out and named in a warning, so a check of the file shows it before anything is written.
 */
export function visibleRows(data: SheetRow[]): { rows: SheetRow[]; notices: RowNotice[] } {
  return {
    rows: data.filter((r) => !r.hidden),
    notices: data
      .filter((r) => r.hidden)
      .map((r) => ({
        row: r.number,
        rule: 'hidden_row' as const,
        message: 'Dòng này đang bị ẩn trong Excel nên không được nhập; hãy bỏ ẩn dòng nếu muốn nhập',
        messageEn: 'This row is hidden in Excel, so it was not imported; unhide it to import it',
      })),
  };
}

/** Where a missing column was looked for, when the file is a workbook: its first visible sheet. */
export function sheetPlace(sheetName: string | undefined): { vi: string; en: string } {
  if (sheetName === undefined) return { vi: '', en: '' };
  return {
    vi: ` ở trang tính "${sheetName}" (chỉ trang tính đầu tiên không bị ẩn được đọc)`,
    en: ` in the sheet "${sheetName}" (only the first visible sheet is read)`,
  };
}

/** Column letter (1 → A, 27 → AA), as Excel names it. */
export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * Finds the header row among the first rows (a title line above it is common) and maps
 * each wanted field to its column index; `aliases` are compared as headerKey()s. When no
 * row has every required column, the row that matched most is returned with `missing`.
 */
export function locateHeader<F extends string>(
  rows: SheetRow[],
  aliases: Record<F, string[]>,
  required: F[],
): { headerIndex: number; columns: Partial<Record<F, number>>; missing: F[] } {
  const keyed = Object.fromEntries(Object.entries(aliases).map(([f, list]) => [f, (list as string[]).map(headerKey)])) as Record<F, string[]>;
  let best = { headerIndex: 0, columns: {} as Partial<Record<F, number>>, missing: required, found: -1 };
  for (let i = 0; i < Math.min(rows.length, 10); i++) {
    const columns: Partial<Record<F, number>> = {};
    rows[i].cells.forEach((c, col) => {
      const k = headerKey(c);
      if (!k) return;
      for (const f of Object.keys(keyed) as F[]) if (columns[f] === undefined && keyed[f].includes(k)) columns[f] = col;
    });
    const missing = required.filter((f) => columns[f] === undefined);
    if (missing.length === 0) return { headerIndex: i, columns, missing };
    const found = Object.keys(columns).length;
    if (found > best.found) best = { headerIndex: i, columns, missing, found };
  }
  return { headerIndex: best.headerIndex, columns: best.columns, missing: best.missing };
}
