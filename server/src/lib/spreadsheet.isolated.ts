// An upload is read on a worker thread with a bounded heap, one at a time per process (a small
// CSV excepted: spreadsheet.ts reads it at once). exceljs takes seconds and hundreds of MB for a
// large workbook (a 100,000-row staff list: ~3 s and ~350 MB), inflating a zip under its cap up
// to a second, csv-parse seconds for a 10 MB file: all of it blocked whatever thread ran it. On
// the main thread a 3.5 MB upload that unpacks to 60 MB of cells held every start and submit
// for 8 s and took 1 GB.
import { unavailable } from './errors';
import { Semaphore } from './semaphore';
import { SheetError, startsWith, ZIP_MAGIC, type ReadOptions, type Sheet, type SheetRow } from './spreadsheet.base';
import { startWorker } from './worker-thread';

/** One file at a time per process, a few more waiting; past that the upload is asked to come back. */
const slots = new Semaphore(1, 4);
/** The worker's old generation (a 100,000-row staff list needs about 350 MB): a file that needs more is refused as too large. */
const HEAP_MB = 512;

const tooLarge = (buf: Uint8Array) =>
  startsWith(buf, ZIP_MAGIC)
    ? new SheetError('Tệp .xlsx quá lớn để đọc: hãy chia nhỏ hoặc lưu thành .csv', 'The .xlsx file is too large to read: split it or save it as .csv')
    : new SheetError('Tệp quá lớn để đọc: hãy chia nhỏ tệp', 'The file is too large to read: split it');

/**
 * The parse of the file's bytes threw something other than a SheetError: a workbook shaped in a
 * way exceljs or the reader did not expect. It is the file's, so a 400, not a 500 (a client
 * would send it again); the error goes with it as its cause, and the error handler logs it.
 */
const unreadable = (failed: string | undefined) =>
  new SheetError(
    'Không đọc được nội dung tệp: hãy mở tệp bằng Excel, lưu lại thành .xlsx hoặc .csv rồi gửi lại',
    "The file's content could not be read: open it in Excel, save it as .xlsx or .csv and send it again",
    undefined,
    new Error(failed ?? 'the spreadsheet worker failed'),
  );

type FromWorker = { rows: SheetRow[] } | { sheet: Omit<Sheet, 'rows'> } | { sheetError: [string, string, number | undefined] } | { failed: string };

function parseInWorker(buf: Uint8Array, opts: ReadOptions): Promise<Sheet> {
  return new Promise((resolve, reject) => {
    const w = startWorker('spreadsheet-worker', 'spreadsheet.worker.ts', { workerData: { buf, opts }, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    const rows: SheetRow[] = [];
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void w.terminate();
    };
    w.on('message', (m: FromWorker) => {
      if ('rows' in m) {
        for (const r of m.rows) rows.push(r);
        setImmediate(() => settled || w.postMessage('more'));
      } else if ('sheet' in m) settle(() => resolve({ ...m.sheet, rows }));
      else settle(() => reject('sheetError' in m ? new SheetError(...m.sheetError) : unreadable(m.failed)));
    });
    w.once('error', (err: Error & { code?: string }) => settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooLarge(buf) : err)));
    w.once('exit', (code) => settle(() => reject(new Error(`the spreadsheet worker stopped with code ${code}`))));
  });
}

/**
 * spreadsheet.parse.ts's parseSheet for an upload, off the event loop and under a heap bound:
 * a zip vetted (sizes under the cap) and its workbook parsed, or a CSV decoded and parsed.
 * 503 with Retry-After when other files fill the queue.
 */
export async function readSheetIsolated(buf: Buffer, opts: ReadOptions): Promise<Sheet> {
  const ran = await slots.run(() => parseInWorker(buf, opts));
  if (!ran) throw unavailable('Other spreadsheets are being read: send the file again in a minute', 30);
  return ran.value;
}
