// An export as a file on disk, hashed while written, so its SHA-256 can go out as a header
// before the body; removed once sent, when its request is aborted, or as the process exits
// (lib/export-files.ts, which also sweeps what a killed process left).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../../../db/client';
import { makeExportDir } from '../../lib/export-files';
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
export function exportToFile(db: Db, actorId: string, roundId: string, format: ExportFormat, signal?: AbortSignal): Promise<ExportFile> {
  // Sending the finished file is cheap; making it is what takes a slot.
  return withExportSlot(() => {
    // Aborted while it waited for the slot: nothing to make.
    signal?.throwIfAborted();
    return writeToFile(db, actorId, roundId, format, signal);
  });
}

async function writeToFile(db: Db, actorId: string, roundId: string, format: ExportFormat, signal?: AbortSignal): Promise<ExportFile> {
  const dir = await makeExportDir();
  const cleanup = dir.remove;
  let hasherRef: Transform | undefined;
  let pipedRef: Promise<void> | undefined;
  // The request went away: the file goes at once (the writer may be waiting on the database,
  // and writes on into the removed file until its next write fails), and the export stops.
  const onAbort = () => {
    hasherRef?.destroy(signal?.reason instanceof Error ? signal.reason : new Error('the export request was aborted'));
    void cleanup();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const path = join(dir.path, `export.${format}`);
    const hash = createHash('sha256');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const file = createWriteStream(path);
    const piped = pipeline(hasher, file);
    // Awaited below once the rows are written; until then a failure of the file (an abort
    // destroys the hasher while the writer waits on the database) must not go unhandled,
    // which would end the process.
    piped.catch(() => {});
    hasherRef = hasher;
    pipedRef = piped;
    const meta = await writeExport(db, roundId, format, hasher);
    await piped;
    signal?.throwIfAborted();
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
  } finally {
    signal?.removeEventListener('abort', onAbort);
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
