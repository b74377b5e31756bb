import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { ensureWebBuild } from './support/web-build';

// The static build as the Fastify process serves it: one port for the app and the API.
let t: TestContext;
let entry = '';

beforeAll(async () => {
  const webRoot = await ensureWebBuild();
  t = await makeTestApp({ webRoot });
  const index = await t.app.inject({ url: '/' });
  entry = /\/_app\/immutable\/entry\/start\.[^"]+\.js/.exec(index.body)?.[0] ?? '';
}, 300_000);
afterAll(() => t?.close());

describe('web app serving', () => {
  it('answers / with the app shell, never cached, with a CSP for its inline bootstrap', async () => {
    const res = await t.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toMatch(/http-equiv="content-security-policy" content="[^"]*script-src 'self' 'sha256-/);
  });

  it('serves deep links (client routes) with the same shell', async () => {
    const res = await t.app.inject({ url: '/c/some-contest/play/some-round?x=1' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('/_app/immutable/entry/start.');
  });

  it('caches hashed assets for a year and sends the brotli copy to browsers that take it', async () => {
    expect(entry).not.toBe('');
    const plain = await t.app.inject({ url: entry });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await t.app.inject({ url: entry, headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
  });

  it('serves the service worker uncached, so a new build replaces it', async () => {
    const res = await t.app.inject({ url: '/service-worker.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('leaves unknown API paths as JSON 404s', async () => {
    const res = await t.app.inject({ url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROUTE_NOT_FOUND');
  });
});
