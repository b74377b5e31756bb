// What tests of long work on the API's thread count instead of time: turns of the event
// loop, and the rows exceljs's streaming writer is given.
import { createRequire } from 'node:module';

/** Counts turns of the event loop (one per setImmediate round) until stopped. */
export function turnCounter() {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    get turns() {
      return turns;
    },
    stop: () => void (running = false),
  };
}

/** Waits `n` turns of the event loop. */
export async function turns(n: number) {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** exceljs's streaming worksheet (stream.xlsx.WorkbookWriter): every row written through it goes through its addRow. */
type AddRow = (this: unknown, values: unknown) => unknown;
const WorksheetWriter = createRequire(import.meta.url)('exceljs/lib/stream/xlsx/worksheet-writer.js') as { prototype: { addRow: AddRow } };

/** Calls `seen` at each row a streaming exceljs worksheet is given, while `fn` runs. */
export async function watchingRows<T>(seen: () => void, fn: () => Promise<T>): Promise<T> {
  const addRow = WorksheetWriter.prototype.addRow;
  WorksheetWriter.prototype.addRow = function (this: unknown, values: unknown) {
    seen();
    return addRow.call(this, values);
  };
  try {
    return await fn();
  } finally {
    WorksheetWriter.prototype.addRow = addRow;
  }
}
