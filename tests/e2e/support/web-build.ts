import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb, webBuildIsStale } from '../../../scripts/web-build.mjs';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const webRoot = join(repoRoot, 'web/build');
const LOCK = join(tmpdir(), `ttt-web-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);

const isStale = () => webBuildIsStale(repoRoot);

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
    if (isStale()) buildWeb(repoRoot, ['ignore', 'ignore', 'inherit']);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error('npm run build:web did not produce web/build/index.html');
  return webRoot;
}
