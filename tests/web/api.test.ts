import { describe, expect, it } from 'vitest';
import { ApiError, backoffMs, createApi, newRequestId, TOKEN_KEY } from '../../web/src/lib/api';
import { errorReference } from '../../web/src/lib/errors';
import { memoryStore } from './support';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch that answers from a script, one entry per call, and records what it was asked. */
function scripted(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

function setup(answers: (Response | Error)[], token?: string) {
  const { fetch, calls } = scripted(answers);
  const sleeps: number[] = [];
  const storage = memoryStore(token ? { [TOKEN_KEY]: token } : {});
  const api = createApi({ fetch, storage, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, now: () => 1_000_000 });
  return { api, calls, sleeps, storage };
}

const body503 = { statusCode: 503, code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable', message: 'down' };

describe('api wrapper', () => {
  it('sends the bearer token and JSON, and parses the JSON answer', async () => {
    const { api, calls } = setup([json(201, { ok: 1 })], 'tok-1');
    expect(await api.post('/things', { a: 'Đà Nẵng' })).toEqual({ ok: 1 });
    expect(calls[0].url).toBe('/api/v1/things');
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer tok-1');
    expect(headers['content-type']).toBe('application/json');
    expect(calls[0].init.body).toBe('{"a":"Đà Nẵng"}');
  });

  it('sends one stable x-device-id per browser, kept in storage', async () => {
    const { api, calls, storage } = setup([json(200, {}), json(200, {})]);
    await api.get('/me');
    await api.get('/me');
    const ids = calls.map((c) => (c.init.headers as Record<string, string>)['x-device-id']);
    expect(ids[0]).toMatch(/^[a-z0-9]{24}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(storage.getItem('ttt.device')).toBe(ids[0]);
  });

  it('builds query strings and leaves out empty values', async () => {
    const { api, calls } = setup([json(200, [])]);
    await api.get('/admin/contests/c1/questions', { query: { q: 'số hoá', topic: '', offset: 0, x: undefined } });
    expect(calls[0].url).toBe('/api/v1/admin/contests/c1/questions?q=s%E1%BB%91+ho%C3%A1&offset=0');
  });

  it('turns the error shape into an ApiError with code, fields and Retry-After', async () => {
    const { api } = setup([
      json(400, {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message: 'Invalid input',
        details: [{ field: 'body.phone', message: 'bad' }],
      }),
    ]);
    const err = (await api.post('/auth/register', {}).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fields).toEqual([{ field: 'phone', message: 'bad' }]);
  });

  it('retries a GET through 503 and network failures, waiting Retry-After when given', async () => {
    const { api, calls, sleeps } = setup([json(503, body503, { 'retry-after': '2' }), new TypeError('Failed to fetch'), json(200, { fine: true })]);
    expect(await api.get('/contests')).toEqual({ fine: true });
    expect(calls).toHaveLength(3);
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBe(backoffMs(1, undefined, () => 0.5));
  });

  it('gives up after the allowed retries with the last error', async () => {
    const { api, calls } = setup([json(503, body503), json(503, body503), json(503, body503)]);
    const err = (await api.get('/contests', { retries: 2 }).catch((e) => e)) as ApiError;
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(calls).toHaveLength(3);
  });

  it('never retries a plain POST (it might not be safe to repeat)', async () => {
    const { api, calls } = setup([new TypeError('Failed to fetch'), json(200, {})]);
    const err = (await api.post('/rounds/r1/attempts').catch((e) => e)) as ApiError;
    expect(err.isNetwork).toBe(true);
    expect(err.code).toBe('NETWORK_ERROR');
    expect(calls).toHaveLength(1);
  });

  it('retries a POST the caller marks idempotent (submit)', async () => {
    const { api, calls } = setup([
      new TypeError('Failed to fetch'),
      json(429, { statusCode: 429, code: 'RATE_LIMITED', error: 'Too Many Requests', message: 'slow' }, { 'retry-after': '1' }),
      json(200, { attemptId: 'a1', status: 'submitted' }),
    ]);
    expect(await api.post('/attempts/a1/submit', { answers: [], prediction: 0 }, { idempotent: true })).toMatchObject({ attemptId: 'a1' });
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.init.body === '{"answers":[],"prediction":0}')).toBe(true);
  });

  it('does not retry client errors', async () => {
    const { api, calls } = setup([json(409, { statusCode: 409, code: 'DEADLINE_PASSED', error: 'Conflict', message: 'late' }), json(200, {})]);
    const err = (await api.post('/attempts/a1/submit', {}, { idempotent: true }).catch((e) => e)) as ApiError;
    expect(err.code).toBe('DEADLINE_PASSED');
    expect(calls).toHaveLength(1);
  });

  it('reports a 401 on a request that carried a token (expired session)', async () => {
    const { api } = setup([json(401, { statusCode: 401, code: 'UNAUTHORIZED', error: 'Unauthorized', message: 'expired' })], 'old');
    let called = 0;
    api.onUnauthorized(() => called++);
    await api.get('/me').catch(() => {});
    expect(called).toBe(1);
  });

  it('tells the session why a token was refused (TOKEN_REVOKED), and not for a login without one', async () => {
    const revoked = { statusCode: 401, code: 'TOKEN_REVOKED', error: 'Unauthorized', message: 'revoked' };
    const withToken = setup([json(401, revoked)], 'old');
    const codes: string[] = [];
    withToken.api.onUnauthorized((code) => codes.push(code));
    const err = (await withToken.api.get('/me').catch((e) => e)) as ApiError;
    expect(err.code).toBe('TOKEN_REVOKED');
    expect(codes).toEqual(['TOKEN_REVOKED']);

    const disabled = { statusCode: 401, code: 'ACCOUNT_DISABLED', error: 'Unauthorized', message: 'locked' };
    const anonymous = setup([json(401, disabled)]);
    anonymous.api.onUnauthorized((code) => codes.push(code));
    expect(((await anonymous.api.post('/auth/login', {}).catch((e) => e)) as ApiError).code).toBe('ACCOUNT_DISABLED');
    expect(codes).toEqual(['TOKEN_REVOKED']);
  });

  it('ignores a 401 to a call made with a token replaced since (a re-login after a password change)', async () => {
    const revoked = { statusCode: 401, code: 'TOKEN_REVOKED', error: 'Unauthorized', message: 'revoked' };
    const { api } = setup([json(401, revoked)], 'old');
    let called = 0;
    api.onUnauthorized(() => called++);
    const late = api.get('/admin/stats');
    api.setToken('new');
    await late.catch(() => {});
    expect(called).toBe(0);
  });

  it('reports PASSWORD_CHANGE_REQUIRED, and only that 403', async () => {
    const must = { statusCode: 403, code: 'PASSWORD_CHANGE_REQUIRED', error: 'Forbidden', message: 'change it' };
    const other = { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: 'no' };
    const { api } = setup([json(403, other), json(403, must)], 'tok');
    let called = 0;
    api.onPasswordChangeRequired(() => called++);
    await api.get('/admin/contests').catch(() => {});
    expect(called).toBe(0);
    await api.get('/me/attempts').catch(() => {});
    expect(called).toBe(1);
  });

  it('keeps the token in storage', () => {
    const { api, storage } = setup([]);
    api.setToken('abc');
    expect(storage.data.get(TOKEN_KEY)).toBe('abc');
    expect(api.token).toBe('abc');
    api.setToken(null);
    expect(storage.data.has(TOKEN_KEY)).toBe(false);
  });

  it('follows the server clock from the Date header', async () => {
    const serverTime = Date.UTC(2026, 10, 22, 3, 0, 0);
    const { api } = setup([json(200, {}, { date: new Date(serverTime).toUTCString() })]);
    await api.get('/contests');
    // now() is fixed at 1_000_000; the estimate centres the one-second header resolution.
    expect(api.serverNow()).toBe(serverTime + 500);
  });

  it('never puts the server clock before a moment the server stamped', async () => {
    const { api } = setup([json(200, {}, { date: new Date(1_000_000).toUTCString() })]);
    await api.get('/contests');
    const before = api.serverNow();
    api.serverTimeAtLeast(before + 700);
    expect(api.serverNow()).toBe(before + 700);
    api.serverTimeAtLeast(before);
    expect(api.serverNow()).toBe(before + 700);
  });

  it('backs off exponentially with a cap and honours Retry-After', () => {
    expect(backoffMs(0, undefined, () => 0)).toBe(250);
    expect(backoffMs(3, undefined, () => 1)).toBe(4000);
    expect(backoffMs(20, undefined, () => 1)).toBe(10_000);
    expect(backoffMs(5, 3)).toBe(3000);
  });
});

describe('request ids', () => {
  it('sends an x-request-id with every call and keeps the one the server echoes on the error', async () => {
    const { api, calls } = setup([
      json(409, { statusCode: 409, code: 'ROUND_NOT_OPEN', error: 'Conflict', message: 'closed' }, { 'x-request-id': 'srv-echo-1' }),
    ]);
    const err = (await api.post('/rounds/r1/attempts').catch((e) => e)) as ApiError;
    const sent = (calls[0].init.headers as Record<string, string>)['x-request-id'];
    expect(sent).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.requestId).toBe('srv-echo-1');
    expect(errorReference(err)).toBe('srv-echo-1');
  });

  it('falls back to the id it sent, a fresh one per try, and gives no reference for a request that never arrived', async () => {
    const { api, calls } = setup([json(503, body503), new TypeError('fetch failed')]);
    const err = (await api.get('/contests', { retries: 1 }).catch((e) => e)) as ApiError;
    const ids = calls.map((c) => (c.init.headers as Record<string, string>)['x-request-id']);
    expect(new Set(ids).size).toBe(2);
    expect(err.isNetwork).toBe(true);
    expect(err.requestId).toBe(ids[1]);
    expect(errorReference(err)).toBeNull();
    const noEcho = setup([json(400, { statusCode: 400, code: 'VALIDATION_FAILED', error: 'Bad Request', message: 'x' })]);
    const e2 = (await noEcho.api.post('/things', {}).catch((e) => e)) as ApiError;
    expect(e2.requestId).toBe((noEcho.calls[0].init.headers as Record<string, string>)['x-request-id']);
  });

  it('makes ids without crypto.randomUUID (plain http on a LAN is not a secure context)', () => {
    const saved = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true });
    try {
      expect(newRequestId(() => 0.5)).toBe('8'.repeat(32));
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: saved, configurable: true });
    }
  });
});
