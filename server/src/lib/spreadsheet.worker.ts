// Parses one vetted .xlsx on a worker thread (spreadsheet.isolated.ts starts it): exceljs builds the
// whole workbook in memory on the thread that calls it, and that must not be the event loop
// that answers starts and submits, nor a heap without a bound.
import { parentPort, workerData } from 'node:worker_threads';
import { SheetError, type ReadOptions } from './spreadsheet.base';
import { parseXlsx } from './spreadsheet.xlsx';

const { vetted, opts } = workerData as { vetted: Uint8Array; opts: ReadOptions };
try {
  const sheet = await parseXlsx(vetted, opts);
  parentPort!.postMessage({ sheet });
} catch (err) {
  parentPort!.postMessage(err instanceof SheetError ? { sheetError: [err.messageVi, err.messageEn, err.row] } : { failed: String(err) });
}
