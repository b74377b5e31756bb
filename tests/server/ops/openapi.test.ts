// The OpenAPI document at /docs/json tells outside clients the truth: what API.md promises,
// what goes beyond it, the errors and headers each operation answers with, the content of
// files and uploads. Generated from the routes (plugins/docs.ts); these tests hold it there.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../../server/src/app';
import { ERROR_CODES, type ErrorCode } from '../../../server/src/lib/error-codes';
import { EXTENSION_MARK } from '../../../server/src/plugins/docs';
import { contractRoutes } from '../../../server/src/plugins/docs.contract';
import { exportExclusions } from '../../../server/src/modules/exclusions/exclusions.service';
import { exportQuestions, questionTemplate } from '../../../server/src/modules/questions/questions.import';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { serverErrorCodes } from '../../helpers/error-codes';
import { bearer, makeContest, makeMemberStaff, makeQuestions, makeRound, makeStaff, tokenFor } from '../../helpers/factories';
import { call, uploadFile } from '../../helpers/requests';
import { makeClosedRound } from '../../helpers/results-factories';

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

describe('error codes', () => {
  const isCode = (c: string): c is ErrorCode => c in ERROR_CODES;
  /** The codes an error response lists in its description: "- `CODE`: meaning" lines. */
  const codesOf = (r: Response) => [...r.description.matchAll(/^- `([A-Z][A-Z0-9_]+)`:/gm)].map((m) => m[1]);
  /** The "Errors:" list at the end of an operation's description: status → codes. */
  const listed = (op: Operation) =>
    new Map([...(op.description ?? '').matchAll(/^- (\d{3}): ([A-Z0-9_, ]+)$/gm)].map((m) => [Number(m[1]), m[2].split(', ')] as const));

  it('lists every code the server’s sources answer with in the table of the document, with its status (and nothing it never sends)', () => {
    const thrown = serverErrorCodes();
    expect(thrown.size).toBeGreaterThan(50);
    for (const [code, statuses] of thrown) {
      expect(isCode(code), `${code} is missing from lib/error-codes.ts`).toBe(true);
      const status = ERROR_CODES[code as ErrorCode].status;
      for (const s of statuses) if (s !== null) expect(s, code).toBe(status);
      expect(doc.info.description, code).toContain(`| \`${code}\` | ${status} |`);
    }
    // The catalogue keeps no code that nothing sends any more.
    expect(Object.keys(ERROR_CODES).filter((c) => !thrown.has(c))).toEqual([]);
  });

  it('gives every error response the codes it can carry, each of that status, and the same list in the operation’s description', () => {
    for (const [m, p, op] of operations()) {
      const list = listed(op);
      const errorStatuses = Object.keys(op.responses)
        .map(Number)
        .filter((s) => s >= 400);
      expect([...list.keys()], `${m} ${p}`).toEqual(errorStatuses);
      for (const status of errorStatuses) {
        const codes = codesOf(op.responses[status]);
        expect(codes.length, `${m} ${p} ${status}`).toBeGreaterThan(0);
        for (const c of codes) expect(isCode(c) && ERROR_CODES[c].status, `${m} ${p} ${status} ${c}`).toBe(status);
        expect(list.get(status), `${m} ${p} ${status}`).toEqual(codes);
        // Still the error shape.
        expect(Object.keys(op.responses[status].content?.['application/json']?.schema.properties ?? {}), `${m} ${p} ${status}`).toEqual(
          expect.arrayContaining(p === '/readyz' ? ['status'] : ['statusCode', 'code', 'error', 'message']),
        );
      }
    }
  });

  it('names every code that is not one of any operation on some operation', () => {
    const used = new Set(operations().flatMap(([, , op]) => [...listed(op).values()].flat()));
    const general = Object.entries(ERROR_CODES)
      .filter(([, info]) => 'general' in info)
      .map(([c]) => c);
    expect(Object.keys(ERROR_CODES).filter((c) => !used.has(c) && !general.includes(c))).toEqual([]);
  });

  it('lists the codes the audit found missing where the server answers with them', () => {
    const codesAt = (method: string, path: string, status: number) => listed(doc.paths[`/api/v1${path}`][method])?.get(status) ?? [];
    expect(codesAt('post', '/auth/register', 409)).toEqual(['PHONE_TAKEN', 'NATIONAL_ID_TAKEN']);
    expect(codesAt('post', '/auth/register', 400)).toEqual(expect.arrayContaining(['OTP_REQUIRED', 'INVALID_LOCALITY']));
    expect(codesAt('post', '/admin/contests/{contestId}/questions', 400)).toContain('INVALID_QUESTION');
    expect(codesAt('patch', '/admin/rounds/{roundId}', 409)).toEqual(expect.arrayContaining(['ROUND_SEALED', 'POOL_TOO_SMALL']));
    expect(codesAt('put', '/admin/rounds/{roundId}/questions', 409)).toEqual(expect.arrayContaining(['QUESTION_PUBLISHED', 'POOL_TOO_SMALL']));
    expect(codesAt('post', '/admin/contests/{contestId}/questions/import', 400)).toContain('INVALID_FILE');
    expect(codesAt('get', '/admin/contests/{contestId}/members', 403)).toContain('FORBIDDEN');
    expect(codesAt('post', '/admin/contests', 409)).toEqual(['SLUG_TAKEN']);
    expect(codesAt('put', '/admin/contests/{contestId}/exclusions', 400)).toContain('INVALID_EXCLUSION');
    expect(codesAt('post', '/judge/rounds/{roundId}/finalize', 409)).toEqual(['ROUND_NOT_CLOSED']);
    expect(doc.paths['/api/v1/judge/rounds/{roundId}/finalize'].post.description).toMatch(/^Once the round is sealed/);
    for (const [method, path] of [
      ['post', '/judge/rounds/{roundId}/publish'],
      ['get', '/judge/rounds/{roundId}/export'],
    ])
      expect(codesAt(method, path, 409)).toEqual(['ROUND_NOT_FINALIZED', 'RESULTS_STALE']);
    expect(codesAt('get', '/judge/rounds/{roundId}/ranking', 409)).toEqual(['ROUND_NOT_FINALIZED']);
  });

  it('lists, on every operation behind a token, the token’s 401s and (but where API.md exempts it) 403 PASSWORD_CHANGE_REQUIRED, as they answer', async () => {
    const exempt = new Set(['GET /api/v1/me', 'POST /api/v1/auth/password', 'POST /api/v1/auth/logout-all']);
    const admin = await makeStaff(t.app.db, 'admin');
    const mustChange = tokenFor(t.app, { ...admin, passwordChangeRequired: true });
    let behind = 0;
    for (const [m, p, op] of operations()) {
      const tokenRoute = (op.security ?? []).some((s) => 'bearer' in s);
      const list = listed(op);
      expect(list.get(401)?.includes('TOKEN_REVOKED') ?? false, `${m} ${p}`).toBe(tokenRoute);
      if (!tokenRoute) continue;
      behind++;
      const url = p.replace(/\{\w+\}/g, 'x');
      const payload = m === 'GET' || m === 'DELETE' ? undefined : {};
      const anonymous = await t.app.inject({ method: m as 'GET', url, payload });
      expect([anonymous.statusCode, anonymous.json().code], `${m} ${p}`).toEqual([401, 'UNAUTHORIZED']);
      const key = `${m} ${p}`;
      expect(list.get(403)?.includes('PASSWORD_CHANGE_REQUIRED') ?? false, key).toBe(!exempt.has(key));
      // (It would revoke the token the loop goes on with.)
      if (key === 'POST /api/v1/auth/logout-all') continue;
      const res = await t.app.inject({ method: m as 'GET', url, payload, headers: bearer(mustChange) });
      if (exempt.has(key)) expect(res.statusCode, key).not.toBe(403);
      else expect([res.statusCode, res.json().code], key).toEqual([403, 'PASSWORD_CHANGE_REQUIRED']);
    }
    expect(behind).toBeGreaterThan(50);
  });
});

