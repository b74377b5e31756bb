// .xlsx: read through a capped unzip (no zip bombs), written without styles.
import ExcelJS from 'exceljs';
import { strFromU8, Unzip, UnzipInflate, zipSync } from 'fflate';
import { SheetError, type ReadOptions, type Sheet, type SheetRow } from './spreadsheet.base';

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

export async function readXlsx(buf: Buffer, opts: ReadOptions): Promise<Sheet> {
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
  if (!parts.has('[Content_Types].xml')) throw new SheetError('Tệp không phải bảng tính Excel đọc được (.xlsx)', 'The file is not a readable workbook (.xlsx)');
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
