// Text and CSV: the encodings and flavours Excel writes, and formula guarding.
import { parse as parseCsvSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { LONE_SURROGATE } from './identity';
import { headerKey, SheetError, type Sheet, type TextEncoding } from './spreadsheet.base';

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

const DELIMITERS = [',', ';', '\t'] as const;

/** The first records of `text` split by `delimiter`, quotes respected; none when it cannot be parsed so. */
function firstRecords(text: string, delimiter: string): string[][] {
  try {
    return (parseCsvSync(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to_line: 20 }) as string[][]).filter((r) =>
      r.some((c) => c.trim() !== ''),
    );
  } catch {
    return [];
  }
}

/**
 * Excel writes ';' where the locale's decimal mark is ',' (Vietnamese Windows), and tabs for
 * "Unicode text"; cells full of commas must not outvote the semicolons between them. First
 * choice: the delimiter that splits a row of the first ten into the most of the caller's
 * `headers` (its columns' names, compared as headerKey()s). Failing that (no header named,
 * or none found), the one that gives most of the first records one and the same field count
 * above one; a title line above the header has no delimiter and counts for none. Ties go to
 * the delimiter that occurs most often outside quotes, then to ','.
 */
export function detectDelimiter(sample: string, headers: readonly string[] = []): string {
  const split = DELIMITERS.map((d) => ({ d, records: firstRecords(sample, d) }));
  const known = new Set(headers.map(headerKey).filter(Boolean));
  if (known.size) {
    const named = split.map(({ d, records }) => ({
      d,
      score: Math.max(0, ...records.slice(0, 10).map((r) => new Set(r.map(headerKey).filter((k) => known.has(k))).size)),
    }));
    const best = Math.max(...named.map((n) => n.score));
    const winners = named.filter((n) => n.score === best);
    if (best >= 2 && winners.length === 1) return winners[0].d;
  }
  const consistent = split.map(({ d, records }) => {
    const counts = new Map<number, number>();
    for (const r of records) if (r.length > 1) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    return { d, score: Math.max(0, ...counts.values()), occurrences: countOutsideQuotes(sample, d) };
  });
  consistent.sort((a, b) => b.score - a.score || b.occurrences - a.occurrences);
  return consistent[0].score > 0 || consistent[0].occurrences > 0 ? consistent[0].d : ',';
}

function countOutsideQuotes(sample: string, d: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of sample.split(/\r?\n/).slice(0, 10).join('\n')) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) count++;
  }
  return count;
}

/** `headers`: the caller's column names, for detectDelimiter(); a `sep=` line overrides it. */
export function readCsv(buf: Buffer, headers: readonly string[] = []): Sheet {
  const { text: whole, encoding } = decodeText(buf);
  // Old DOS and Windows tools end a text file with Ctrl-Z (0x1A): an end mark, not a cell.
  // eslint-disable-next-line no-control-regex -- the mark is a control character
  const decoded = whole.replace(/\u001a+$/, '');
  // Control characters other than tab and line breaks never occur in a text export.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0008\u000e-\u001f]/.test(decoded))
    throw new SheetError('Tệp không phải bảng tính .xlsx hay .csv', 'The file is neither an .xlsx nor a .csv spreadsheet');
  // A UTF-16 file can hold half a character; csv-parse would turn it into U+FFFD, which the
  // JSON routes refuse (lib/zod.ts): name the row instead.
  const broken = LONE_SURROGATE.exec(decoded);
  if (broken) {
    const line = decoded.slice(0, broken.index).split('\n').length;
    throw new SheetError(
      `Tệp có ký tự hỏng (nửa ký tự UTF-16) ở dòng ${line}: hãy lưu lại tệp với mã UTF-8`,
      `The file holds a broken character (half a UTF-16 pair) on line ${line}: save it again as UTF-8`,
      line,
    );
  }
  let text = decoded;
  // Excel's "sep=;" hint line names the delimiter and is not a row.
  let delimiter: string | undefined;
  const hint = /^sep=(.)\r?\n/.exec(text);
  if (hint) {
    delimiter = hint[1];
    text = text.slice(hint[0].length);
  }
  delimiter ??= detectDelimiter(text.slice(0, 20_000), headers);
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
// apostrophe, and readCsv() takes that apostrophe off again. So that the round trip is exact,
// a cell that already starts with apostrophes before such a character ("'=1+1") gets one more
// too: unguardFormula then takes one off whatever the cell was.
const FORMULA_START = /^'*[=+\-@\t\r]/;
export const guardFormula = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);
export const unguardFormula = (cell: string) => (cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell);

/** UTF-8 with a BOM (so Excel shows Vietnamese right), CRLF, quoted where needed. */
export function writeCsv(rows: string[][]): Buffer {
  const body = stringify(
    rows.map((r) => r.map(guardFormula)),
    { record_delimiter: 'windows', quoted_match: /^[\s\S]*[\r\n"][\s\S]*$/ },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
}
