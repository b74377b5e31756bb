import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeItems, groupCuts, groupSize, ITEM_THRESHOLDS, statsFor, type ItemCounts } from '../../server/src/lib/item-analysis';

/** Counts for a question with options a (the key), b, c; `top`/`bottom` per option over groups of size k. */
function counts(drawn: number, chosen: number[], top: number[], bottom: number[]): ItemCounts {
  const options = ['a', 'b', 'c'].map((id, i) => ({ optionId: id, correct: i === 0, chosen: chosen[i], chosenTop: top[i], chosenBottom: bottom[i] }));
  return { drawn, answered: chosen.reduce((x, y) => x + y, 0), options };
}

describe('groupSize', () => {
  it('is floor(27 % of n), in integers', () => {
    expect([0, 3, 4, 10, 37, 100, 1000].map(groupSize)).toEqual([0, 0, 1, 2, 9, 27, 270]);
  });
});

describe('statsFor', () => {
  it('flags likely_miskeyed only when the top group prefers a wrong option and discrimination is negative', () => {
    // 40 drawn, groups of 10: top chose b 8 times, the key 2; bottom chose the key 6 times.
    expect(statsFor(counts(40, [16, 18, 6], [2, 8, 0], [6, 2, 2])).flags).toEqual(['likely_miskeyed']);
    // Top prefers b but discrimination is not negative: a hard question, maybe ambiguous, not a miskey.
    expect(statsFor(counts(40, [10, 20, 10], [4, 5, 1], [1, 5, 4])).flags).toEqual(['ambiguous']);
    // Negative discrimination with the key still leading the top group: not flagged.
    expect(statsFor(counts(40, [20, 10, 10], [5, 3, 2], [7, 2, 1])).flags).toEqual([]);
  });

  it('flags ambiguous when two options each take over 35 % of the top group, exactly 35 % is not', () => {
    expect(statsFor(counts(40, [20, 16, 4], [5, 4, 1], [2, 4, 4])).flags).toEqual(['ambiguous']);
    expect(statsFor(counts(80, [40, 30, 10], [10, 7, 4], [4, 6, 11])).flags).toEqual([]);
  });

  it('flags too_easy above 0.95 and too_hard below 0.10, not at the bounds', () => {
    expect(statsFor(counts(100, [96, 4, 0], [27, 0, 0], [23, 4, 0])).flags).toContain('too_easy');
    expect(statsFor(counts(100, [95, 5, 0], [27, 0, 0], [22, 5, 0])).flags).not.toContain('too_easy');
    expect(statsFor(counts(100, [9, 60, 31], [5, 12, 10], [0, 17, 10])).flags).toContain('too_hard');
    expect(statsFor(counts(100, [10, 60, 30], [5, 12, 10], [0, 17, 10])).flags).not.toContain('too_hard');
  });

  it('gives no flags below the minimum of attempts, and null ratios when there is nothing to compare', () => {
    const few = ITEM_THRESHOLDS.MIN_DRAWN_FOR_FLAGS - 1;
    expect(statsFor(counts(few, [0, few, 0], [0, 5, 0], [0, 5, 0])).flags).toEqual([]);
    expect(statsFor(counts(0, [0, 0, 0], [0, 0, 0], [0, 0, 0]))).toEqual({ facility: null, discrimination: null, flags: [] });
    expect(statsFor(counts(3, [1, 1, 1], [0, 0, 0], [0, 0, 0]))).toEqual({ facility: 0.3333, discrimination: null, flags: [] });
  });
});

describe('analyzeItems', () => {
  it('ranks by the score without the question and breaks ties by attempt id in byte order', () => {
    const q = {
      id: 'q',
      options: [
        { id: 'a', correct: true },
        { id: 'b', correct: false },
      ],
      voided: false,
    };
    // Four attempts: groups of 1. Without q, "x" and "y" both have 2; "Y" sorts before "x" in bytes.
    const attempts = [
      { attemptId: 'x', questionIds: ['q'], answers: [{ questionId: 'q', optionId: 'a' }], score: 3 },
      { attemptId: 'Y', questionIds: ['q'], answers: [{ questionId: 'q', optionId: 'b' }], score: 2 },
      { attemptId: 'z', questionIds: ['q'], answers: [], score: 0 },
      { attemptId: 'w', questionIds: ['q'], answers: [{ questionId: 'q', optionId: 'a' }], score: 2 },
      { attemptId: 'v', questionIds: ['other'], answers: [], score: 9 },
    ];
    const c = analyzeItems([q], attempts).get('q')!;
    expect(c.drawn).toBe(4);
    expect(c.answered).toBe(3);
    expect(c.options).toEqual([
      { optionId: 'a', correct: true, chosen: 2, chosenTop: 0, chosenBottom: 0 },
      { optionId: 'b', correct: false, chosen: 1, chosenTop: 1, chosenBottom: 0 },
    ]);
  });
});

describe('groupCuts', () => {
  it('cuts the groups of equal score where the top and the bottom groups end', () => {
    // 10 attempts, groups of 2: scores 5 (1), 4 (3), 2 (4), 0 (2).
    const cuts = groupCuts(
      new Map([
        [2, 4],
        [5, 1],
        [0, 2],
        [4, 3],
      ]),
    );
    expect(Object.fromEntries(cuts)).toEqual({
      5: { size: 1, top: 1, bottom: 0 },
      4: { size: 3, top: 1, bottom: 0 },
      2: { size: 4, top: 0, bottom: 0 },
      0: { size: 2, top: 0, bottom: 2 },
    });
    expect(Object.fromEntries(groupCuts(new Map([[7, 3]])))).toEqual({ 7: { size: 3, top: 0, bottom: 0 } });
    expect(Object.fromEntries(groupCuts(new Map([[7, 8]])))).toEqual({ 7: { size: 8, top: 2, bottom: 2 } });
    expect(groupCuts(new Map()).size).toBe(0);
  });

  it('puts in the top and bottom groups exactly the places the whole ranking does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1, max: 6 }), fc.integer({ min: 1, max: 9 })), { maxLength: 8 }), (pairs) => {
        const sizes = new Map<number, number>();
        for (const [rest, n] of pairs) sizes.set(rest, (sizes.get(rest) ?? 0) + n);
        // The whole ranking: score descending; within a group its places in order.
        const places = [...sizes.entries()].sort((a, b) => b[0] - a[0]).flatMap(([rest, n]) => Array.from({ length: n }, (_, i) => ({ rest, i })));
        const k = groupSize(places.length);
        const cuts = groupCuts(sizes);
        for (const [rest, n] of sizes) {
          const inGroup = places.map((p, at) => ({ ...p, at })).filter((p) => p.rest === rest);
          const top = inGroup.filter((p) => p.at < k);
          const bottom = inGroup.filter((p) => p.at >= places.length - k);
          // The first `top` of the group and its last `bottom`.
          expect(cuts.get(rest)).toEqual({ size: n, top: top.length, bottom: bottom.length });
          expect(top.every((p) => p.i < top.length)).toBe(true);
          expect(bottom.every((p) => p.i >= n - bottom.length)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
