import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webBuildIsStale } from '../../scripts/web-build.mjs';

// `npm start` (scripts/ensure-build.mjs) and the browser tests rebuild the web app by this rule.
describe('webBuildIsStale', () => {
  const root = mkdtempSync(join(tmpdir(), 'ttt-web-build-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  /** Writes a file with the given mtime; the folders keep an old one (a new folder's is now). */
  const at = (path: string, seconds: number) => {
    const p = join(root, path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, path);
    utimesSync(p, seconds, seconds);
    for (let dir = join(p, '..'); dir.startsWith(root) && dir !== root; dir = join(dir, '..')) utimesSync(dir, 1, 1);
  };

  it('is stale with no build, fresh after one, and stale again when any source changes', () => {
    at('web/src/routes/+page.svelte', 1_000);
    at('web/static/favicon.svg', 1_000);
    at('web/svelte.config.js', 1_000);
    expect(webBuildIsStale(root)).toBe(true);
    at('web/build/index.html', 2_000);
    expect(webBuildIsStale(root)).toBe(false);
    at('web/src/lib/deep/down/thing.ts', 3_000);
    expect(webBuildIsStale(root)).toBe(true);
    at('web/build/index.html', 4_000);
    expect(webBuildIsStale(root)).toBe(false);
    at('web/static/favicon.svg', 5_000);
    expect(webBuildIsStale(root)).toBe(true);
    at('web/build/index.html', 6_000);
    at('web/vite.config.ts', 7_000);
    expect(webBuildIsStale(root)).toBe(true);
  });
});
