import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markerJson, parseMarker } from '../../../server/src/modules/attempts/attempts.markers';

const num = fc.oneof(fc.integer(), fc.integer({ min: 0, max: 8.64e15 }), fc.double(), fc.constantFrom(0, -0, 1e21, Number.MAX_SAFE_INTEGER));
const text = fc.oneof(fc.uuid(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"', '\\', '\u2028', '\u0000', 'k"}', 'ồ'));

describe('markerJson', () => {
  it('writes what JSON.stringify writes for the marker object, for any numbers and strings', () => {
    fc.assert(
      fc.property(num, num, num, num, text, text, (submittedAtMs, durationMs, score, total, roundId, k) => {
        const r = { submittedAtMs, durationMs, score, total };
        expect(markerJson(r, roundId, k)).toBe(JSON.stringify({ ...r, roundId, k }));
      }),
      { numRuns: 2000 },
    );
  });

  it('is read back by parseMarker as the same result', () => {
    const r = { submittedAtMs: 1_764_560_000_123, durationMs: 421_500, score: 17, total: 20 };
    expect(parseMarker(markerJson(r, '0b7d6a9e-51b4-4f7e-9a43-6f2d8c1e2a10', '1x9zq'))).toEqual({
      ...r,
      roundId: '0b7d6a9e-51b4-4f7e-9a43-6f2d8c1e2a10',
      k: '1x9zq',
    });
  });
});
