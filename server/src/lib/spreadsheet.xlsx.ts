// .xlsx: read through a capped unzip (no zip bombs), written without styles.
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { strFromU8, Unzip, UnzipInflate, zipSync } from 'fflate';
import { SheetError, type ReadOptions, type Sheet, type SheetRow, type SheetWarning } from './spreadsheet.base';
import { showValue } from './spreadsheet.numfmt';
import { nextTurn } from './turns';

/**
 * Sum of the uncompressed sizes the zip's central directory declares. exceljs inflates
 * every part in memory, so a small upload must not be allowed to claim gigabytes.
 */
export function zipUncompressedSize(buf: Buffer): number | null {
  const min = Math.max(0, buf.length - 65_557);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) !== 0x06054b50) continue;
    const entries = buf.readUInt16LE(i + 10);
    let p = buf.readUInt32LE(i + 16);
    let total = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return null;
      const size = buf.readUInt32LE(p + 24);
      // 0xffffffff: the real size is in a zip64 extra field; treat it as too large.
      total += size === 0xffffffff ? Number.MAX_SAFE_INTEGER / 2 : size;
      p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    }
    return total;
  }
  return null;
}

type CellValue = ExcelJS.CellValue;

/** What a cell shows, and what is wrong with showing it so (for a warning on its row). */
export interface CellShown {
  text: string;
  /** It held a number (not a date): an id or a phone in it has lost its leading zeros. */
  numeric: boolean;
  problem?: { message: string; messageEn: string };
}

/**
 * The text a cell shows in Excel set to Vietnamese (spreadsheet.numfmt.ts): a date as
 * 02/09/1945, a time as 07:30, 1000 under #,##0 as 1.000, 0.5 under 0% as 50%; rich text
 * joined; a formula's stored result. A merged cell shows its first cell. What cannot be
 * shown as Excel would (an unknown format, an error, a formula never calculated) says so.
 */
export function cellText(cell: ExcelJS.Cell, date1904 = false): CellShown {
  const source = cell.master;
  return shown(source.value, source.numFmt, source.address, date1904);
}

function shown(v: CellValue, numFmt: string | undefined, address: string, date1904: boolean): CellShown {
  if (v === null || v === undefined) return { text: '', numeric: false };
  if (typeof v === 'string') return { text: v, numeric: false };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE', numeric: false };
  if (typeof v === 'number' || v instanceof Date) {
    const out = showValue(v, numFmt, date1904);
    return {
      text: out.text,
      numeric: typeof v === 'number',
      ...(out.exact
        ? {}
        : {
            problem: {
              message: `Ô ${address} có định dạng "${numFmt ?? 'General'}" chưa đọc được đúng như Excel hiển thị; đã đọc là "${out.text}", hãy kiểm tra lại`,
              messageEn: `Cell ${address} has the format "${numFmt ?? 'General'}", which could not be read as Excel shows it; it was read as "${out.text}", please check`,
            },
          }),
    };
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return { text: v.richText.map((r) => r.text).join(''), numeric: false };
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as { result?: CellValue }).result;
      if (result === undefined || result === null)
        return {
          text: '',
          numeric: false,
          problem: {
            message: `Ô ${address} là công thức chưa có kết quả lưu trong tệp: hãy mở tệp bằng Excel rồi lưu lại`,
            messageEn: `Cell ${address} holds a formula whose result the file does not store: open the file in Excel and save it again`,
          },
        };
      return shown(result, numFmt, address, date1904);
    }
    if ('error' in v) {
      const error = String((v as { error: unknown }).error);
      return {
        text: error,
        numeric: false,
        problem: { message: `Ô ${address} hiển thị lỗi ${error} của Excel`, messageEn: `Cell ${address} shows the Excel error ${error}` },
      };
    }
    if ('text' in v) return shown((v as { text: CellValue }).text, undefined, address, date1904);
  }
  return { text: '', numeric: false };
}

/** More parts than any workbook of ours has: a zip of many tiny entries is not a spreadsheet. */
const MAX_ZIP_ENTRIES = 5_000;

/**
 * Inflates every entry of a zip, counting the bytes as they come out: past `maxBytes`
 * in total it stops, whatever sizes the archive declares (a lying zip bomb costs at most
 * the cap). fflate's streaming Unzip reads the local headers in order, as written.
 */
