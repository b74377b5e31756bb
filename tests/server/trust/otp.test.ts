import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpCodes, otpOutbox, users } from '../../../db/schema/index';
import { defaultLimits } from '../../../server/src/lib/limits';
import { HttpSender } from '../../../server/src/modules/otp/index';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { bearer, makePhone, makeResident, makeStaff, PASSWORD } from '../../helpers/factories';
import { login, register } from '../../helpers/requests';

/** A real SMS gateway stand-in: records every POST, and answers what the test says. */
interface Received {
  auth: string | undefined;
  body: { phone: string; message: string; purpose: string };
}
let gateway: Server;
let received: Received[] = [];
let gatewayStatus = 200;
let gatewayUrl: string;

let t: TestContext;
const db = () => t.database.db;
const unlimited = { ...defaultLimits, otpPerIp: { limit: 10_000, windowMs: 60_000 }, otpVerifyPerIp: { limit: 10_000, windowMs: 60_000 } };

beforeAll(async () => {
  gateway = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
      res.writeHead(gatewayStatus, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
  t = await makeTestApp({ limits: unlimited, otp: { sender: new HttpSender(gatewayUrl, 'gw-token', 2000), pollMs: 100, template: 'Mã xác thực: {code}' } });
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => gateway.close(r));
});

const askCode = (phone: string, purpose: 'reset' | 'register', app = t.app) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { phone, purpose } });
const reset = (phone: string, code: string, newPassword = 'mat-khau-moi-9') =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/password/reset', payload: { phone, code, newPassword } });

