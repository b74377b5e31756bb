// When the web app's build (web/build) is out of date, and how it is made: one home for
// `npm start` (scripts/ensure-build.mjs) and the browser tests (tests/e2e/support/web-build.ts).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['web/src', 'web/static', 'web/svelte.config.js', 'web/vite.config.ts'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when there is no build, or a source of the web app changed after it was made. */
export function webBuildIsStale(repoRoot) {
  const index = join(repoRoot, 'web/build/index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return Math.max(...SOURCES.map((p) => newestMtime(join(repoRoot, p)))) > built;
}

/**
 * `npm run build:web` as a production build whatever NODE_ENV the caller has: vitest sets
 * 'test', and under 'test' or 'development' Vite resolves the 'development' export conditions
 * (esm-env's DEV: SvelteKit's and Svelte's development checks and warnings).
 */
export function buildWeb(repoRoot, stdio = 'inherit') {
  // Through a shell, as `npm start` ran it before: npm is npm.cmd on Windows.
  execSync('npm run build:web', { cwd: repoRoot, stdio, env: { ...process.env, NODE_ENV: 'production' } });
}
