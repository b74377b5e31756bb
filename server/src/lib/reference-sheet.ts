// The contest's reference lists read from a spreadsheet: localities (communes, wards)
// and units (agencies, organizations), each a name with an optional headcount.
import { cleanText, compareKey } from './identity';
import type { RowError } from './question-sheet';
import { cellNotices, columnLetter, locateHeader, sheetPlace, visibleRows, type RowNotice, type SheetContext, type SheetRow } from './spreadsheet';

export type ReferenceKind = 'localities' | 'units';

export interface ReferenceItem {
  row: number;
  name: string;
  headcount: number | null;
}

export const REFERENCE_NAME_MAX = 200;
export const HEADCOUNT_MAX = 100_000_000;

const HEADERS = { name: 'Tên', headcount: 'Số người' };
const ALIASES: Record<'name' | 'headcount', string[]> = {
  name: [
    'Tên',
    'Tên gọi',
    'Tên đơn vị',
    'Đơn vị',
    'Cơ quan',
    'Cơ quan, đơn vị',
    'Tổ chức',
    'Tên cơ quan',
    'Tên xã, phường',
    'Xã, phường',
    'Xã/phường',
    'Xã, phường, thị trấn',
    'Xã',
    'Phường',
    'Địa bàn',
    'Địa phương',
    'Huyện',
    'Name',
    'Locality',
    'Unit',
  ],
  headcount: ['Số người', 'Số lượng', 'Dân số', 'Số dân', 'Quân số', 'Biên chế', 'Số cán bộ', 'Tổng số', 'Headcount', 'Population'],
};

/** Every name a column of the sheet goes by (readSheet() tells a CSV's delimiter by them). */
export const REFERENCE_HEADER_NAMES: readonly string[] = Object.values(ALIASES).flat();

/**
 * "12.345", "12,345", "12 345" and "12345" are all twelve thousand three hundred forty-five;
 * so is "12.345,00", as an xlsx cell under #,##0.00 shows it (zero decimals other than three,
 * which would be a thousands group).
 */
export function parseHeadcount(raw: string): number | null | undefined {
  const s = raw
    .normalize('NFKC')
    .trim()
    .replace(/(\d),(?:0{1,2}|0{4,})$/, '$1');
  if (!s) return null;
  const digits = /^[0-9]{1,3}([.,\s][0-9]{3})+$/.test(s) ? s.replace(/[.,\s]/g, '') : /^[0-9]+$/.test(s) ? s : null;
  if (digits === null) return undefined;
  const n = Number(digits);
  return n <= HEADCOUNT_MAX ? n : undefined;
}

export const referenceKey = (name: string) => compareKey(name);

/** `sheet` as for parseQuestionRows: cell warnings to keep, the sheet's name for a missing column. */
export function parseReferenceRows(
  rows: SheetRow[],
  sheet: SheetContext = {},
): { items: ReferenceItem[]; errors: RowError[]; total: number; warnings: RowNotice[] } {
  if (rows.length === 0)
    return { items: [], errors: [{ row: 1, field: 'file', message: 'Tệp không có dữ liệu', messageEn: 'The file holds no data' }], total: 0, warnings: [] };
  const { headerIndex, columns, missing } = locateHeader<'name' | 'headcount'>(rows, ALIASES, ['name']);
  if (missing.length)
    return {
      items: [],
      errors: [
        {
          row: rows[0].number,
          field: HEADERS.name,
          message: `Thiếu cột "Tên"${sheetPlace(sheet.sheetName).vi}`,
          messageEn: `Missing a "Tên" (name) column${sheetPlace(sheet.sheetName).en}`,
        },
      ],
      total: Math.max(0, rows.length - 1),
      warnings: [],
    };
  const { rows: data, notices: hidden } = visibleRows(rows.slice(headerIndex + 1));
  const items: ReferenceItem[] = [];
  const errors: RowError[] = [];
  const firstRow = new Map<string, number>();
  const col = (f: 'name' | 'headcount') => (columns[f] === undefined ? undefined : columnLetter(columns[f]! + 1));
  for (const r of data) {
    const fail = (f: 'name' | 'headcount', vi: string, en: string) =>
      errors.push({ row: r.number, field: HEADERS[f], column: col(f), message: vi, messageEn: en });
    const name = cleanText(r.cells[columns.name!] ?? '');
    const rawCount = columns.headcount === undefined ? '' : (r.cells[columns.headcount] ?? '');
    const headcount = parseHeadcount(rawCount);
    const before = errors.length;
    if (!name) fail('name', 'Thiếu tên', 'Missing name');
    else if (name.length > REFERENCE_NAME_MAX)
      fail('name', `Tên dài quá ${REFERENCE_NAME_MAX} ký tự`, `The name is longer than ${REFERENCE_NAME_MAX} characters`);
    else if (firstRow.has(referenceKey(name)))
      fail('name', `Trùng với dòng ${firstRow.get(referenceKey(name))}`, `Same name as on row ${firstRow.get(referenceKey(name))}`);
    if (headcount === undefined)
      fail('headcount', `Số người "${rawCount.slice(0, 20)}" không hợp lệ`, `Headcount "${rawCount.slice(0, 20)}" is not a whole number`);
    if (errors.length === before) {
      firstRow.set(referenceKey(name), r.number);
      items.push({ row: r.number, name, headcount: headcount ?? null });
    }
  }
  const read = new Set(data.map((r) => r.number));
  const cells = cellNotices(sheet.warnings, Object.values(columns), rows[headerIndex].number).filter((w) => read.has(w.row));
  return { items, errors, total: data.length, warnings: [...hidden, ...cells].sort((a, b) => a.row - b.row) };
}