export function unzipCapped(buf: Uint8Array, maxBytes: number): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array[]>();
  let total = 0;
  let entries = 0;
  let failure: SheetError | null = null;
  const tooLarge = () => new SheetError('Tệp .xlsx quá lớn khi giải nén', 'The .xlsx file is too large once unpacked');
  const unzip = new Unzip((file) => {
    if (failure) return;
    if (++entries > MAX_ZIP_ENTRIES) {
      failure = new SheetError('Tệp .xlsx có quá nhiều thành phần', 'The .xlsx file has too many parts');
      return;
    }
    const chunks: Uint8Array[] = [];
    files.set(file.name, chunks);
    file.ondata = (err, chunk) => {
      if (failure) return;
      if (err) {
        failure = new SheetError('Tệp .xlsx hỏng', 'The .xlsx file is damaged');
        return;
      }
      total += chunk.length;
      if (total > maxBytes) {
        failure = tooLarge();
        file.terminate();
        return;
      }
      chunks.push(chunk);
    };
    try {
      file.start();
    } catch {
      failure = new SheetError('Tệp .xlsx dùng kiểu nén không hỗ trợ', 'The .xlsx file uses an unsupported compression');
    }
  });
  unzip.register(UnzipInflate);
  try {
    // In slices, so inflating stops soon after the cap is passed instead of at the end.
    const SLICE = 4 * 1024;
    for (let at = 0; at < buf.length && !failure; at += SLICE) unzip.push(buf.subarray(at, at + SLICE), at + SLICE >= buf.length);
  } catch {
    failure ??= new SheetError('Tệp .xlsx hỏng', 'The .xlsx file is damaged');
  }
  if (failure) throw failure;
  const out = new Map<string, Uint8Array>();
  for (const [name, chunks] of files) {
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const data = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    out.set(name, data);
  }
  return out;
}

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';
/** The columns read of each row (questions use about ten, staff lists four). */
const MAX_COLUMNS = 64;

/**
 * Cells that merged ranges may cover in one sheet: exceljs makes a cell for each when it loads
 * the workbook, so a 7 KB file merging A3:XFD1048576 held the reader for 13 s and 512 MB
 * before it ran out of memory. A bank's or a staff list's merges (a title across a row, a
 * header over two rows, a topic down a column) cover far fewer.
 */
const MAX_MERGED_CELLS = 200_000;

const tooManyMerged = () =>
  new SheetError('Tệp .xlsx có vùng gộp ô (Merge) quá lớn: hãy bỏ gộp ô rồi lưu lại', 'The .xlsx file merges too many cells: unmerge them and save it again');

