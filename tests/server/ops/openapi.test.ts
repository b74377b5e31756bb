// The OpenAPI document at /docs/json tells outside clients the truth: what API.md promises,
// what goes beyond it, the errors and headers each operation answers with, the content of
// files and uploads. Generated from the routes (plugins/docs.ts); these tests hold it there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../../server/src/app';
import { EXTENSION_MARK } from '../../../server/src/plugins/docs';
import { contractRoutes } from '../../../server/src/plugins/docs.contract';
import { makeTestApp, type TestContext } from '../../helpers/app';

interface Response {
  description: string;
  headers?: Record<string, { schema: { type?: string }; description?: string }>;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: { type?: string; properties?: Record<string, Record<string, unknown>>; required?: string[] } }>;
  };
  responses: Record<string, Response>;
  'x-extension'?: boolean;
}
interface Document {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

let t: TestContext;
let doc: Document;
let web: string;
beforeAll(async () => {
  // With the web build served, as in production: its catch-all route is there.
  web = mkdtempSync(join(tmpdir(), 'web-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
  t = await makeTestApp({ webRoot: web });
  doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as Document;
});
afterAll(async () => {
  await t.close();
  rmSync(web, { recursive: true, force: true });
});

/** Every operation of the document: [method, path, operation]. */
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [method.toUpperCase(), path, op] as const));

describe('the paths of the document', () => {
  it('leave out the web app’s catch-all page route (it still serves the pages)', async () => {
    expect(
      Object.keys(doc.paths)
        .filter((p) => !p.startsWith('/api/v1/'))
        .sort(),
    ).toEqual(['/healthz', '/metrics', '/readyz']);
    const page = await t.app.inject({ method: 'GET', url: '/some/page' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('document GET /metrics as API.md says: Prometheus text, 401 with a wrong token, 404 in production without a token', () => {
    const op = doc.paths['/metrics'].get;
    expect(Object.keys(op.responses['200'].content!)).toEqual(['text/plain']);
    expect(op.responses['200'].content!['text/plain'].schema.type).toBe('string');
    expect(op.responses['401'].content!['application/json']).toBeDefined();
    expect(op.responses['404'].content!['application/json']).toBeDefined();
    expect(op.description).toMatch(/401 UNAUTHORIZED/);
    expect(op.description).toMatch(/production without METRICS_TOKEN: 404/);
    // The metrics token, optional (a server without one serves /metrics openly outside production).
    expect(op.security).toEqual([{ metricsToken: [] }, {}]);
    expect(doc.components.securitySchemes.metricsToken).toBeDefined();
  });

  it('keep one operation per route', () => {
    const seen = operations().map(([m, p]) => `${m} ${p}`);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(60);
  });
});

describe('the contract and its extensions', () => {
  /** "GET /api/v1/contests/:contestId" as the document writes it. */
  const asDocumented = (route: string) => route.replace(/:(\w+)/g, '{$1}');

  it('says which API.md the document follows, and what an extension is', () => {
    expect(doc.info.version).toBe('1.1.0');
    expect(doc.info.description).toContain('v1.1');
    expect(doc.info.description).toContain('API.md');
    expect(doc.info.description).toContain('x-extension: true');
    expect(doc.info.description).toContain(EXTENSION_MARK);
  });

  it('has every route API.md lists, unmarked', () => {
    const contract = contractRoutes(API_PREFIX);
    expect(contract.length).toBe(47);
    for (const route of contract) {
      const [method, path] = asDocumented(route).split(' ');
      const op = doc.paths[path]?.[method.toLowerCase()];
      expect(op, route).toBeDefined();
      expect(op['x-extension'], route).toBeUndefined();
      expect(op.description ?? '', route).not.toContain(EXTENSION_MARK);
    }
  });

  it('marks every other operation as an extension, by a field and at the start of its description', () => {
    const contract = new Set(contractRoutes(API_PREFIX).map(asDocumented));
    const extensions = operations().filter(([m, p]) => !contract.has(`${m} ${p}`));
    expect(extensions.length).toBeGreaterThan(10);
    for (const [m, p, op] of extensions) {
      expect(op['x-extension'], `${m} ${p}`).toBe(true);
      expect(op.description?.startsWith(EXTENSION_MARK), `${m} ${p}`).toBe(true);
    }
    // A few that API.md does not name, for the reader.
    expect(extensions.map(([m, p]) => `${m} ${p}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/me/attempts/{attemptId}/review',
        'GET /api/v1/auth/challenge',
        'GET /api/v1/admin/rounds/{roundId}/questions',
        'GET /api/v1/judge/rounds/{roundId}/disqualifications',
      ]),
    );
  });
});

describe('tags', () => {
  it('lists every tag an operation uses, each with a description, and none unused', () => {
    const listed = (doc.tags ?? []).map((tag) => tag.name);
    for (const tag of doc.tags ?? []) expect(tag.description, tag.name).toBeTruthy();
    const used = new Set(operations().flatMap(([, , op]) => op.tags ?? []));
    for (const [m, p, op] of operations()) expect(op.tags?.length, `${m} ${p}`).toBeGreaterThan(0);
    expect([...used].sort()).toEqual([...listed].sort());
  });
});
