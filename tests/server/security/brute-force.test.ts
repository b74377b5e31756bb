import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNationalId } from '../../../server/src/lib/identity';
import { makeTestApp, type TestContext } from '../../helpers/app';
import { makePhone } from '../../helpers/factories';
import { login, register } from '../../helpers/requests';

let t: TestContext;
beforeAll(async () => {
  t = await makeTestApp({
    limits: {
      registerPerIp: { limit: 3, windowMs: 60_000 },
      loginPerIp: { limit: 5, windowMs: 60_000 },
    },
  });
});
afterAll(() => t.close());

let serial = 500;
const registration = () => ({
  fullName: 'Lò Văn Tú',
  phone: makePhone(),
  password: 'mat-khau-dai',
  nationalId: makeNationalId(1985, ++serial),
  birthYear: 1985,
});

describe('brute force', () => {
  it('throttles registrations per address', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await register(t.app, registration(), { remoteAddress: '203.0.113.7' })).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const other = await register(t.app, registration(), { remoteAddress: '203.0.113.8' });
    expect(other.statusCode).toBe(201);
  });

  it('throttles logins per address across phones, with Retry-After', async () => {
    let last;
    for (let i = 0; i < 7; i++) last = await login(t.app, makePhone(), 'doan-mo-123', { remoteAddress: '198.51.100.4' });
    expect(last!.statusCode).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });
});
