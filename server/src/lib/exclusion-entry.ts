// One entry of a contest's exclusion list (staff and others who may not compete): how it
// is normalized so that attempts and ranking can match it by plain equality, the same for
// the API (PUT .../exclusions), the spreadsheet import (exclusion-sheet.ts) and the page's
// paste box (a line pasted from Excel or typed). No server-only import: the web app uses it.
import { cleanText, nationalIdProblem, normalizePhone, stripInvisible } from './identity';
import { headerKey } from './spreadsheet.base';

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
 * (001), Hà Giang (002) ... (009). So 11 digits not starting with 0 are read as 0 + those
 * wherever they come from (a paste, a CSV, the API; 11 starting with 0 are no number that
 * lost its zeros but a typo or a landline), and 10 digits as 00 + those when `fromNumber`
 * says the cell held a number (an .xlsx numeric cell; a number keeps no leading zeros).
 * Ten digits typed as text are refused: a 12-digit id missing two digits would otherwise
 * become another person's. Registration never pads (identity.ts nationalIdProblem).
 */
export function normalizeNationalId(raw: string, opts: { fromNumber?: boolean } = {}): string | { message: string; messageEn: string } {
  const digits = digitsOnly(raw);
  let id = digits;
  if (/^[1-9][0-9]{10}$/.test(id)) id = '0' + id;
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

export type Field = 'nationalId' | 'phone' | 'note' | 'name';
export const HEADERS: Record<Field, string> = { nationalId: 'Số CCCD', phone: 'Số điện thoại', note: 'Ghi chú', name: 'Họ và tên' };
/** The names a list's columns go by (the import locates them; a pasted header line is skipped by them). */
export const ALIASES: Record<Field, string[]> = {
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

/** A line of the paste box, read: an entry, or what is wrong with the line. */
export type PastedLine = { line: number; text: string } & ({ entry: ExclusionEntry } | { problems: EntryProblem[] });

const HEADER_KEYS = new Set(Object.values(ALIASES).flat().map(headerKey));
// A cell that is a number (digits and the separators people write between them), not words.
const NUMBERLIKE = /^\+?[0-9][0-9\s.\-_/()]*$/;
// A row number pasted with the row (the STT column): dropped.
const ROW_NUMBER = /^[0-9]{1,4}\.?$/;

/**
 * Reads the lines of the exclusion page's paste box as the file import reads a row: a CCCD,
 * a phone and a note in any order, told apart by what they are (12 digits, or 11 that lost
 * their leading zero, are a CCCD; a mobile number in any notation, 9 digits too, a phone;
 * words, a note). Cells are split by tabs (a row pasted from Excel: "CCCD⇥phone⇥name"), else
 * by ';' or ','; a lone cell may start with the number ("0912345678 Nguyễn Văn A"). A row
 * number (STT) is dropped, a header line ("Số CCCD⇥SĐT") and blank lines skipped. A number
 * that is both a CCCD and a phone (84…, as a phone written without '+', or a CCCD of
 * province 084 that lost its zero) is a phone when the CCCD would name someone not yet
 * born, else takes the slot still free, the CCCD first when it leads.
 */
export function parsePastedLines(text: string): PastedLine[] {
  const out: PastedLine[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = stripInvisible(raw).trim();
    if (!line) return;
    const delimiter = line.includes('\t') ? '\t' : line.includes(';') ? ';' : ',';
    let cells = line
      .split(delimiter)
      .map((c) => c.trim())
      .filter(Boolean);
    if (cells.every((c) => HEADER_KEYS.has(headerKey(c)))) return;
    if (cells.length === 1) {
      const lead = /^(\+?[0-9][0-9\s.-]*[0-9])\s+([^0-9\s].*)$/.exec(cells[0]);
      if (lead) cells = [lead[1], lead[2]];
    }
    out.push({ line: i + 1, text: raw, ...readCells(cells, delimiter) });
  });
  return out;
}

function readCells(cells: string[], delimiter: string): { entry: ExclusionEntry } | { problems: EntryProblem[] } {
  let nationalId: string | undefined;
  let phone: string | undefined;
  const notes: string[] = [];
  const problems: EntryProblem[] = [];
  const ambiguous: { cell: string; first: boolean }[] = [];
  cells.forEach((cell, at) => {
    const id = normalizeNationalId(cell);
    const asId = typeof id === 'string' && (typeof normalizeListPhone(cell) !== 'string' || bornByNow(id));
    const asPhone = typeof normalizeListPhone(cell) === 'string';
    if (asId && asPhone) ambiguous.push({ cell, first: at === 0 });
    else if (asId && nationalId === undefined) nationalId = cell;
    else if (asPhone && phone === undefined) phone = cell;
    else if (asId || asPhone)
      problems.push({
        field: asId ? 'nationalId' : 'phone',
        message: asId ? 'Dòng có hơn một số CCCD' : 'Dòng có hơn một số điện thoại',
        messageEn: asId ? 'More than one national id on the line' : 'More than one phone number on the line',
      });
    else if (NUMBERLIKE.test(cell) && cell.replace(/[^0-9]/g, '').length >= 9) {
      // A number that is neither: report it under what it is closest to.
      const digits = cell.replace(/[^0-9]/g, '');
      const id = digits.length >= 12 || (digits.length >= 10 && !digits.startsWith('0') && !digits.startsWith('84') && !cell.startsWith('+'));
      if (id && nationalId === undefined) nationalId = cell;
      else if (!id && phone === undefined) phone = cell;
      else notes.push(cell);
    } else if (!ROW_NUMBER.test(cell)) notes.push(cell);
  });
  for (const a of ambiguous) {
    if (nationalId === undefined && (a.first || phone !== undefined)) nationalId = a.cell;
    else if (phone === undefined) phone = a.cell;
    else if (nationalId === undefined) nationalId = a.cell;
    else notes.push(a.cell);
  }
  const out = normalizeEntry({ nationalId, phone, note: notes.join(delimiter === '\t' ? ' — ' : `${delimiter} `) });
  if (!problems.length) return out;
  return { problems: [...problems, ...('problems' in out ? out.problems : [])] };
}

/** A CCCD's century-and-sex digit and year (identity.ts) name someone born by now. */
function bornByNow(id: string): boolean {
  const century = Number(id[3]);
  return century <= 3 && 1900 + Math.floor(century / 2) * 100 + Number(id.slice(4, 6)) <= new Date().getUTCFullYear();
}
