// Starts one of the server's worker threads. Compiled (dist/), each worker is an entry of its
// own beside the chunk that starts it (scripts/build-server.mjs names them); from source
// (tsx, vitest), the .ts file is loaded by a few lines that register tsx in the worker first.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * `entry` is the compiled file's name in dist/ ("spreadsheet-worker"), `source` the module's
 * file beside lib/ ("spreadsheet.worker.ts").
 */
export function startWorker(entry: string, source: string, options: WorkerOptions): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${entry}.js`, here), options);
  const href = new URL(`./${source}`, here).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(href)}); });`, {
    ...options,
    eval: true,
  });
}