describe('files and uploads', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const sheetFiles = ['questions/export', 'questions/template', 'exclusions/export', 'exclusions/template'];
  const binary = { type: 'string', format: 'binary' };

  it('declares the organizer’s files as .xlsx or .csv bytes, sent as an attachment', () => {
    for (const file of sheetFiles) {
      const ok = doc.paths[`/api/v1/admin/contests/{contestId}/${file}`].get.responses['200'];
      expect(Object.keys(ok.content!).sort(), file).toEqual(['text/csv', XLSX].sort());
      for (const media of Object.values(ok.content!)) expect(media.schema, file).toEqual(binary);
      expect(ok.headers?.['content-disposition'], file).toBeDefined();
    }
  });

  it('declares the judge’s export as CSV, XLSX or PDF bytes with their SHA-256', () => {
    const ok = doc.paths['/api/v1/judge/rounds/{roundId}/export'].get.responses['200'];
    expect(Object.keys(ok.content!)).toEqual(['text/csv', XLSX, 'application/pdf']);
    for (const media of Object.values(ok.content!)) expect(media.schema).toEqual(binary);
    expect(Object.keys(ok.headers ?? {})).toEqual(expect.arrayContaining(['content-disposition', 'x-content-sha256', 'x-results-checksum']));
  });

  it('sends the files as before: the bytes the service made, their content type, and files that still open', async () => {
    const organizer = await makeMemberStaff(t.app.db, 'organizer');
    const judge = await makeMemberStaff(t.app.db, 'judge');
    const contest = await makeContest(t.app.db);
    await makeQuestions(t.app.db, contest.id, 3);
    const tokens = { organizer: tokenFor(t.app, organizer), judge: tokenFor(t.app, judge) };
    const get = (path: string, who: keyof typeof tokens) => call(t.app, 'GET', path, tokens[who]);

    const csv = await get(`/admin/contests/${contest.id}/questions/export?format=csv`, 'organizer');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename=".+\.csv"; filename\*=UTF-8''/);
    expect(csv.rawPayload.equals((await exportQuestions(t.app.db, contest.id, 'csv')).body)).toBe(true);
    const exclusions = await get(`/admin/contests/${contest.id}/exclusions/export?format=csv`, 'organizer');
    expect(exclusions.rawPayload.equals((await exportExclusions(t.app.db, contest.id, 'csv', false)).body)).toBe(true);
    const template = await get(`/admin/contests/${contest.id}/questions/template?format=csv`, 'organizer');
    expect(template.rawPayload.equals((await questionTemplate(t.app.db, contest.id, 'csv')).body)).toBe(true);

    for (const file of sheetFiles) {
      const xlsx = await get(`/admin/contests/${contest.id}/${file}?format=xlsx`, 'organizer');
      expect(xlsx.statusCode, file).toBe(200);
      expect(xlsx.headers['content-type'], file).toBe(XLSX);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      expect(book.worksheets.length, file).toBeGreaterThan(0);
    }
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await get(`/admin/contests/${contest.id}/questions/export?format=xlsx`, 'organizer')).rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets[0].rowCount).toBe(4);

    const { round } = await makeClosedRound(t.app.db, contest.id, { questionCount: 3 }, 3);
    expect((await call(t.app, 'POST', `/judge/rounds/${round.id}/finalize`, tokens.judge)).statusCode).toBe(200);
    const types = { csv: 'text/csv; charset=utf-8', xlsx: XLSX, pdf: 'application/pdf' };
    for (const [format, type] of Object.entries(types)) {
      const res = await get(`/judge/rounds/${round.id}/export?format=${format}`, 'judge');
      expect(res.statusCode, format).toBe(200);
      expect(res.headers['content-type'], format).toBe(type);
      expect(res.headers['x-content-sha256'], format).toBe(createHash('sha256').update(res.rawPayload).digest('hex'));
      expect(Number(res.headers['content-length']), format).toBe(res.rawPayload.length);
    }
    const pdf = await get(`/judge/rounds/${round.id}/export?format=pdf`, 'judge');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('declares the multipart body of every import: a binary field "file" (and the upload still works)', async () => {
    const imports = operations().filter(([m, p]) => m === 'POST' && p.endsWith('/import'));
    expect(imports.map(([, p]) => p).sort()).toEqual(
      ['questions', 'exclusions', 'localities', 'units'].map((k) => `/api/v1/admin/contests/{contestId}/${k}/import`).sort(),
    );
    for (const [, p, op] of imports) {
      expect(Object.keys(op.requestBody?.content ?? {}), p).toEqual(['multipart/form-data']);
      const form = op.requestBody!.content['multipart/form-data'].schema;
      expect(form.required, p).toEqual(['file']);
      expect(form.properties?.file, p).toMatchObject(binary);
    }
    const organizer = await makeMemberStaff(t.app.db, 'organizer');
    const contest = await makeContest(t.app.db);
    const file = Buffer.from('Câu hỏi,Phương án A,Phương án B,Phương án C,Đáp án đúng\nHai cộng hai?,3,4,5,B\n');
    const res = await uploadFile(t.app, `/admin/contests/${contest.id}/questions/import?dryRun=true`, tokenFor(t.app, organizer), file, 'a.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: true, valid: 1, created: 0, errors: [] });
  });

  it('gives an answer without a body no content: 204, 202, 304', () => {
    let empty = 0;
    for (const [m, p, op] of operations())
      for (const [status, r] of Object.entries(op.responses))
        if (['204', '202', '304'].includes(status)) {
          empty++;
          expect(r.content, `${m} ${p} ${status}`).toBeUndefined();
        }
    expect(empty).toBe(9);
  });
});

