// Reading and writing the spreadsheets organizers keep (.xlsx from Excel or LibreOffice,
// .csv in whatever encoding and flavour Excel produced), as plain rows of NFC strings.
import ExcelJS from 'exceljs';
import { strFromU8, Unzip, UnzipInflate, zipSync } from 'fflate';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';

export type SheetFormat = 'xlsx' | 'csv';
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1258';

/** One row as the organizer sees it: `number` is the row number Excel shows (1-based). */
export interface SheetRow {
  number: number;
  cells: string[];
}

export interface Sheet {
  format: SheetFormat;
  encoding?: TextEncoding;
  rows: SheetRow[];
}

/** A file that cannot be read as a spreadsheet at all (as opposed to a bad row in it). */
export class SheetError extends Error {
  constructor(
    readonly messageVi: string,
    readonly messageEn: string,
    readonly row?: number,
  ) {
    super(messageEn);
    this.name = 'SheetError';
  }
}

export interface ReadOptions {
  /** Rows beyond this (after the header) make the whole file rejected, before any work on them. */
  maxRows?: number;
  /** Decompressed size cap for .xlsx (a zip bomb must not exhaust memory). */
  maxUnzippedBytes?: number;
  /** The upload's name: a ".xlsx" whose bytes are no zip is a damaged workbook, not a CSV. */
  filename?: string;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (buf: Uint8Array, magic: number[]) => magic.every((b, i) => buf[i] === b);

// Postgres text cannot hold NUL, and no other control character belongs in a cell.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** The text of a cell as stored: NFC, line breaks as \n, no control characters, outer spaces trimmed. */
export function cleanCell(s: string): string {
  return s.normalize('NFC').replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(/\u00a0/g, ' ').trim();
}

/** Reads an .xlsx or .csv upload; the content decides, not the file name. */
export async function readSheet(buf: Buffer, opts: ReadOptions = {}): Promise<Sheet> {
  if (buf.length === 0) throw new SheetError('Tệp rỗng', 'The file is empty');
  if (startsWith(buf, OLE_MAGIC))
    throw new SheetError('Định dạng .xls cũ không được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv', 'Legacy .xls files are not supported: save as .xlsx or .csv');
  const name = (opts.filename ?? '').toLowerCase();
  if (!startsWith(buf, ZIP_MAGIC) && /\.(xlsx|xlsm|ods)$/.test(name))
    throw name.endsWith('.ods')
      ? new SheetError('Tệp .ods chưa được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv', 'OpenDocument (.ods) files are not supported: save the file as .xlsx or .csv')
      : new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  const sheet = startsWith(buf, ZIP_MAGIC) ? await readXlsx(buf, opts) : readCsv(buf);
  const rows = dropEmpty(sheet.rows);
  if (opts.maxRows !== undefined && rows.length > opts.maxRows + 1)
    throw new SheetError(
      `Tệp có ${rows.length - 1} dòng dữ liệu, vượt quá giới hạn ${opts.maxRows} dòng`,
      `The file has ${rows.length - 1} data rows, more than the limit of ${opts.maxRows}`,
    );
  return { ...sheet, rows };
}

function dropEmpty(rows: SheetRow[]): SheetRow[] {
  return rows
    .map((r) => {
      const cells = r.cells.map((c) => cleanCell(c));
      let end = cells.length;
      while (end > 0 && cells[end - 1] === '') end--;
      return { number: r.number, cells: cells.slice(0, end) };
    })
    .filter((r) => r.cells.length > 0);
}

// ---------------------------------------------------------------- text and CSV

/** BOM first; then valid UTF-8; otherwise the Vietnamese Windows code page. */
export function decodeText(buf: Buffer): { text: string; encoding: TextEncoding } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.subarray(3).toString('utf8').normalize('NFC'), encoding: 'utf-8' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le').normalize('NFC'), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf.subarray(2), 'utf-16be').normalize('NFC'), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf).normalize('NFC'), encoding: 'utf-8' };
  } catch {
    // CP1258 writes most tone marks as combining characters after the base letter,
    // so the decoded text is decomposed until normalized.
    return { text: iconv.decode(buf, 'windows1258').normalize('NFC'), encoding: 'windows-1258' };
  }
}

/**
 * Excel writes ';' where the locale's decimal mark is ',', and tabs for "Unicode text".
 * The first lines are counted together: a title line above the header has no delimiter.
 */
