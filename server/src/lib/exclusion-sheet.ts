// The contest's exclusion list (staff and others who may not compete): how a spreadsheet of
// it is read. How one entry is normalized (for the API, the page's paste box and this
// import alike) is in exclusion-entry.ts, which the web app imports too.
import type { RowError } from './question-sheet';
import { ALIASES, HEADERS, normalizeEntry, type ExclusionEntry, type Field } from './exclusion-entry';
import { eachInTurns } from './turns';
import { cellNotices, columnLetter, locateHeader, sheetPlace, visibleRows, type RowNotice, type SheetContext, type SheetRow } from './spreadsheet';

export * from './exclusion-entry';

/** Every name a column of the sheet goes by (readSheet() tells a CSV's delimiter by them). */
export const EXCLUSION_HEADER_NAMES: readonly string[] = Object.values(ALIASES).flat();
/** What an export (or the empty template) holds; the name, if any, lives in the note. */
export const EXCLUSION_HEADERS = [HEADERS.nationalId, HEADERS.phone, HEADERS.note];

export function exclusionSheetRows(entries: ExclusionEntry[]): string[][] {
  return [EXCLUSION_HEADERS, ...entries.map((e) => [e.nationalId ?? '', e.phone ?? '', e.note ?? ''])];
}

/**
 * `sheet` as for parseQuestionRows: cell warnings to keep, the sheet's name for a missing
 * column. The rows are checked in runs between turns of the event loop (a list of 100,000 is
 * 0.3-0.5 s of checks).
 */
export async function parseExclusionRows(
  rows: SheetRow[],
  sheet: SheetContext = {},
): Promise<{ entries: { row: number; entry: ExclusionEntry }[]; errors: RowError[]; total: number; warnings: RowNotice[] }> {
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
  await eachInTurns(data, (r) => {
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
  });
  // A header with nothing under it (the downloaded template, or every row hidden) is a mistake
  // far more often than a wish to empty the list, which the replace mode would do: refused.
  if (data.length === 0)
    errors.push({
      row: rows[headerIndex].number,
      field: 'file',
      message: 'Tệp không có dòng dữ liệu nào dưới dòng tiêu đề (hoặc mọi dòng đều bị ẩn): danh sách giữ nguyên',
      messageEn: 'The file has no data row under its header row (or every row is hidden): the list stays as it is',
    });
  const read = new Set(data.map((r) => r.number));
  const cells = cellNotices(sheet.warnings, Object.values(columns), rows[headerIndex].number).filter((w) => read.has(w.row));
  return { entries, errors, total: data.length, warnings: [...hidden, ...cells].sort((a, b) => a.row - b.row) };
}
