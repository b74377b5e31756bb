import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawQuestions, shuffle, shuffleOptions } from '../../server/src/lib/draw';

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