export function detectDelimiter(sample: string): string {
  let best = ',';
  let bestCount = 0;
  const lines = sample.split(/\r?\n/).slice(0, 10).join('\n');
  for (const d of [',', ';', '\t']) {
    let count = 0;
    let quoted = false;
    for (const ch of lines) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

export function readCsv(buf: Buffer): Sheet {
  const { text: decoded, encoding } = decodeText(buf);
  // Control characters other than tab and line breaks never occur in a text export.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0008\u000e-\u001f]/.test(decoded)) throw new SheetError('Tệp không phải bảng tính .xlsx hay .csv', 'The file is neither an .xlsx nor a .csv spreadsheet');
  let text = decoded;
  // Excel's "sep=;" hint line names the delimiter and is not a row.
  let delimiter: string | undefined;
  const hint = /^sep=(.)\r?\n/.exec(text);
  if (hint) {
    delimiter = hint[1];
    text = text.slice(hint[0].length);
  }
  delimiter ??= detectDelimiter(text.slice(0, 20_000));
  let records: string[][];
  try {
    records = parseCsvSync(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: false,
    }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new SheetError(
      `Tệp CSV hỏng${line ? ` gần dòng ${line}` : ''} (dấu ngoặc kép không đóng?)`,
      `Malformed CSV${line ? ` near line ${line}` : ''} (an unclosed quote?)`,
      line,
    );
  }
  return { format: 'csv', encoding, rows: records.map((cells, i) => ({ number: i + 1, cells: cells.map((c) => unguardFormula(c.trimStart())) })) };
}

// A cell that Excel would run as a formula (CSV injection) is written with a leading
// apostrophe, and readCsv() takes that apostrophe off again, so a round trip is exact.
const FORMULA_START = /^[=+\-@\t\r]/;
const GUARDED = /^'[=+\-@\t\r]/;
export const guardFormula = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);
export const unguardFormula = (cell: string) => (GUARDED.test(cell) ? cell.slice(1) : cell);

/** UTF-8 with a BOM (so Excel shows Vietnamese right), CRLF, quoted where needed. */
export function writeCsv(rows: string[][]): Buffer {
  const body = stringify(
    rows.map((r) => r.map(guardFormula)),
    { record_delimiter: 'windows', quoted_match: /^[\s\S]*[\r\n"][\s\S]*$/ },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
}

// ---------------------------------------------------------------- xlsx

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

export function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: CellValue }).result ?? null);
    if ('text' in v) return cellText((v as { text: CellValue }).text);
    if ('error' in v) return '';
  }
  return '';
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

async function readXlsx(buf: Buffer, opts: ReadOptions): Promise<Sheet> {
  const declared = zipUncompressedSize(buf);
  if (declared === null) throw new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  const cap = opts.maxUnzippedBytes ?? 64 * 1024 * 1024;
  if (declared > cap) throw new SheetError('Tệp .xlsx quá lớn khi giải nén', 'The .xlsx file is too large once unpacked');
  // The declared sizes may lie: inflate under a hard cap, and hand exceljs only what came out.
  const parts = unzipCapped(buf, cap);
  const mime = parts.get('mimetype');
  if (mime && strFromU8(mime).trim().startsWith(ODS_MIME))
    throw new SheetError(
      'Tệp .ods (LibreOffice/OpenOffice) chưa được hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv',
      'OpenDocument (.ods) files are not supported: save the file as .xlsx or .csv',
    );
  if (!parts.has('[Content_Types].xml'))
    throw new SheetError('Tệp không phải bảng tính Excel đọc được (.xlsx)', 'The file is not a readable workbook (.xlsx)');
  const wb = new ExcelJS.Workbook();
  try {
    // Stored, not deflated: exceljs inflates nothing, and reads exactly the vetted bytes.
    const repacked = zipSync(Object.fromEntries(parts), { level: 0 });
    // exceljs' typings predate Node's generic Buffer.
    await wb.xlsx.load(Buffer.from(repacked) as unknown as ArrayBuffer);
  } catch {
    throw new SheetError('Tệp .xlsx hỏng, không đọc được như một bảng tính', 'The .xlsx file is damaged: not a readable workbook');
  }
  const ws = wb.worksheets.find((w) => w.state !== 'hidden' && w.state !== 'veryHidden') ?? wb.worksheets[0];
  if (!ws) throw new SheetError('Tệp .xlsx không có trang tính nào', 'The .xlsx file has no worksheet');
  const rows: SheetRow[] = [];
  const limit = (opts.maxRows ?? Number.MAX_SAFE_INTEGER) + 50;
  ws.eachRow({ includeEmpty: false }, (row, number) => {
    if (rows.length > limit) return;
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    rows.push({ number, cells });
  });
  return { format: 'xlsx', rows };
}

export interface XlsxSheetSpec {
  name: string;
  rows: string[][];
  /** Column widths in characters. */
  widths?: number[];
  /** Columns (1-based) whose data cells only accept these values (Excel drop-down). */
  lists?: { column: number; values: string[] }[];
}

/** Writes a workbook: the first sheet holds data under a bold, frozen header row. */
export async function writeXlsx(sheets: XlsxSheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'thi-truc-tuyen';
  wb.created = new Date(0);
  for (const spec of sheets) {
    const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    for (const r of spec.rows) ws.addRow(r);
    ws.getRow(1).font = { bold: true };
    spec.widths?.forEach((w, i) => {
      ws.getColumn(i + 1).width = w;
    });
    ws.eachRow((row) => {
      row.alignment = { wrapText: true, vertical: 'top' };
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
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A header cell reduced to what matters for matching: no accents, case, spaces or punctuation. */
export function headerKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
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
