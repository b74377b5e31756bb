// Reads one upload on a worker thread (spreadsheet.isolated.ts starts it): exceljs builds the
// whole workbook in memory on the thread that calls it, inflating a zip under its cap takes up
// to a second, and csv-parse takes seconds for a large file. None of it may run on the event
// loop that answers starts and submits, nor in a heap without a bound.
import { parentPort, workerData } from 'node:worker_threads';
import { ROWS_PER_MESSAGE, SheetError, type ReadOptions } from './spreadsheet.base';
import { parseSheet } from './spreadsheet.parse';

const { buf, opts } = workerData as { buf: Uint8Array; opts: ReadOptions };
const port = parentPort!;
/** Resolves when the main thread asks for the next run of rows (spreadsheet.isolated.ts). */
const asked = () => new Promise<void>((resolve) => port.once('message', () => resolve()));
try {
  const { rows, ...sheet } = await parseSheet(buf, opts);
  for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) {
    const more = asked();
    port.postMessage({ rows: rows.slice(i, i + ROWS_PER_MESSAGE) });
    await more;
  }
  port.postMessage({ sheet });
} catch (err) {
  port.postMessage(err instanceof SheetError ? { sheetError: [err.messageVi, err.messageEn, err.row] } : { failed: withoutMessage(err) });
}

/** An error's type and stack frames for the log, not its message: a reader's message can quote a cell (a name, a CCCD). */
function withoutMessage(err: unknown): string {
  if (!(err instanceof Error)) return `a thrown ${typeof err}`;
  const frames = (err.stack ?? '').split('\n').filter((l) => l.startsWith('    at '));
  return [err.name, ...frames].join('\n');
}
