// The contest's exclusion list (staff and others who may not compete): how entries are
// normalized so that attempts and ranking can match them by plain equality, and how a
// spreadsheet of them is read.
import type { RowError } from './question-sheet';
import { cleanText, nationalIdProblem, normalizePhone, stripInvisible } from './identity';
import { cellNotices, columnLetter, locateHeader, sheetPlace, visibleRows, type RowNotice, type SheetContext, type SheetRow } from './spreadsheet';

export interface ExclusionEntry {
  nationalId: string | null;
  phone: string | null;
  note: string | null;
}

export interface EntryProblem {
  field: 'nationalId' | 'phone' | 'note';
  message: string;
  messageEn: string;
}

const digitsOnly = (s: string) =>
  stripInvisible(s)
    .normalize('NFKC')
    .replace(/[\s.\-_/]/g, '');

/**
 * A CCCD as stored: 12 digits. Every CCCD starts with 0 (province codes 001-096), and a
 * spreadsheet that holds ids as numbers drops the leading zeros: two of them for Hà Nội
 * (001), Hà Giang (002) ... (009). So 11 digits are read as 0 + those wherever they come
 * from (a paste, a CSV, the API), and 10 digits as 00 + those when `fromNumber` says the
 * cell held a number (an .xlsx numeric cell; a number has no leading zeros to keep).
 * Ten digits typed as text are refused: a 12-digit id missing two digits would otherwise
 * become another person's. Registration never pads (identity.ts nationalIdProblem).
 */
export function normalizeNationalId(raw: string, opts: { fromNumber?: boolean } = {}): string | { message: string; messageEn: string } {
  const digits = digitsOnly(raw);
  let id = digits;
  if (/^[0-9]{11}$/.test(id)) id = '0' + id;
  else if (opts.fromNumber && /^[1-9][0-9]{9}$/.test(id)) id = '00' + id;
  const problem = nationalIdProblem(id);
  if (!problem) return id;
  if (/^[0-9]+(?:[.,][0-9]+)?E\+?[0-9]+$/i.test(stripInvisible(raw).normalize('NFKC').replace(/\s/g, '')))
    return {
      message: 'Số CCCD bị Excel ghi dạng số mũ (như 1,23E+11) nên đã mất chữ số: hãy định dạng cột là Văn bản (Text) rồi nhập đủ 12 số',
      messageEn: 'Excel wrote the national id in scientific notation (like 1.23E+11), losing digits: format the column as Text and type all 12 digits',
    };
  if (opts.fromNumber || /^[1-9][0-9]{9,10}$/.test(digits))
    return {
      message: 'Số CCCD phải gồm 12 chữ số hợp lệ; Excel có thể đã bỏ các số 0 ở đầu: hãy định dạng cột là Văn bản (Text) rồi nhập đủ 12 số',
      messageEn: `The national id ${problem}; Excel may have dropped its leading zeros: format the column as Text and type all 12 digits`,
    };
  return { message: 'Số CCCD phải gồm 12 chữ số hợp lệ', messageEn: `The national id ${problem}` };
}

/** A phone as stored: 0xxxxxxxxx; 9 digits are a number whose leading 0 a spreadsheet dropped. */
export function normalizeListPhone(raw: string): string | { message: string; messageEn: string } {
  const compact = digitsOnly(raw);
  const phone = normalizePhone(/^[1-9][0-9]{8}$/.test(compact) ? '0' + compact : compact);
  return phone ?? { message: 'Số điện thoại di động không hợp lệ', messageEn: 'Not a valid Vietnamese mobile number' };
}

export const NOTE_MAX = 500;

