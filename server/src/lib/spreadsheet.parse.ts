// A spreadsheet's bytes as rows, whatever the format, on whatever thread calls it:
// spreadsheet.ts calls it for a small CSV, the spreadsheet worker (spreadsheet.worker.ts) for
// the rest. Its checks come first: readSheet() has refused what needs no parse.
import { cleanCell, SheetError, startsWith, ZIP_MAGIC, type ReadOptions, type Sheet, type SheetRow } from './spreadsheet.base';
import { readCsv } from './spreadsheet.csv';
import { parseXlsx, vetXlsx } from './spreadsheet.xlsx';

export async function parseSheet(buf: Uint8Array, opts: ReadOptions): Promise<Sheet> {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const sheet = startsWith(bytes, ZIP_MAGIC) ? await parseXlsx(vetXlsx(bytes, opts), opts) : readCsv(bytes, opts.headers);
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
      return { ...r, cells: cells.slice(0, end) };
    })
    .filter((r) => r.cells.length > 0);
}