describe('response headers', () => {
  const headersOf = (r: Response) => Object.keys(r.headers ?? {});

  it('declares x-request-id on every answer', () => {
    for (const [m, p, op] of operations())
      for (const [status, r] of Object.entries(op.responses)) expect(headersOf(r), `${m} ${p} ${status}`).toContain('x-request-id');
  });

  it('declares Retry-After on every 429 and 503, and on a 409 that can be ROUND_NOT_CLOSED; nowhere else', () => {
    let n = 0;
    for (const [m, p, op] of operations())
      for (const [status, r] of Object.entries(op.responses)) {
        const waits = status === '429' || status === '503' || (status === '409' && r.description.includes('`ROUND_NOT_CLOSED`'));
        expect(headersOf(r).includes('retry-after'), `${m} ${p} ${status}`).toBe(waits);
        if (status === '409' && waits) n++;
      }
    // The answer key, the review, finalize and item analysis.
    expect(n).toBe(4);
  });

  it('declares the ETag and Cache-Control of the public answer key and winners, on 200 and 304, as they are sent', async () => {
    for (const path of ['/api/v1/rounds/{roundId}/answer-key', '/api/v1/rounds/{roundId}/winners'])
      for (const status of ['200', '304'])
        expect(headersOf(doc.paths[path].get.responses[status]), `${path} ${status}`).toEqual(expect.arrayContaining(['etag', 'cache-control']));

    const contest = await makeContest(t.app.db);
    const { round } = await makeClosedRound(t.app.db, contest.id, { questionCount: 2 }, 2);
    const key = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/answer-key` });
    expect(key.statusCode).toBe(200);
    expect(key.headers['cache-control']).toBe('public, max-age=5');
    const again = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/answer-key`, headers: { 'if-none-match': String(key.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.headers.etag).toBe(key.headers.etag);
    expect(again.headers['x-request-id']).toBeTruthy();

    const { round: open } = await makeRound(t.app.db, contest.id, { questionCount: 2 }, 2);
    const early = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${open.id}/answer-key`, headers: { 'x-request-id': 'trace-1' } });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('ROUND_NOT_CLOSED');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    expect(early.headers['x-request-id']).toBe('trace-1');
  });
});
