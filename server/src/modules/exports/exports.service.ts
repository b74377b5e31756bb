import type { Writable } from 'node:stream';
import type { Db } from '../../../../db/client';
import { loadContext, type ExportContext, type ExportFormat } from './exports.context';
import { writeCsv } from './exports.csv';
import { writePdf } from './exports.pdf';
import { unlessBroken } from './exports.stream';
import { writeXlsx } from './exports.xlsx';

export type { ExportFormat } from './exports.context';

const writers: Record<ExportFormat, (ctx: ExportContext, out: Writable) => Promise<void>> = { csv: writeCsv, xlsx: writeXlsx, pdf: writePdf };

/**
 * Writes the ranked prize list of a finalized, current round to `out`. Everything in the
 * file comes from the stored results (no clock, no randomness), read in one snapshot, so
 * the same finalized round always gives the same bytes.
 */
export async function writeExport(db: Db, roundId: string, format: ExportFormat, out: Writable): Promise<ExportMeta> {
  return db.transaction(
    async (tx) => {
      const ctx = await loadContext(tx, roundId);
      await unlessBroken(out, writers[format](ctx, out));
      return { filename: `xep-hang-${ctx.contest.slug}-tuan-${ctx.round.number}.${format}`, checksum: ctx.checksum };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export interface ExportMeta {
  filename: string;
  checksum: string;
}
