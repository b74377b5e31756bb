// An .xlsx upload is read on a worker thread with a bounded heap, one at a time per process:
// exceljs takes seconds and hundreds of MB for a large workbook (a 100,000-row staff list:
// ~3 s and ~350 MB), all of it blocking whatever thread runs it. On the main thread a 3.5 MB
// upload that unpacks to 60 MB of cells held every start and submit for 8 s and took 1 GB.
import { unavailable } from './errors';
import { Semaphore } from './semaphore';
import { SheetError, type ReadOptions, type Sheet } from './spreadsheet.base';
import { vetXlsx } from './spreadsheet.xlsx';
import { startWorker } from './worker-thread';

/** One workbook at a time per process, a few more waiting; past that the upload is asked to come back. */
const slots = new Semaphore(1, 4);
/** The worker's old generation (a 100,000-row staff list needs about 350 MB): a file that needs more is refused as too large. */
const HEAP_MB = 512;

const tooLarge = () =>
  new SheetError('Tệp .xlsx quá lớn để đọc: hãy chia nhỏ hoặc lưu thành .csv', 'The .xlsx file is too large to read: split it or save it as .csv');

function parseInWorker(vetted: Uint8Array, opts: ReadOptions): Promise<Sheet> {
  return new Promise((resolve, reject) => {
    const w = startWorker('spreadsheet-worker', 'spreadsheet.worker.ts', { workerData: { vetted, opts }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void w.terminate();
    };
    w.once('message', (m: { sheet?: Sheet; sheetError?: [string, string, number | undefined]; failed?: string }) =>
      settle(() => (m.sheet ? resolve(m.sheet) : reject(m.sheetError ? new SheetError(...m.sheetError) : new Error(m.failed)))),
    );
    w.once('error', (err: Error & { code?: string }) => settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooLarge() : err)));
    w.once('exit', (code) => settle(() => reject(new Error(`the spreadsheet worker stopped with code ${code}`))));
  });
}

/**
 * readXlsx for an upload: the zip vetted here (sizes under the cap, fast: a zip bomb is
 * refused without a worker), the workbook parsed off the event loop and under a heap bound;
 * 503 with Retry-After when other workbooks fill the queue.
 */
export async function readXlsxIsolated(buf: Buffer, opts: ReadOptions): Promise<Sheet> {
  const vetted = vetXlsx(buf, opts);
  const ran = await slots.run(() => parseInWorker(vetted, opts));
  if (!ran) throw unavailable('Other spreadsheets are being read: send the file again in a minute', 30);
  return ran.value;
}
