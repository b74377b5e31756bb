import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../../server/src/lib/limits';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { bearer, makeContest, makeResident, makeRound, makeStaff, tokenFor, makeMemberStaff } from '../../helpers/factories';

// Property-based fuzzing of every route the OpenAPI document lists: whatever the body,
// params, query and token, the answer is never a 5xx, and a rejected request changes
// nothing in the database.

let t: TestContext;
let tokens: (string | undefined)[];
let knownIds: string[];
let routes: { method: string; path: string; bodyKeys: string[] }[];

const unlimited = Object.fromEntries(Object.entries(defaultLimits).map(([k, v]) => [k, { ...v, limit: 1_000_000_000 }])) as unknown as Limits;

async function fingerprint(): Promise<string> {
  const tables = await t.database.rows<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`);
  const parts: string[] = [];
  for (const { tablename } of tables) {
    const [r] = await t.database.rows<{ h: string | null }>(
      sql.raw(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${tablename}" x`),
    );
    parts.push(`${tablename}:${r.h}`);
  }
  return parts.join(',');
}

/** A fingerprint as if `table` were not there (its part dropped; no second read). */
const withoutTable = (fp: string, table: string) =>
  fp
    .split(',')
    .filter((part) => !part.startsWith(`${table}:`))
    .join(',');

beforeAll(async () => {
  t = await makeTestApp({ limits: unlimited });
  const db = t.database.db;
  const contest = await makeContest(db);
  const { round, pool } = await makeRound(db, contest.id, { questionCount: 3 }, 4);
  const resident = await makeResident(db);
  tokens = [
    undefined,
    tokenFor(t.app, resident),
    tokenFor(t.app, await makeMemberStaff(db, 'organizer')),
    tokenFor(t.app, await makeMemberStaff(db, 'judge')),
    tokenFor(t.app, await makeStaff(db, 'admin')),
    'garbage.token.value',
  ];
  knownIds = [contest.id, contest.slug, round.id, pool[0].id, resident.id];
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
  };
  routes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      routes.push({ method: method.toUpperCase(), path, bodyKeys: Object.keys(schema?.properties ?? {}) });
    }
  }
});
afterAll(() => t.close());

const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../..',
    '%00',
    'a\u0000b',
    '\u0000',
    'x\u001by',
    'a'.repeat(5000),
    "' or 1=1 --",
    '${x}',
    '__proto__',
    'constructor',
    'null',
    '-1',
    '1e309',
    'ạ'.normalize('NFD'),
    '0912345678',
    '038090000001',
  ),
);

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  weirdString,
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

function bodyFor(keys: string[]) {
  const record = keys.length ? fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }) : fc.constant({});
  return fc.oneof(record, fc.jsonValue({ maxDepth: 4 }), fc.constant(undefined));
}

describe('every route under fuzzing', () => {
  it('lists the API routes it fuzzes', () => {
    expect(routes.length).toBeGreaterThan(10);
  });

  it('lets a failed login change its failure count and nothing else (the one rejection that leaves a trace)', async () => {
    const before = await fingerprint();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone: '0912345678', password: 'sai mật khẩu' } });
    expect(res.statusCode).toBe(401);
    const after = await fingerprint();
    expect(withoutTable(after, 'login_failures')).toBe(withoutTable(before, 'login_failures'));
    expect(after).not.toBe(before);
  });

  it('never answers 5xx and changes nothing when it rejects', async () => {
    for (const route of routes) {
      const params = route.path.match(/\{(\w+)\}/g) ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.constantFrom(...knownIds), weirdString), { minLength: params.length, maxLength: params.length }),
          fc.dictionary(fc.constantFrom('format', 'dryRun', 'offset', 'limit', 'topic', 'q', 'x'), weirdString, { maxKeys: 3 }),
          bodyFor(route.bodyKeys),
          fc.constantFrom(...tokens),
          async (paramValues, query, body, token) => {
            let url = route.path;
            params.forEach((p, i) => (url = url.replace(p, encodeURIComponent(paramValues[i] || 'x'))));
            const qs = new URLSearchParams(query).toString();
            const before = await fingerprint();
            // A failed login is the one rejection meant to leave a trace: a 401 counts against
            // the phone (API.md: failed logins count per phone, then 429), whenever the fuzz
            // sends a well-formed phone and password (weirdString holds a phone number).
            const login = route.method === 'POST' && route.path === '/api/v1/auth/login';
            const res = await t.app.inject({
              method: route.method as 'GET',
              url: `/api/v1${url.slice('/api/v1'.length)}${qs ? `?${qs}` : ''}`,
              headers: token ? bearer(token) : {},
              ...(body === undefined || route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: body as object }),
            });
            expect(res.statusCode, `${route.method} ${url} -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
            if (res.statusCode >= 400) {
              expect(res.json(), `${route.method} ${url}`).toMatchObject({ statusCode: res.statusCode, code: expect.stringMatching(/^[A-Z0-9_]+$/) });
              if (login && res.statusCode === 401)
                expect(
                  withoutTable(await fingerprint(), 'login_failures'),
                  `${route.method} ${url} changed more than its failure count while answering 401`,
                ).toBe(withoutTable(before, 'login_failures'));
              else expect(await fingerprint(), `${route.method} ${url} changed the database while answering ${res.statusCode}`).toBe(before);
            }
          },
        ),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 25) },
      );
    }
  }, 300_000);
});
