import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { users } from '../../../db/schema/index';
import { makeNationalId } from '../../../server/src/lib/identity';
import { TEST_JWT_SECRET, useTestApp } from '../../helpers/app';
import { bearer, makeContest, makeResident, makeStaff, PASSWORD, tokenFor } from '../../helpers/factories';
import { login, register } from '../../helpers/requests';

const t = useTestApp();

const validBody = (over: Record<string, unknown> = {}) => ({
  fullName: 'Nguyễn Thị Hoa',
  phone: '0912345678',
  password: 'mat-khau-dai',
  nationalId: makeNationalId(1995, 123456),
  birthYear: 1995,
  ...over,
});

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function forge(header: object, payload: object, key: string | null) {
  const head = `${b64(header)}.${b64(payload)}`;
  return key === null ? `${head}.` : `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

describe('POST /auth/register', () => {
  it('creates a resident, normalizes the phone and returns a token', async () => {
    const res = await register(t.app, validBody({ phone: '+84 912 345 678' }));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ phone: '0912345678', role: 'resident', fullName: 'Nguyễn Thị Hoa', birthYear: 1995 });
    expect(body.user).not.toHaveProperty('passwordHash');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(body.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(body.user.id);
  });

  it('treats 84..., +84... and 0... as one number (409 PHONE_TAKEN)', async () => {
    const res = await register(t.app, validBody({ phone: '84912345678', nationalId: makeNationalId(1995, 999) }));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'PHONE_TAKEN', error: 'Conflict' });
  });

  it('rejects a national id already registered (409 NATIONAL_ID_TAKEN)', async () => {
    const res = await register(t.app, validBody({ phone: '0987654321' }));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('NATIONAL_ID_TAKEN');
  });

  it('ignores a role or id in the body (mass assignment)', async () => {
    const res = await register(t.app, validBody({ phone: '0977000111', nationalId: makeNationalId(1995, 4242), role: 'admin', id: 'chosen-id' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().user.role).toBe('resident');
    expect(res.json().user.id).not.toBe('chosen-id');
  });

  it.each([
    ['a bad phone', { phone: '12345' }, 'phone'],
    ['a landline', { phone: '02373851234' }, 'phone'],
    ['a short national id', { nationalId: '0380950001' }, 'nationalId'],
    // What an exclusion list reads as a CCCD whose zeros a spreadsheet dropped stays wrong here.
    ['a national id missing its leading zero', { nationalId: makeNationalId(1995, 4243).slice(1) }, 'nationalId'],
    ['a Hà Nội national id missing two zeros', { nationalId: makeNationalId(1995, 4244, 1).slice(2) }, 'nationalId'],
    ['a national id with letters', { nationalId: '03809500012a' }, 'nationalId'],
    ['a national id of another birth year', { nationalId: makeNationalId(1980, 5) }, 'nationalId'],
    ['a short password', { password: 'short' }, 'password'],
    ['a birth year as a string', { birthYear: '1995' }, 'birthYear'],
    ['a future birth year', { birthYear: 2999 }, 'birthYear'],
    ['a missing name', { fullName: undefined }, 'fullName'],
    ['a blank name', { fullName: '   ' }, 'fullName'],
    ['a name of lone surrogates (stored as "��")', { fullName: '\ud800\ud800' }, 'fullName'],
    ['a name with half a surrogate pair', { fullName: 'Nguyễn \udc00Hoa' }, 'fullName'],
  ])('rejects %s with 400 naming the field', async (_name, over, field) => {
    const before = await t.database.db.select().from(users);
    const res = await register(t.app, validBody({ phone: '0966111222', nationalId: makeNationalId(1995, 777), ...over }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.json().details)).toContain(field);
    expect((await t.database.db.select().from(users)).length).toBe(before.length);
  });

  it('rejects an unknown locality', async () => {
    const res = await register(t.app, validBody({ phone: '0966111333', nationalId: makeNationalId(1995, 778), localityId: 'nope' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_LOCALITY');
  });

  it('rejects malformed JSON and wrong content types with 4xx', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"fullName":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_JSON');
    const arr = await register(t.app, [1, 2] as unknown as object);
    expect(arr.statusCode).toBe(400);
    const txt = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(txt.statusCode).toBe(415);
  });

  it('keeps Vietnamese names in NFC', async () => {
    const decomposed = 'Phạm Thị Hương'.normalize('NFD');
    const res = await register(t.app, validBody({ fullName: decomposed, phone: '0355123456', nationalId: makeNationalId(1995, 31337) }));
    expect(res.statusCode).toBe(201);
    expect(res.json().user.fullName).toBe('Phạm Thị Hương'.normalize('NFC'));
  });
});

describe('POST /auth/login', () => {
  it('logs in with any phone format and the right password', async () => {
    const u = await makeResident(t.database.db, { phone: '0933444555' });
    const res = await login(t.app, '+84933444555', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(u.id);
  });

  it('answers 401 INVALID_CREDENTIALS for a wrong password or unknown phone', async () => {
    await makeResident(t.database.db, { phone: '0933444556' });
    for (const payload of [
      { phone: '0933444556', password: 'wrong-password' },
      { phone: '0999999990', password: PASSWORD },
      { phone: 'not-a-phone', password: PASSWORD },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('throttles repeated logins for one phone with 429 and Retry-After', async () => {
    let last;
    for (let i = 0; i < 12; i++) last = await login(t.app, '0944000111', 'x-wrong-1');
    expect(last!.statusCode).toBe(429);
    expect(last!.json().code).toBe('RATE_LIMITED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('tokens', () => {
  it('answers 401 with no token, a malformed token, another key, alg none, or an expired token', async () => {
    const u = await makeResident(t.database.db);
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, string | undefined> = {
      none: undefined,
      malformed: 'Bearer not.a.jwt',
      notBearer: 'Basic abc',
      otherKey: `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { sub: u.id, role: 'admin', iat: now, exp: now + 600 }, 'another-secret-key-of-enough-length-xx')}`,
      algNone: `Bearer ${forge({ alg: 'none', typ: 'JWT' }, { sub: u.id, role: 'admin', iat: now, exp: now + 600 }, null)}`,
      expired: `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { sub: u.id, role: 'resident', iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET)}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, name).toBe(401);
      expect(res.json().statusCode, name).toBe(401);
    }
  });

  it('rejects a token whose role claim was changed by the client', async () => {
    const u = await makeResident(t.database.db);
    const [h, p, s] = tokenFor(t.app, u).split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${b64({ ...payload, role: 'admin' })}.${s}`;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/contests', headers: bearer(tampered), payload: { slug: 'x-y', title: 'Tampered' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /me/attempts', () => {
  it('lists nothing for a new resident and needs a token', async () => {
    const u = await makeResident(t.database.db);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: bearer(tokenFor(t.app, u)) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts' })).statusCode).toBe(401);
  });
});

describe('staff accounts', () => {
  it('keep their role in the token', async () => {
    const judge = await makeStaff(t.database.db, 'judge');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(tokenFor(t.app, judge)) });
    expect(me.json().role).toBe('judge');
    const [row] = await t.database.db.select().from(users).where(eq(users.id, judge.id));
    expect(row.nationalId).toBeNull();
    await makeContest(t.database.db);
  });
});
