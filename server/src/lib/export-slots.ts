// The heavy files an API process makes take turns: a round's ranked prize list (CSV, XLSX, PDF)
// and an organizer's workbooks (exclusion list, question bank). Each takes seconds to a minute
// and its own memory, on the process that also answers residents' starts and submits: three
// 300,000-row XLSX exports at once took 1 GB and held /healthz for 3 s. Reading an uploaded
// workbook has its own slots (spreadsheet.isolated.ts).
import { unavailable } from './errors';
import { Semaphore } from './semaphore';

/** Two at a time per process, two more waiting (a wait sends no byte: it must stay short); past that 503. */
export const exportSlots = new Semaphore(2, 2);

/** Runs `make` in an export slot; 503 SERVICE_UNAVAILABLE with Retry-After when the slots and the queue are full. */
export async function withExportSlot<T>(make: () => Promise<T>): Promise<T> {
  const ran = await exportSlots.run(make);
  if (!ran) throw unavailable('Other exports are being made: ask for the file again in a minute', 30);
  return ran.value;
}
