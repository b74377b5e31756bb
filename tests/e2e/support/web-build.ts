import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const webRoot = join(repoRoot, 'web/build');
const LOCK = join(tmpdir(), `ttt-web-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isStale(): boolean {
  const index = join(webRoot, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = ['web/src', 'web/static', 'web/svelte.config.js', 'web/vite.config.ts'].map((p) => newestMtime(join(repoRoot, p)));
  return Math.max(...sources) > built;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds the web app when there is no build or the sources are newer than it. Test files run
 * in parallel workers, so a lock directory (mkdir is atomic) lets one build while the others wait.
 */
export async function ensureWebBuild(): Promise<string> {
  if (!isStale()) return webRoot;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than 5 minutes belongs to a build that died.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() - started > 300_000) throw new Error('timed out waiting for another web build');
      await sleep(500);
    }
  }
  try {
    // NODE_ENV as `npm start` and the image build it: vitest sets 'test', under which Vite
    // resolves the 'development' export conditions and the tests would serve (and leave
    // behind for `npm start`) a development build.
    if (isStale())
      execFileSync('npm', ['run', 'build:web'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error('npm run build:web did not produce web/build/index.html');
  return webRoot;
}
