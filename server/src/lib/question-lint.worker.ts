// Runs the bank lint on a worker thread (question-lint.isolated.ts starts it and sends the
// tasks): indexing a bank of 5,000 questions takes 0.3–0.7 s of CPU, which on the event loop
// held every start and submit of the process for as long.
import { parentPort } from 'node:worker_threads';
import { BankLint } from './question-lint';
import { lintRows } from './question-sheet.lint';
import type { LintTask } from './question-lint.isolated';

parentPort!.on('message', ({ id, task }: { id: number; task: LintTask }) => {
  try {
    const result =
      task.op === 'bank' ? new BankLint(task.bank).lintAll() : task.op === 'one' ? new BankLint(task.bank).lint(task.question) : lintRows(task.rows, task.bank);
    parentPort!.postMessage({ id, result });
  } catch (err) {
    parentPort!.postMessage({ id, failed: String((err as Error)?.stack ?? err) });
  }
});