async function messageFor(phone: string, ms = 3000): Promise<Received> {
  const t0 = Date.now();
  for (;;) {
    const m = received.find((r) => r.body.phone === phone);
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`no message for ${phone}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const codeOf = (m: Received) => /(\d{6})/.exec(m.body.message)![1];
/** As if the minute between two codes had passed. */
const aMinuteLater = (phone: string) =>
  db()
    .update(otpCodes)
    .set({ createdAt: sql`${otpCodes.createdAt} - interval '61 seconds'` })
    .where(eq(otpCodes.phone, phone));

describe('POST /auth/otp and POST /auth/password/reset', () => {
  it('sends a code through the gateway after the 202, and the code resets the password and revokes older tokens', async () => {
    const r = await makeResident(db());
    const oldToken = (await login(t.app, r.phone, PASSWORD)).json().token as string;
    const res = await askCode(r.phone, 'reset');
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    const m = await messageFor(r.phone);
    expect(m.auth).toBe('Bearer gw-token');
    expect(m.body).toMatchObject({ phone: r.phone, purpose: 'reset' });
    expect(m.body.message).toMatch(/^Mã xác thực: \d{6}$/);

    expect((await reset(r.phone, codeOf(m))).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(oldToken) })).json().code).toBe('TOKEN_REVOKED');
    expect((await login(t.app, r.phone, PASSWORD)).statusCode).toBe(401);
    expect((await login(t.app, r.phone, 'mat-khau-moi-9')).statusCode).toBe(200);
    // Used once.
    expect((await reset(r.phone, codeOf(m), 'lan-nua-thoi-1')).json().code).toBe('OTP_INVALID');
  });

  it('keeps only an HMAC of the code, and empties the outbox message once sent', async () => {
    const r = await makeResident(db());
    await askCode(r.phone, 'reset');
    const code = codeOf(await messageFor(r.phone));
    await new Promise((res) => setTimeout(res, 100));
    const stored = JSON.stringify([
      await db().select().from(otpCodes).where(eq(otpCodes.phone, r.phone)),
      await db().select().from(otpOutbox).where(eq(otpOutbox.phone, r.phone)),
    ]);
    expect(stored).not.toContain(code);
    const [box] = await db().select().from(otpOutbox).where(eq(otpOutbox.phone, r.phone));
    expect(box.sentAt).not.toBeNull();
    expect(box.sealed).toBeNull();
  });

  it('sends no register code while registration does not ask for one (an SMS paid for nothing)', async () => {
    const phone = makePhone();
    const res = await askCode(phone, 'register');
    expect(res.statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 400));
    expect(received.some((m) => m.body.phone === phone)).toBe(false);
    expect(await db().select().from(otpOutbox).where(eq(otpOutbox.phone, phone))).toEqual([]);
    // It still counts against the phone's limits, as every request does.
    expect((await askCode(phone, 'register')).statusCode).toBe(429);
  });

  it("sends a staff or admin account no reset code: their recovery is the help desk's (a SIM swap must not open every contest)", async () => {
    for (const role of ['organizer', 'judge', 'admin'] as const) {
      const staff = await makeStaff(db(), role);
      const res = await askCode(staff.phone, 'reset');
      expect(res.statusCode).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
      expect(received.some((m) => m.body.phone === staff.phone)).toBe(false);
      expect((await reset(staff.phone, '123456')).json().code).toBe('OTP_INVALID');
      expect((await login(t.app, staff.phone)).statusCode).toBe(200);
    }
  });

  it('answers an unknown phone the same, and sends it nothing', async () => {
    const phone = makePhone();
    const res = await askCode(phone, 'reset');
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    await new Promise((r) => setTimeout(r, 400));
    expect(received.some((m) => m.body.phone === phone)).toBe(false);
    expect((await reset(phone, '123456')).json().code).toBe('OTP_INVALID');
    // The limits hold for it just the same.
    expect((await askCode(phone, 'reset')).statusCode).toBe(429);
  });

  it("counts a wrong code's try for a phone without an account as for a resident's: the same write, so no timing tells them apart", async () => {
    const resident = await makeResident(db());
    const unknown = makePhone();
    for (const phone of [resident.phone, unknown]) {
      expect((await askCode(phone, 'reset')).statusCode).toBe(202);
      expect((await reset(phone, '000000')).json().code).toBe('OTP_INVALID');
    }
    const tries = async (phone: string) => (await db().select({ tries: otpCodes.tries }).from(otpCodes).where(eq(otpCodes.phone, phone))).map((r) => r.tries);
    expect(await tries(resident.phone)).toEqual([1]);
    expect(await tries(unknown)).toEqual([1]);
  });

  it('allows one code a minute and five a day per phone (429 with Retry-After), whatever Redis holds', async () => {
    const r = await makeResident(db());
    expect((await askCode(r.phone, 'reset')).statusCode).toBe(202);
    const again = await askCode(r.phone, 'register');
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    // Another process without Redis reads the same counters from Postgres.
    const other = await makeTestApp({ database: t.database, withRedis: false, limits: unlimited, otp: { sender: new HttpSender(gatewayUrl, 'gw-token') } });
    try {
      expect((await askCode(r.phone, 'reset', other.app)).statusCode).toBe(429);
    } finally {
      await other.close();
    }
    for (let i = 0; i < 4; i++) {
      await aMinuteLater(r.phone);
      expect((await askCode(r.phone, 'reset')).statusCode).toBe(202);
    }
    await aMinuteLater(r.phone);
    const sixth = await askCode(r.phone, 'reset');
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(80_000);
  });

  it('burns a code after 5 wrong tries, refuses an expired one, and changes nothing on a refusal', async () => {
    const r = await makeResident(db());
    await askCode(r.phone, 'reset');
    const code = codeOf(await messageFor(r.phone));
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await reset(r.phone, wrong);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('OTP_INVALID');
    }
    expect((await reset(r.phone, code)).json().code).toBe('OTP_INVALID');
    const [u] = await db().select().from(users).where(eq(users.id, r.id));
    expect(u.tokenVersion).toBe(0);
    expect((await login(t.app, r.phone, PASSWORD)).statusCode).toBe(200);

    await aMinuteLater(r.phone);
    received = received.filter((m) => m.body.phone !== r.phone);
    await askCode(r.phone, 'reset');
    const fresh = codeOf(await messageFor(r.phone));
    await db()
      .update(otpCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(otpCodes.phone, r.phone));
    expect((await reset(r.phone, fresh)).json().code).toBe('OTP_INVALID');
    // A new password too short is refused before the code is even looked at.
    expect((await reset(r.phone, fresh, 'short')).json().code).toBe('VALIDATION_FAILED');
  });

  it('gives the code up when the gateway fails twice: the answer was still 202, and the code never works', async () => {
    const r = await makeResident(db());
    gatewayStatus = 500;
    try {
      expect((await askCode(r.phone, 'reset')).statusCode).toBe(202);
      const m = await messageFor(r.phone);
      const t0 = Date.now();
      for (;;) {
        const [box] = await db().select().from(otpOutbox).where(eq(otpOutbox.phone, r.phone));
        if (box.failedAt) {
          expect(box.attempts).toBe(2);
          expect(box.sealed).toBeNull();
          break;
        }
        if (Date.now() - t0 > 6000) throw new Error('the outbox did not give up');
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(received.filter((x) => x.body.phone === r.phone)).toHaveLength(2);
      expect((await reset(r.phone, codeOf(m))).json().code).toBe('OTP_INVALID');
    } finally {
      gatewayStatus = 200;
    }
  });

  it('has a per-address budget', async () => {
    const app = await makeTestApp({
      database: t.database,
      limits: { ...unlimited, otpPerIp: { limit: 2, windowMs: 60_000 } },
      otp: { sender: new HttpSender(gatewayUrl, 'gw-token') },
    });
    try {
      const ask = () =>
        app.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { phone: makePhone(), purpose: 'reset' }, remoteAddress: '10.7.7.7' });
      expect((await ask()).statusCode).toBe(202);
      expect((await ask()).statusCode).toBe(202);
      const third = await ask();
      expect(third.statusCode).toBe(429);
      expect(third.headers['retry-after']).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it("answers the contract's 202 but makes no code when no provider is configured", async () => {
    const app = await makeTestApp({ database: t.database });
    try {
      const r = await makeResident(db());
      const res = await app.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { phone: r.phone, purpose: 'reset' } });
      expect(res.statusCode).toBe(202);
      const rows = await db().select().from(otpCodes).where(eq(otpCodes.phone, r.phone));
      expect(rows.map((c) => c.codeHash)).toEqual([null]);
      expect(await db().select().from(otpOutbox).where(eq(otpOutbox.phone, r.phone))).toHaveLength(0);
      expect(
        (
          await app.app.inject({
            method: 'POST',
            url: '/api/v1/auth/password/reset',
            payload: { phone: r.phone, code: '123456', newPassword: 'mat-khau-moi-9' },
          })
        ).json().code,
      ).toBe('OTP_INVALID');
      expect((await app.app.inject({ method: 'GET', url: '/api/v1/auth/options' })).json()).toEqual({ registrationOtp: false, passwordReset: false });
    } finally {
      await app.close();
    }
  });
});

describe('REGISTRATION_OTP=on', () => {
  it('needs the code sent to the phone: 400 OTP_REQUIRED without, OTP_INVALID when wrong, 201 with it', async () => {
    const app = await makeTestApp({
      database: t.database,
      limits: unlimited,
      otp: { sender: new HttpSender(gatewayUrl, 'gw-token'), registration: true, pollMs: 100 },
    });
    try {
      const phone = makePhone();
      const body = { fullName: 'Phạm Thị Dung', phone, password: 'mat-khau-dung-1', nationalId: '038190000123', birthYear: 1990 };
      expect((await register(app.app, body)).json().code).toBe('OTP_REQUIRED');
      expect((await askCode(phone, 'register', app.app)).statusCode).toBe(202);
      const code = codeOf(await messageFor(phone));
      const wrong = code === '000000' ? '111111' : '000000';
      expect((await register(app.app, { ...body, otp: wrong })).json().code).toBe('OTP_INVALID');
      expect(await db().select().from(users).where(eq(users.phone, phone))).toHaveLength(0);
      const ok = await register(app.app, { ...body, otp: code });
      expect(ok.statusCode).toBe(201);

      // A phone that already has an account gets no register code (and the same 202).
      await aMinuteLater(phone);
      received = received.filter((m) => m.body.phone !== phone);
      expect((await askCode(phone, 'register', app.app)).statusCode).toBe(202);
      await new Promise((r) => setTimeout(r, 400));
      expect(received.some((m) => m.body.phone === phone)).toBe(false);
    } finally {
      await app.close();
    }
  });
});
