import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // `npm run dev:web` talks to the API started by `npm run dev` (port 3000).
  server: { proxy: { '/api': process.env.API_URL ?? 'http://127.0.0.1:3000' } },
  build: { target: 'es2020' },
  // The build-time renderer imports kit's own `cookie` (0.6); bundle it so the hoisted cookie@2
  // (fastify's) is not picked up instead.
  ssr: { noExternal: ['cookie'] },
});
