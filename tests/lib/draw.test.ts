import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawQuestions, mixSeed, shuffle, shuffleInPlace, shuffleOptions } from '../../server/src/lib/draw';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `q${i}`);

describe('drawQuestions', () => {
  it('draws `count` distinct ids of the pool', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(), (n, seed, k) => {
        const count = (k % n) + 1;
        const drawn = drawQuestions(ids(n), count, seed);
        expect(drawn).toHaveLength(count);
        expect(new Set(drawn).size).toBe(count);
        for (const id of drawn) expect(ids(n)).toContain(id);
      }),
    );
  });

  it('is the same for the same seed whatever order the pool was read in', () => {
    const pool = ids(30);
    expect(drawQuestions([...pool].reverse(), 10, 42)).toEqual(drawQuestions(pool, 10, 42));
  });

  it('differs between seeds', () => {
    const orders = new Set(Array.from({ length: 50 }, (_, seed) => drawQuestions(ids(20), 20, seed).join()));
    expect(orders.size).toBe(50);
  });

  it('refuses to draw more than the pool holds', () => {
    expect(() => drawQuestions(ids(3), 4, 1)).toThrow(RangeError);
  });

  it('puts every id first about equally often', () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 4000; seed++) {
      const first = drawQuestions(ids(4), 4, seed * 7919)[0];
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(850);
  });
});

describe('shuffleOptions', () => {
  const options = [{ id: 'b' }, { id: 'a' }, { id: 'd' }, { id: 'c' }];
  it('keeps every option and is stable for one (seed, question)', () => {
    const once = shuffleOptions(options, 9, 'q1');
    expect(once.map((o) => o.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(shuffleOptions([...options].reverse(), 9, 'q1')).toEqual(once);
  });
  it('orders the options of different questions differently', () => {
    const orders = new Set(
      Array.from({ length: 30 }, (_, i) =>
        shuffleOptions(options, 9, `q${i}`)
          .map((o) => o.id)
          .join(),
      ),
    );
    expect(orders.size).toBeGreaterThan(10);
  });
  it('shuffle does not touch its input', () => {
    const input = [1, 2, 3, 4, 5];
    shuffle(input, 3);
    expect(input).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('the order an attempt was served in', () => {
  // Stored attempts keep only their seed: a resume, a submit by position and a regrade rebuild
  // the order from it, so the same seed must give the same order in every later version.
  it('stays what it was for a given seed (golden values from the first release)', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect([1, 42, 2147483646].map((s) => shuffle(ten, s))).toEqual([
      [7, 8, 3, 2, 1, 5, 9, 4, 0, 6],
      [0, 7, 3, 5, 2, 1, 8, 9, 4, 6],
      [4, 0, 2, 5, 1, 7, 6, 8, 3, 9],
    ]);
    expect(mixSeed(7, '3f2c9a1e-0000-4000-8000-000000000001')).toBe(4229389959);
    expect([0, 1, 2, 3].map((q) => shuffle([0, 1, 2, 3], mixSeed(123456, `q${q}`)))).toEqual([
      [3, 0, 2, 1],
      [0, 3, 2, 1],
      [3, 1, 2, 0],
      [2, 3, 0, 1],
    ]);
  });

  it('is the same from a typed array shuffled in place as from a copied list', () => {
    for (let seed = 0; seed < 200; seed++) {
      const bytes = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]);
      shuffleInPlace(bytes, 5, seed * 7919);
      expect([...bytes.subarray(0, 5)]).toEqual(shuffle([9, 8, 7, 6, 5], seed * 7919));
      expect([...bytes.subarray(5)]).toEqual([4, 3, 2]);
    }
  });
});
