// Compiles the server and its command-line tools into dist/ with esbuild: one ESM bundle of
// our own code per entry (shared code in chunks), node_modules left as they are (native
// argon2, PGlite's wasm, pdfkit's font data and the DejaVu fonts resolve from node_modules
// at run time). Type checking is `npm run check`'s job; this takes well under a second.
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { serverBuildOptions } from './build-options.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    server: 'server/src/server.ts',
    migrate: 'server/src/cli/db-migrate.ts',
    seed: 'server/src/cli/db-seed.ts',
    'user-create': 'server/src/cli/user-create.ts',
    // Loaded by lib/spreadsheet.isolated.ts as new Worker('./spreadsheet-worker.js') beside its chunk
    // (lib/worker-thread.ts).
    'spreadsheet-worker': 'server/src/lib/spreadsheet.worker.ts',
    // Loaded by lib/question-lint.isolated.ts as new Worker('./question-lint-worker.js').
    'question-lint-worker': 'server/src/lib/question-lint.worker.ts',
  },
  ...serverBuildOptions,
  outdir: 'dist',
  splitting: true,
});
console.log('Server compiled into dist/ (node dist/server.js).');
