import type { Writable } from 'node:stream';
import { CANONICAL_COLUMNS } from '../../lib/ranking';
import { rowsOf, type ExportContext } from './exports.context';
import { COLUMN_TITLES, csvCell, FLAGS_TITLE } from './exports.format';
import { breathe, end, RUN_ROWS, write } from './exports.stream';

/** The canonical columns, so a judge can recompute the checksum from this file, then the flags. */
export async function writeCsv(ctx: ExportContext, out: Writable) {
  const line = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\r\n';
  // The BOM makes Excel read the file as UTF-8 (Vietnamese diacritics).
  await write(out, '\uFEFF' + line([...CANONICAL_COLUMNS.map((c) => COLUMN_TITLES[c]), FLAGS_TITLE]));
  let batch = '';
  let n = 0;
  for await (const r of rowsOf(ctx)) {
    batch += line([...CANONICAL_COLUMNS.map((c) => csvCell(r[c])), r.flagsText ?? '']);
    if (batch.length > 64 * 1024) {
      await write(out, batch);
      batch = '';
    }
    if (++n % RUN_ROWS.csv === 0) await breathe(out);
  }
  if (batch) await write(out, batch);
  await end(out);
}
