import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loginFailures } from '../../../db/schema/index';
import { defaultLimits } from '../../../server/src/lib/limits';
import { HASH_CONCURRENCY, HASH_QUEUE, hashPassword } from '../../../server/src/lib/passwords';
import { useTestApp, makeTestApp } from '../../helpers/app';
import { makePhone, makeResident, PASSWORD } from '../../helpers/factories';
import { login } from '../../helpers/requests';

const t = useTestApp({ limits: { ...defaultLimits, loginFailuresPerIp: { limit: 1_000, windowMs: 60_000 } } });
const db = () => t.database.db;

/** Where the logins come from unless a test says otherwise. */
const HOME = { remoteAddress: '10.1.0.1' };

/** As if the current wait had run out. */
const waitOver = (phone: string) =>
  db()
    .update(loginFailures)
    .set({ blockedUntil: new Date(Date.now() - 1000) })
    .where(eq(loginFailures.phone, phone));

describe('failed logins per phone', () => {
  it('after 5 failures, waits that double per further failure; a success resets the count', async () => {
    const r = await makeResident(db());
    for (let i = 0; i < 5; i++) expect((await login(t.app, r.phone, 'sai-mat-khau', HOME)).statusCode).toBe(401);
    const blocked = await login(t.app, r.phone, PASSWORD, HOME);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('RATE_LIMITED');
    const first = Number(blocked.headers['retry-after']);
    expect(first).toBeGreaterThanOrEqual(29);
    expect(first).toBeLessThanOrEqual(30);

    await waitOver(r.phone);
    expect((await login(t.app, r.phone, 'sai-mat-khau', HOME)).statusCode).toBe(401);
    expect(Number((await login(t.app, r.phone, PASSWORD, HOME)).headers['retry-after'])).toBeGreaterThanOrEqual(59);
    await waitOver(r.phone);
    expect((await login(t.app, r.phone, 'sai-mat-khau', HOME)).statusCode).toBe(401);
    expect(Number((await login(t.app, r.phone, PASSWORD, HOME)).headers['retry-after'])).toBeGreaterThanOrEqual(119);

    await waitOver(r.phone);
    expect((await login(t.app, r.phone, PASSWORD, HOME)).statusCode).toBe(200);
    expect(await db().select().from(loginFailures).where(eq(loginFailures.phone, r.phone))).toHaveLength(0);
    // A fresh start: four failures do not block.
    for (let i = 0; i < 4; i++) await login(t.app, r.phone, 'sai-mat-khau', HOME);
    expect((await login(t.app, r.phone, PASSWORD, HOME)).statusCode).toBe(200);
  });

  it('never waits more than 15 minutes', async () => {
    const phone = makePhone();
    await db()
      .insert(loginFailures)
      .values({ phone, failures: 40, blockedUntil: new Date(Date.now() - 1000) });
    await login(t.app, phone, 'x-wrong', HOME);
    expect(Number((await login(t.app, phone, 'x-wrong', HOME)).headers['retry-after'])).toBe(900);
  });

  it('counts a burst of guesses sent at once as the same guesses one after the other: 5 checked, the rest 429', async () => {
    // Every login read the count before any failure was written: all of them were checked.
    for (let i = 0; i < 5; i++) {
      const r = await makeResident(db());
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, k) => login(t.app, r.phone, `sai-mat-khau-${k}`, { remoteAddress: `10.7.${i}.${k + 1}` })),
      );
      const codes = answers.map((a) => a.json().code as string).sort();
      expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), ...Array(15).fill('RATE_LIMITED')]);
      expect(answers.filter((a) => a.statusCode === 429).every((a) => Number(a.headers['retry-after']) >= 29)).toBe(true);
      const [row] = await db().select().from(loginFailures).where(eq(loginFailures.phone, r.phone));
      expect(row.failures).toBe(5);
      // The wait over, the resident gets in, and the count is gone.
      await waitOver(r.phone);
      expect((await login(t.app, r.phone, PASSWORD, HOME)).statusCode).toBe(200);
      expect(await db().select().from(loginFailures).where(eq(loginFailures.phone, r.phone))).toHaveLength(0);
    }
  });

  it('treats a phone with no account the same way (nothing tells them apart)', async () => {
    const phone = makePhone();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await login(t.app, phone, 'doan-mo', HOME));
    expect(answers.slice(0, 5).map((a) => a.json().code)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(answers[5].statusCode).toBe(429);
  });
});

describe('failed logins per address, and the hashing cap', () => {
  it('stops an address that fails too often, even for a right password', async () => {
    const app = await makeTestApp({ database: t.database, limits: { ...defaultLimits, loginFailuresPerIp: { limit: 3, windowMs: 60_000 } } });
    try {
      const r = await makeResident(db());
      for (let i = 0; i < 3; i++) expect((await login(app.app, makePhone(), 'phun-mat-khau', { remoteAddress: '10.9.9.9' })).statusCode).toBe(401);
      const res = await login(app.app, r.phone, PASSWORD, { remoteAddress: '10.9.9.9' });
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await login(app.app, r.phone, PASSWORD, { remoteAddress: '10.9.9.10' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers a flood of password checks past the cap with 429 and Retry-After, and the rest normally', async () => {
    const n = HASH_CONCURRENCY + HASH_QUEUE + 40;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => login(t.app, makePhone(), 'lu-lut', { remoteAddress: `10.8.${Math.floor(i / 200)}.${i % 200}` })),
    );
    const codes = answers.map((a) => a.statusCode);
    // Some checks finish while the flood still arrives, so not every one past the cap is refused; many are.
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(10);
    expect(codes.filter((c) => c === 401).length).toBeGreaterThanOrEqual(HASH_CONCURRENCY);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    expect(answers.filter((a) => a.statusCode === 429).every((a) => a.headers['retry-after'] === '1')).toBe(true);
    // Once the flood is over, a real resident gets in.
    const r = await makeResident(db());
    expect((await login(t.app, r.phone, PASSWORD, HOME)).statusCode).toBe(200);
  });

  it('does not count, against a phone, its logins refused by the hashing cap (no password checked)', async () => {
    const r = await makeResident(db());
    // Every hashing slot and queue place taken (the same process): the resident's guesses find the cap full.
    const busy = Array.from({ length: HASH_CONCURRENCY + HASH_QUEUE }, () => hashPassword('chiem-cho'));
    const answers = await Promise.all(Array.from({ length: 4 }, (_, k) => login(t.app, r.phone, `sai-${k}`, { remoteAddress: `10.5.0.${k + 1}` })));
    await Promise.all(busy);
    const refused = answers.filter((a) => a.statusCode === 429 && a.headers['retry-after'] === '1').length;
    const checked = answers.filter((a) => a.statusCode === 401).length;
    expect(refused).toBeGreaterThan(0);
    expect(refused + checked).toBe(4);
    const rows = await db().select().from(loginFailures).where(eq(loginFailures.phone, r.phone));
    expect(rows[0]?.failures ?? 0).toBe(checked);
  });
});
