// `npm start` on a fresh clone, or after a pull: compiles the server when dist/ is missing or
// older than its sources (esbuild: under a second), and builds the web app when web/build is
// missing or older than its sources (vite: some seconds; scripts/web-build.mjs).
import { fileURLToPath } from 'node:url';
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWeb, webBuildIsStale } from './web-build.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts') || e.name.endsWith('.sql') || e.name.endsWith('.json')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const built = existsSync('dist/server.js') ? statSync('dist/server.js').mtimeMs : 0;
if (existsSync('server/src') && (built === 0 || Math.max(newest('server/src'), newest('db')) > built)) {
  console.log(built ? 'Sources changed: compiling the server...' : 'Compiling the server (first start)...');
  execSync('npm run build:server', { stdio: 'inherit' });
}
if (existsSync('web/vite.config.ts') && webBuildIsStale(process.cwd())) {
  console.log(existsSync('web/build/index.html') ? 'Web sources changed: building the web app...' : 'Building the web app (first start)...');
  buildWeb(process.cwd());
}
