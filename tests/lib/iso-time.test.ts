import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoString } from '../../server/src/lib/iso-time';

describe('lib/iso-time isoString', () => {
  it('gives what Date#toISOString gives, for any time in Date’s range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('is right within one second and across its edges (the cached part)', () => {
    const base = Date.UTC(2026, 11, 1, 11, 59, 59);
    for (const ms of [base, base + 1, base + 9, base + 10, base + 99, base + 100, base + 999, base + 1000, base + 1001, base - 1, -1, 0, 999, -1000, -1001])
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves fractions, edges and invalid times to Date (same string, same RangeError)', () => {
    for (const ms of [1.5, -0.5, 8.64e15, -8.64e15, 1764590399999.9]) expect(isoString(ms)).toBe(new Date(ms).toISOString());
    for (const ms of [Number.NaN, Infinity, 8.64e15 + 1]) expect(() => isoString(ms)).toThrow(RangeError);
  });
});
