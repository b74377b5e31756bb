import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../../web/src/lib/api';
import { CodeRequest, normalizeCode, sendErrorText, waitParts } from '../../web/src/lib/state/otp.svelte';

interface Call {
  url: string;
  body: unknown;
}

/** An API whose POST /auth/otp answers from a script, on a clock the test moves. */
function scripted(answers: { status: number; body?: unknown; retryAfter?: string }[]) {
  const calls: Call[] = [];
  let clock = 1_000_000;
  const api = createApi({
    baseUrl: '/api/v1',
    storage: null,
    sleep: async () => {},
    now: () => clock,
    fetch: async (input, init) => {
      calls.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      const a = answers.shift() ?? { status: 500 };
      const headers = new Headers(a.body === undefined ? {} : { 'content-type': 'application/json' });
      if (a.retryAfter) headers.set('retry-after', a.retryAfter);
      return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status, headers });
    },
  });
  return { api, calls, advance: (ms: number) => (clock += ms), now: () => clock };
}

const requests: CodeRequest[] = [];
afterEach(() => {
  for (const r of requests.splice(0)) r.dispose();
});

function codeRequest(s: ReturnType<typeof scripted>, purpose: 'reset' | 'register' = 'reset') {
  const r = new CodeRequest(purpose, s.api, s.now);
  requests.push(r);
  return r;
}

describe('asking for a one-time code', () => {
  it('sends the normalized phone and purpose, then waits a minute for that phone only', async () => {
    const s = scripted([{ status: 202 }]);
    const r = codeRequest(s, 'register');
    expect(r.waitSeconds('0912345678')).toBe(0);
    expect(await r.send('+84 912 345 678')).toBe('sent');
    expect(s.calls).toEqual([{ url: '/api/v1/auth/otp', body: { phone: '0912345678', purpose: 'register' } }]);
    expect(r.phone).toBe('0912345678');
    expect(r.waitSeconds('0912 345 678')).toBe(60);
    expect(r.waitSeconds('0987654321')).toBe(0);
    s.advance(30_500);
    r.tick();
    expect(r.waitSeconds('0912345678')).toBe(30);
    s.advance(30_000);
    r.tick();
    expect(r.waitSeconds('0912345678')).toBe(0);
  });

  it('waits as long as Retry-After says on 429 and does not repeat the request', async () => {
    const s = scripted([{ status: 429, body: { statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' }, retryAfter: '7200' }]);
    const r = codeRequest(s);
    expect(await r.send('0912345678')).toBe('limited');
    expect(s.calls).toHaveLength(1);
    expect(r.waitSeconds('0912345678')).toBe(7200);
    expect(sendErrorText(r.error)).toBe('Đã gửi quá nhiều mã cho số điện thoại này (tối đa 1 mã mỗi phút, 5 mã mỗi ngày). Vui lòng thử lại sau 2 giờ.');
  });

  it('tells apart a server that cannot send codes and a malformed phone, with no cooldown for either', async () => {
    const s = scripted([
      { status: 503, body: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'no provider' }, retryAfter: '3600' },
      { status: 400, body: { statusCode: 400, code: 'VALIDATION_FAILED', message: 'bad', details: [{ field: 'body.phone', message: 'bad' }] } },
    ]);
    const r = codeRequest(s);
    expect(await r.send('0912345678')).toBe('unavailable');
    expect(sendErrorText(r.error)).toMatch(/^Hiện không gửi được mã xác thực/);
    expect(r.waitSeconds('0912345678')).toBe(0);
    expect(await r.send('0912345678')).toBe('badPhone');
    expect(r.error).toBeInstanceOf(ApiError);
    // A phone the browser already knows is wrong never reaches the server.
    expect(await r.send('12345')).toBe('badPhone');
    expect(s.calls).toHaveLength(2);
  });
});

describe('code and wait helpers', () => {
  it('reads a code typed with spaces, dashes or full-width digits, and nothing but 6 digits', () => {
    expect(normalizeCode('123 456')).toBe('123456');
    expect(normalizeCode(' 123-456 ')).toBe('123456');
    expect(normalizeCode('１２３４５６')).toBe('123456');
    expect(normalizeCode('12345')).toBeNull();
    expect(normalizeCode('1234567')).toBeNull();
    expect(normalizeCode('12345a')).toBeNull();
  });

  it('words a wait in seconds, minutes or hours, rounded up', () => {
    expect(waitParts(0)).toEqual({ unit: 'seconds', n: 1 });
    expect(waitParts(59.2)).toEqual({ unit: 'seconds', n: 60 });
    expect(waitParts(600)).toEqual({ unit: 'minutes', n: 10 });
    expect(waitParts(86_399)).toEqual({ unit: 'hours', n: 24 });
  });
});
