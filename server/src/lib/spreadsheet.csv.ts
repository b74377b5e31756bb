// Text and CSV: the encodings and flavours Excel writes, and formula guarding.
import { parse as parseCsvSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { SheetError, type Sheet, type TextEncoding } from './spreadsheet.base';

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
  if (/[\u0000-\u0008\u000e-\u001f]/.test(decoded))
    throw new SheetError('Tệp không phải bảng tính .xlsx hay .csv', 'The file is neither an .xlsx nor a .csv spreadsheet');
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