/** `idFromNumber`: the national id was read from a numeric spreadsheet cell (normalizeNationalId). */
export function normalizeEntry(
  raw: {
    nationalId?: string | null;
    phone?: string | null;
    note?: string | null;
  },
  opts: { idFromNumber?: boolean } = {},
): { entry: ExclusionEntry } | { problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  let nationalId: string | null = null;
  let phone: string | null = null;
  if (raw.nationalId && raw.nationalId.trim()) {
    const r = normalizeNationalId(raw.nationalId, { fromNumber: opts.idFromNumber });
    if (typeof r === 'string') nationalId = r;
    else problems.push({ field: 'nationalId', ...r });
  }
  if (raw.phone && raw.phone.trim()) {
    const r = normalizeListPhone(raw.phone);
    if (typeof r === 'string') phone = r;
    else problems.push({ field: 'phone', ...r });
  }
  // A control character parts words here (a note pasted from a form); then cleaned as every
  // human text is (identity.ts cleanText: invisible characters dropped, spaces folded).
  // eslint-disable-next-line no-control-regex -- Postgres text cannot hold NUL; no control character belongs in a note
  const note = cleanText((raw.note ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ')) || null;
  if (note && note.length > NOTE_MAX)
    problems.push({ field: 'note', message: `Ghi chú dài quá ${NOTE_MAX} ký tự`, messageEn: `The note is longer than ${NOTE_MAX} characters` });
  if (!problems.length && !nationalId && !phone)
    problems.push({ field: 'nationalId', message: 'Cần số CCCD hoặc số điện thoại', messageEn: 'A national id or a phone number is needed' });
  return problems.length ? { problems } : { entry: { nationalId, phone, note } };
}

/** Entries that name the same person the same way are kept once (the first note wins). */
export function dedupeEntries<T extends ExclusionEntry>(entries: T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = `${e.nationalId ?? ''}|${e.phone ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

type Field = 'nationalId' | 'phone' | 'note' | 'name';
const HEADERS: Record<Field, string> = { nationalId: 'Số CCCD', phone: 'Số điện thoại', note: 'Ghi chú', name: 'Họ và tên' };
const ALIASES: Record<Field, string[]> = {
  nationalId: [
    'Số CCCD',
    'CCCD',
    'Số căn cước',
    'Căn cước công dân',
    'Số định danh',
    'Số định danh cá nhân',
    'CMND/CCCD',
    'Số CMND/CCCD',
    'National ID',
    'nationalId',
  ],
  phone: ['Số điện thoại', 'Điện thoại', 'SĐT', 'Số ĐT', 'Di động', 'Phone', 'Phone number'],
  note: ['Ghi chú', 'Lý do', 'Note'],
  name: ['Họ và tên', 'Họ tên', 'Tên', 'Full name', 'Name'],
};
/** Every name a column of the sheet goes by (readSheet() tells a CSV's delimiter by them). */
export const EXCLUSION_HEADER_NAMES: readonly string[] = Object.values(ALIASES).flat();
/** What an export (or the empty template) holds; the name, if any, lives in the note. */
export const EXCLUSION_HEADERS = [HEADERS.nationalId, HEADERS.phone, HEADERS.note];

export function exclusionSheetRows(entries: ExclusionEntry[]): string[][] {
  return [EXCLUSION_HEADERS, ...entries.map((e) => [e.nationalId ?? '', e.phone ?? '', e.note ?? ''])];
}

/** `sheet` as for parseQuestionRows: cell warnings to keep, the sheet's name for a missing column. */
export function parseExclusionRows(
  rows: SheetRow[],
  sheet: SheetContext = {},
): { entries: { row: number; entry: ExclusionEntry }[]; errors: RowError[]; total: number; warnings: RowNotice[] } {
  if (rows.length === 0)
    return { entries: [], errors: [{ row: 1, field: 'file', message: 'Tệp không có dữ liệu', messageEn: 'The file holds no data' }], total: 0, warnings: [] };
  let found = locateHeader<Field>(rows, ALIASES, ['nationalId']);
  if (found.missing.length) found = locateHeader<Field>(rows, ALIASES, ['phone']);
  if (found.missing.length)
    return {
      entries: [],
      errors: [
        {
          row: rows[found.headerIndex].number,
          field: HEADERS.nationalId,
          message: `Thiếu cột "Số CCCD" hoặc "Số điện thoại"${sheetPlace(sheet.sheetName).vi}`,
          messageEn: `Missing a "Số CCCD" or "Số điện thoại" column${sheetPlace(sheet.sheetName).en}`,
        },
      ],
      total: Math.max(0, rows.length - 1),
      warnings: [],
    };
  const { headerIndex, columns } = found;
  const cell = (r: SheetRow, f: Field) => (columns[f] === undefined ? '' : (r.cells[columns[f]!] ?? ''));
  const { rows: data, notices: hidden } = visibleRows(rows.slice(headerIndex + 1));
  const entries: { row: number; entry: ExclusionEntry }[] = [];
  const errors: RowError[] = [];
  for (const r of data) {
    const name = cell(r, 'name');
    const note = [name, cell(r, 'note')].filter(Boolean).join(' — ');
    const idColumn = columns.nationalId;
    const idFromNumber = idColumn !== undefined && !!r.numeric?.includes(idColumn);
    const out = normalizeEntry({ nationalId: cell(r, 'nationalId'), phone: cell(r, 'phone'), note }, { idFromNumber });
    if ('entry' in out) entries.push({ row: r.number, entry: out.entry });
    else
      for (const p of out.problems) {
        const col = columns[p.field];
        errors.push({
          row: r.number,
          field: HEADERS[p.field],
          column: col === undefined ? undefined : columnLetter(col + 1),
          message: p.message,
          messageEn: p.messageEn,
        });
      }
  }
  const read = new Set(data.map((r) => r.number));
  const cells = cellNotices(sheet.warnings, Object.values(columns), rows[headerIndex].number).filter((w) => read.has(w.row));
  return { entries, errors, total: data.length, warnings: [...hidden, ...cells].sort((a, b) => a.row - b.row) };
}
