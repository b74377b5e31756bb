import { describe, expect, it } from 'vitest';
import { isDependencyDown } from '../../server/src/lib/errors';

// A database that cannot take the request now answers 503 (try again), a mistake 500/4xx.
const pgError = (code: string) => Object.assign(new Error(`postgres ${code}`), { code });
const wrapped = (code: string) => new Error('Failed query: select 1\nparams: ', { cause: pgError(code) });

describe('isDependencyDown', () => {
  it.each(['08006', '53300', '57P01', '57P03', '57014', '28P01', '28000', '3D000', 'ECONNREFUSED', 'CONNECTION_CLOSED'])('%s: the database is away', (code) => {
    expect(isDependencyDown(pgError(code))).toBe(true);
    expect(isDependencyDown(wrapped(code))).toBe(true);
  });
  it.each(['23505', '23503', '22P02', '42P01', '55000', '40001'])('%s: not', (code) => {
    expect(isDependencyDown(wrapped(code))).toBe(false);
  });
});
