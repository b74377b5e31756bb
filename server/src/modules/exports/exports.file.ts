// An export as a file on disk, hashed while written, so its SHA-256 can go out as a header
// before the body; removed once sent.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../../../db/client';
import { withExportSlot } from '../../lib/export-slots';
import { recordAudit } from '../audit/index';
import type { ExportFormat } from './exports.context';
import { writeExport, type ExportMeta } from './exports.service';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export interface ExportFile extends ExportMeta {
  path: string;
  sha256: string;
  size: number;
  contentType: string;
  /** Removes the file; call once it has been sent. */
  cleanup(): Promise<void>;
}

/**
 * The hash must go out as a header, before the body; so the file is written to disk while
 * hashed (memory stays flat whatever the size) and then streamed from there.
 */
export function exportToFile(db: Db, actorId: string, roundId: string, format: ExportFormat): Promise<ExportFile> {
  // Sending the finished file is cheap; making it is what takes a slot.
  return withExportSlot(() => writeToFile(db, actorId, roundId, format));
}

async function writeToFile(db: Db, actorId: string, roundId: string, format: ExportFormat): Promise<ExportFile> {
  const dir = await mkdtemp(join(tmpdir(), 'export-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let hasherRef: Transform | undefined;
  let pipedRef: Promise<void> | undefined;
  try {
    const path = join(dir, `export.${format}`);
    const hash = createHash('sha256');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const file = createWriteStream(path);
    const piped = pipeline(hasher, file);
    hasherRef = hasher;
    pipedRef = piped;
    const meta = await writeExport(db, roundId, format, hasher);
    await piped;
    const { size } = await stat(path);
    const sha256 = hash.digest('hex');
    // The files carry personal data (full names, phones, national ids): who took one is kept.
    await recordAudit(db, { actorId, action: 'round.export', entity: 'round', entityId: roundId, after: { format, sha256, checksum: meta.checksum } });
    return { ...meta, path, sha256, size, contentType: CONTENT_TYPES[format], cleanup };
  } catch (err) {
    hasherRef?.destroy();
    await pipedRef?.catch(() => {});
    await cleanup();
    throw err;
  }
}

export function openExport(file: ExportFile) {
  const stream = createReadStream(file.path);
  // Once open, the file can go: the stream reads through its descriptor, and nothing is
  // left behind if the process stops before the client has read it all.
  stream.once('open', () => void file.cleanup());
  stream.once('close', () => void file.cleanup());
  return stream;
}
