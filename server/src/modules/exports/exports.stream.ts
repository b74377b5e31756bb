// How the export writers hand bytes over without holding the event loop that answers starts
// and submits: rows in small runs, a turn for everything else after each run, and no run
// while the output is full (it waits for 'drain'). Exporting 300,000 rows as XLSX in runs of
// 5,000 held every request for up to 1.8 s; buffering ahead of a slow output took 1 GB.
import type { Writable } from 'node:stream';
import { nextTurn } from '../../lib/turns';

/** Resolves once `out` has room again; rejects if it fails or closes first. */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new Error('the export output was closed before the export ended'));
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (e: Error) => done(e);
    const onClose = () => done(new Error('the export output was closed before the export ended'));
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/**
 * `work` (a writer writing to `out`), or its failure as soon as `out` fails or is closed
 * before it has finished. exceljs's commit waits for its output's 'finish', which a
 * destroyed output never emits: an XLSX export whose output died (its request aborted, the
 * disk full) waited forever, holding its transaction, its connection and its export slot.
 * What the abandoned writer does afterwards fails on the ended transaction, unheard.
 */
export function unlessBroken<T>(out: Writable, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const broken = (err?: Error) => {
      settle();
      reject(err ?? new Error('the export output was closed before the export ended'));
    };
    const onError = (err: Error) => broken(err);
    const onClose = () => {
      if (!out.writableFinished) broken();
    };
    const settle = () => {
      out.off('error', onError);
      out.off('close', onClose);
    };
    out.once('error', onError);
    out.once('close', onClose);
    work.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
    if (out.destroyed && !out.writableFinished) broken(out.errored ?? undefined);
  });
}

/** Writes a chunk, then waits while the output is full. */
export async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await drained(out);
}

export function end(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/**
 * Between two runs of rows: waits while `out` is full (what is written ahead of it then
 * stays in memory), else lets the event loop take one turn (setImmediate: after the I/O
 * that is ready, such as requests and database answers).
 */
export async function breathe(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await drained(out);
  else await nextTurn();
}

/**
 * Rows per run, about 10 ms of one core each on a quiet machine: XLSX rows cost ~45 µs
 * (exceljs builds each row's XML), CSV ~5-10 µs, a PDF row 2-5 ms (its twelve cells are measured, then laid out).
 */
export const RUN_ROWS = { xlsx: 200, csv: 500, pdf: 2 } as const;
