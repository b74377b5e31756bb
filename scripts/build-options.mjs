// How the server's code is compiled for running (scripts/build-server.mjs for dist/, and
// `npm run bench` for the process it measures): one ESM bundle of our own code per entry,
// node_modules left as they are.
/** @type {import('esbuild').BuildOptions} */
export const serverBuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