/** How many cells the sheet's <mergeCell ref="A1:C2"/> ranges cover in all (as the XML says). */
export function mergedCells(xml: Uint8Array): number {
  const text = strFromU8(xml);
  let total = 0;
  for (const m of text.matchAll(/<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"/g)) {
    const [, c1, r1, c2 = c1, r2 = r1] = m;
    total += (Math.abs(columnNumber(c2) - columnNumber(c1)) + 1) * (Math.abs(Number(r2) - Number(r1)) + 1);
    if (total > MAX_MERGED_CELLS) return total;
  }
  return total;
}

const columnNumber = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** An .xlsx read here and now (tests, tools): vetted, then parsed on this thread. Uploads go through spreadsheet.isolated.ts. */
export async function readXlsx(buf: Buffer, opts: ReadOptions): Promise<Sheet> {
  return parseXlsx(vetXlsx(buf, opts), opts);
}

/**
 * What the zip's central directory tells at once (no byte inflated, a few µs): a zip that has
 * none is damaged, one that declares more than the cap is too large. Answers the cap.
 */
export function checkZipDirectory(buf: Buffer, opts: ReadOptions): number {
  const declared = zipUncompressedSize(buf);
  if (declared === null) throw new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  const cap = opts.maxUnzippedBytes ?? 64 * 1024 * 1024;
  if (declared > cap) throw new SheetError('Tệp .xlsx quá lớn khi giải nén', 'The .xlsx file is too large once unpacked');
  return cap;
}

/**
 * The checks that need no workbook parser: sizes declared and actually inflated under the
 * cap, merges of a bounded size, not an .ods, an [Content_Types].xml. Inflating up to the cap
 * takes up to a second, so uploads run it on the spreadsheet worker (spreadsheet.parse.ts).
 * Answers the vetted entries repacked stored (not deflated), which is all exceljs will ever see.
 */
export function vetXlsx(buf: Buffer, opts: ReadOptions): Uint8Array {
  const cap = checkZipDirectory(buf, opts);
  // The declared sizes may lie: inflate under a hard cap, and hand exceljs only what came out.
  const parts = unzipCapped(buf, cap);
  const mime = parts.get('mimetype');
  if (mime && strFromU8(mime).trim().startsWith(ODS_MIME))
    throw new SheetError(
      'Tệp .ods (LibreOffice/OpenOffice) chưa được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv',
      'OpenDocument (.ods) files are not supported: save the file as .xlsx or .csv',
    );
  if (!parts.has('[Content_Types].xml')) throw new SheetError('Tệp không phải bảng tính Excel đọc được (.xlsx)', 'The file is not a readable workbook (.xlsx)');
  for (const [name, data] of parts) if (/^xl\/worksheets\/[^/]+\.xml$/.test(name) && mergedCells(data) > MAX_MERGED_CELLS) throw tooManyMerged();
  // Stored, not deflated: exceljs inflates nothing, and reads exactly the vetted bytes.
  return zipSync(Object.fromEntries(parts), { level: 0 });
}

/** The first visible sheet of a vetted workbook (vetXlsx), as rows of cell texts. */
export async function parseXlsx(vetted: Uint8Array, opts: ReadOptions): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs' typings predate Node's generic Buffer.
    await wb.xlsx.load(Buffer.from(vetted.buffer, vetted.byteOffset, vetted.byteLength) as unknown as ArrayBuffer);
  } catch {
    throw new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  }
  const ws = wb.worksheets.find((w) => w.state !== 'hidden' && w.state !== 'veryHidden') ?? wb.worksheets[0];
  if (!ws) throw new SheetError('Tệp .xlsx không có trang tính nào', 'The .xlsx file has no worksheet');
  const rows: SheetRow[] = [];
  const warnings: SheetWarning[] = [];
  const limit = (opts.maxRows ?? Number.MAX_SAFE_INTEGER) + 50;
  const date1904 = !!wb.properties?.date1904;
  ws.eachRow({ includeEmpty: false }, (row, number) => {
    if (rows.length > limit) return;
    const cells: string[] = [];
    const numeric: number[] = [];
    // No import reads that far right: cells past it are not carried (a row can hold 16,384).
    // findCell makes no cell where there is none (eachCell with includeEmpty made every one up
    // to the row's last: 16,384 for a row with a cell in column XFD).
    const last = Math.min(row.cellCount, MAX_COLUMNS);
    for (let col = 1; col <= last; col++) {
      const cell = row.findCell(col);
      if (!cell) continue;
      const out = cellText(cell, date1904);
      cells[col - 1] = out.text;
      if (out.numeric) numeric.push(col - 1);
      if (out.problem) warnings.push({ row: number, col: col - 1, rule: 'cell_value', ...out.problem });
    }
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    rows.push({ number, cells, ...(numeric.length ? { numeric } : {}), ...(row.hidden ? { hidden: true } : {}) });
  });
  return { format: 'xlsx', rows, warnings, sheetName: ws.name };
}

export interface XlsxSheetSpec {
  name: string;
  rows: string[][];
  /** Column widths in characters. */
  widths?: number[];
  /** Columns (1-based) whose data cells only accept these values (Excel drop-down). */
  lists?: { column: number; values: string[] }[];
}

/**
 * Cells written between two turns of the event loop: with styles on, exceljs renders each
 * cell's style to find its id, ~0.1 ms a cell (200 rows of 3 cells held the loop 200 ms
 * on a loaded machine).
 */
const WRITE_RUN_CELLS = 300;

/**
 * Writes a workbook: the first sheet holds data under a bold, frozen header row. Streamed
 * (exceljs's WorkbookWriter), with a turn of the event loop after each run of cells: built whole
 * in memory (Workbook.xlsx.writeBuffer), 100,000 exclusions took 800 MB and held every request
 * for 14 s. Strings are written in their cells (no shared-strings table, built at the end in one go).
 */
export async function writeXlsx(sheets: XlsxSheetSpec[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = finished(out);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'thi-truc-tuyen';
  wb.created = new Date(0);
  for (const spec of sheets) {
    const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    spec.widths?.forEach((w, i) => {
      ws.getColumn(i + 1).width = w;
    });
    for (const l of spec.lists ?? []) {
      const letter = ws.getColumn(l.column).letter;
      // Applied to a fixed range so rows the organizer adds later get the drop-down too.
      (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}5001`, {
        type: 'list',
        allowBlank: true,
        formulae: [`"${l.values.join(',')}"`],
        showErrorMessage: true,
      });
    }
    let cells = 0;
    for (const [i, r] of spec.rows.entries()) {
      const row = ws.addRow(r);
      if (i === 0) row.font = { bold: true };
      row.alignment = { wrapText: true, vertical: 'top' };
      row.commit();
      cells += r.length;
      if (cells >= WRITE_RUN_CELLS) {
        cells = 0;
        await nextTurn();
      }
    }
    ws.commit();
  }
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}
