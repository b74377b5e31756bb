// The bank lint off the event loop: one worker thread per process, started at the first lint,
// given one task at a time and stopped after a minute without any. Indexing a bank takes
// 0.3–0.7 s of CPU for 5,000 questions (npm run bench:lint); on the API's thread that held
// every start and submit of the process while an organizer saved one question.
import type { Worker } from 'node:worker_threads';
import type { BankLintWarning, LintQuestion, LintWarning } from './question-lint';
import type { SheetQuestion } from './question-sheet';
import type { RowWarning } from './question-sheet.lint';
import { startWorker } from './worker-thread';

export type LintTask =
  | { op: 'bank'; bank: LintQuestion[] }
  | { op: 'one'; bank: LintQuestion[]; question: LintQuestion }
  | { op: 'rows'; bank: LintQuestion[]; rows: SheetQuestion[] };

/** The worker's heap: a bank of 5,000 questions and its index take ~40 MB, 20,000 ~140 MB (an import of 20,000 rows into a large bank more); a bound keeps a runaway from the process's. */
const HEAP_MB = 1024;
const IDLE_MS = 60_000;

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let idle: NodeJS.Timeout | null = null;

function failAll(err: Error) {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = startWorker('question-lint-worker', 'question-lint.worker.ts', { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
  // Never what keeps the process up: a stop need not wait for it.
  w.unref();
  w.on('message', (m: { id: number; result?: unknown; failed?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.failed !== undefined) p.reject(new Error(`the lint worker failed: ${m.failed}`));
    else p.resolve(m.result);
    if (pending.size === 0) stopWhenIdle(w);
  });
  // A worker that dies (out of memory, a crash) fails what it held; the next lint starts a new one.
  const gone = (err: Error) => {
    if (worker === w) worker = null;
    failAll(err);
  };
  w.on('error', gone);
  w.on('exit', (code) => gone(new Error(`the lint worker stopped with code ${code}`)));
  worker = w;
  return w;
}

function stopWhenIdle(w: Worker) {
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    idle = null;
    if (worker === w && pending.size === 0) {
      worker = null;
      void w.terminate();
    }
  }, IDLE_MS);
  idle.unref();
}

function run<T>(task: LintTask): Promise<T> {
  const w = theWorker();
  if (idle) {
    clearTimeout(idle);
    idle = null;
  }
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    w.postMessage({ id, task });
  });
}

/** Every warning of every question of `bank`, in bank order (BankLint.lintAll). */
export const lintBankIsolated = (bank: LintQuestion[]) => run<BankLintWarning[]>({ op: 'bank', bank });

/** `question` against `bank` (BankLint.lint). */
export const lintQuestionIsolated = (bank: LintQuestion[], question: LintQuestion) => run<LintWarning[]>({ op: 'one', bank, question });

/** The rows of an import file against the bank and each other (question-sheet's lintRows). */
export const lintRowsIsolated = (rows: SheetQuestion[], bank: LintQuestion[]) => run<RowWarning[]>({ op: 'rows', bank, rows });
