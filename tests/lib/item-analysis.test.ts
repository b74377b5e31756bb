import { describe, expect, it } from 'vitest';
import { analyzeItems, groupSize, ITEM_THRESHOLDS, statsFor, type ItemCounts } from '../../server/src/lib/item-analysis';

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
