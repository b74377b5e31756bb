import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { describe, expect, it } from 'vitest';
import { users } from '../../../db/schema/index';
import { makeNationalId } from '../../../server/src/lib/identity';
import { useTestApp, makeTestApp } from '../../helpers/app';
import { register } from '../../helpers/requests';

// Small counters keep the solver fast in tests; the mechanism is the production one.
const t = useTestApp({ registrationPow: { minCounter: 50, maxCounter: 400, cost: 1, ttlMs: 60_000 } });

let serial = 1000;
const body = (altcha?: string) => ({
  fullName: 'Vũ Thị Lan',
  phone: `0977${String(++serial).padStart(6, '0')}`,
  password: 'mat-khau-dai',
  nationalId: makeNationalId(1999, serial),
  birthYear: 1999,
  ...(altcha ? { altcha } : {}),
});

async function solved(): Promise<{ payload: string; challenge: Challenge }> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/challenge' });
  expect(res.statusCode).toBe(200);
  const { required, challenge } = res.json();
  expect(required).toBe(true);
  const solution = await solveChallenge({ challenge, deriveKey });
  expect(solution).not.toBeNull();
  return { challenge, payload: Buffer.from(JSON.stringify({ challenge, solution })).toString('base64') };
}

describe('registration proof of work', () => {
  it('registers with a solved challenge', async () => {
    const { payload } = await solved();
    const res = await register(t.app, body(payload));
    expect(res.statusCode).toBe(201);
  });

  it('refuses a missing, forged, tampered or reused solution with 400 and creates no account', async () => {
    const before = (await t.database.db.select().from(users)).length;
    const missing = await register(t.app, body());
    expect(missing.json().code).toBe('POW_REQUIRED');
    const forged = await register(t.app, body(Buffer.from('{"challenge":{},"solution":{}}').toString('base64')));
    expect(forged.json().code, forged.body).toBe('POW_INVALID');
    const garbage = await register(t.app, body('%%%not-base64%%%'));
    expect(garbage.json().code).toBe('POW_INVALID');

    const { challenge, payload } = await solved();
    const decoded = JSON.parse(Buffer.from(payload, 'base64').toString());
    const tampered = { ...decoded, challenge: { ...challenge, parameters: { ...challenge.parameters, cost: 0 } } };
    const tamperedRes = await register(t.app, body(Buffer.from(JSON.stringify(tampered)).toString('base64')));
    expect(tamperedRes.json().code).toBe('POW_INVALID');
    const key = decoded.solution.derivedKey as string;
    const wrongKey = { ...decoded, solution: { ...decoded.solution, derivedKey: (key[0] === '0' ? '1' : '0') + key.slice(1) } };
    expect((await register(t.app, body(Buffer.from(JSON.stringify(wrongKey)).toString('base64')))).json().code).toBe('POW_INVALID');

    expect((await register(t.app, body(payload))).statusCode).toBe(201);
    const reused = await register(t.app, body(payload));
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('POW_REUSED');
    expect((await t.database.db.select().from(users)).length).toBe(before + 1);
  });

  it('tells clients when no proof of work is needed', async () => {
    const other = await makeTestApp({ database: t.database });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/api/v1/auth/challenge' });
      expect(res.json()).toEqual({ required: false });
    } finally {
      await other.app.close();
      other.redis?.disconnect();
    }
  });
});
