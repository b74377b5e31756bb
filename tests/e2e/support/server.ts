import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { AppDeps } from '../../../server/src/app';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { ensureWebBuild } from './web-build';

export interface WebServer {
  url: string;
  ctx: TestContext;
  close(): Promise<void>;
}

/** The real app (API + static web build) on a cloned test database, listening on a free local port. */
export async function startWebServer(overrides: Partial<Omit<AppDeps, 'database'>> = {}): Promise<WebServer> {
  const webRoot = await ensureWebBuild();
  const ctx = await makeTestApp({ webRoot, ...overrides });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, ctx, close: () => ctx.close() };
}

/** The web server of a test file: started before its tests, closed after them. */
export function useWebServer(overrides: Partial<Omit<AppDeps, 'database'>> = {}): WebServer {
  const server = {} as WebServer;
  beforeAll(async () => {
    Object.assign(server, await startWebServer(overrides));
  }, 300_000);
  afterAll(() => server.close?.());
  return server;
}
