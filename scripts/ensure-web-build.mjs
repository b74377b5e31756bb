// Builds the web app once if there is no build yet, so `npm start` is one command on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../web/build/index.html', import.meta.url)) && existsSync(new URL('../web/vite.config.ts', import.meta.url))) {
  console.log('Building the web app (first start)...');
  execSync('npm run build', { stdio: 'inherit' });
}
