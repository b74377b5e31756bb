import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choicePlan, gradeChoices, UNANSWERED } from '../../../server/src/lib/choices';
import { shuffleOptions } from '../../../server/src/lib/draw';
import { gradeSubmission } from '../../../server/src/modules/attempts/attempts.answers';
import type { AttemptQuestionEntry, CachedRound } from '../../../server/src/modules/attempts/attempts.cache';
import type { PoolQuestion } from '../../../server/src/modules/attempts/attempts.repo';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

/** A pool question: 3 or 4 options with distinct random ids, one correct (or none: a miskeyed import), maybe voided. */
const questionArb = fc
  .record({
    id: hex(8),
    optionIds: fc.uniqueArray(hex(6), { minLength: 3, maxLength: 4 }),
    correct: fc.integer({ min: -1, max: 3 }),
    voided: fc.boolean(),
  })
  .map(({ id, optionIds, correct, voided }): PoolQuestion => ({
    id,
    text: `Câu ${id}`,
    options: optionIds.map((o, i) => ({ id: `${id}-${o}`, text: o, correct: i === correct })),
    voided,
  }));

/** An attempt over a pool: its questions in the order served, a seed, and a choice (or none) per question. */
const caseArb = fc.uniqueArray(questionArb, { minLength: 1, maxLength: 30, selector: (q) => q.id }).chain((pool) =>
  fc.record({
    pool: fc.constant(pool),
    served: fc.shuffledSubarray(pool, { minLength: 1 }),
    seed: fc.integer({ min: 0, max: 2147483646 }),
    picks: fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }), { minLength: 30, maxLength: 30 }),
  }),
);

/** What the round cache holds for grading (attempts.cache.ts build), from a pool. */
function roundOf(pool: PoolQuestion[], withPlans = true): { round: CachedRound; entries: () => Promise<Map<string, AttemptQuestionEntry>> } {
  const plans = new Map(withPlans ? pool.map((q) => [q.id, choicePlan(q)!]) : []);
  const entries = new Map(
    pool.map((q) => {
      const correct = q.options.find((o) => o.correct);
      const key = { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: correct?.id ?? '', voided: q.voided };
      return [q.id, { q, key, r: null as never }];
    }),
  );
  return { round: { plans } as unknown as CachedRound, entries: async () => entries };
}

describe('grading choices by position (the submit fast path)', () => {
  it('scores, stores and signs exactly as the pairs path, for any pool, draw, seed and choices', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ pool, served, seed, picks }) => {
        const attempt = { questionIds: served.map((q) => q.id), seed };
        // Positions as served, each within its question's options.
        const choices = served.map((q, i) => (picks[i] === null ? null : picks[i]! % q.options.length));
        const fast = gradeChoices(attempt.questionIds, seed, choices, (id) => choicePlan(pool.find((q) => q.id === id)!) ?? undefined);
        expect(fast).not.toBeNull();

        // The same answers as { questionId, optionId } pairs, graded by the general path.
        const answers = served.flatMap((q, i) =>
          choices[i] === null ? [] : [{ questionId: q.id, optionId: shuffleOptions(q.options, seed, q.id)[choices[i]!].id }],
        );
        const slow = roundOf(pool, false);
        const byPairs = await gradeSubmission({ answers, prediction: 0 }, attempt, slow.round, slow.entries);
        // …and the same choices forced through the general path (no plans cached).
        const byChoicesSlow = await gradeSubmission({ choices, prediction: 0 }, attempt, slow.round, slow.entries);
        const withPlans = roundOf(pool);
        const byChoicesFast = await gradeSubmission({ choices, prediction: 0 }, attempt, withPlans.round, withPlans.entries);

        for (const other of [byPairs, byChoicesSlow, byChoicesFast]) {
          expect(fast!.score).toBe(other.score);
          expect(fast!.total).toBe(other.total);
          expect([...fast!.choices]).toEqual([...other.choices]);
          expect(fast!.answersSeq).toBe(other.answersSeq);
          expect(fast!.answersSet).toBe(other.answersSet);
        }
        expect(fast!.choices.filter((b) => b !== UNANSWERED).length).toBe(answers.length);
      }),
      { numRuns: 300 },
    );
  });

  it('signs long answer texts alike (200 questions with 100-character ids: the scratch grows)', async () => {
    const pool: PoolQuestion[] = Array.from({ length: 200 }, (_, i) => {
      const id = `${String(i).padStart(3, '0')}${'q'.repeat(97)}`;
      return { id, text: id, options: ['a', 'b', 'c', 'd'].map((o, k) => ({ id: `${o.repeat(100)}${i}`, text: o, correct: k === i % 4 })), voided: false };
    });
    const attempt = { questionIds: [...pool].reverse().map((q) => q.id), seed: 99 };
    const choices = attempt.questionIds.map((_, i) => (i % 7 === 0 ? null : i % 4));
    const fast = roundOf(pool);
    const slow = roundOf(pool, false);
    const a = await gradeSubmission({ choices, prediction: 0 }, attempt, fast.round, fast.entries);
    const b = await gradeSubmission({ choices, prediction: 0 }, attempt, slow.round, slow.entries);
    expect(a).toEqual(b);
    expect(a.answersSeq).not.toBeNull();
  });

  it('leaves to the general path what it must refuse or look up', async () => {
    const pool: PoolQuestion[] = ['q1', 'q2', 'q3'].map((id) => ({
      id,
      text: id,
      options: ['a', 'b', 'c'].map((o, i) => ({ id: `${id}${o}`, text: o, correct: i === 0 })),
      voided: false,
    }));
    const ids = pool.map((q) => q.id);
    const plan = (id: string) => choicePlan(pool.find((q) => q.id === id)!) ?? undefined;
    expect(gradeChoices(ids, 7, [0, 1, 2], plan)).not.toBeNull();
    expect(gradeChoices(ids, 7, [0, 1], plan)).toBeNull(); // wrong length: its 400 comes from the general path
    expect(gradeChoices(ids, 7, [0, 3, 2], plan)).toBeNull(); // position out of range
    expect(gradeChoices(ids, 7, [0, -1, 2], plan)).toBeNull();
    expect(gradeChoices(ids, 7, [0, 1, 2], (id) => (id === 'q2' ? undefined : plan(id)))).toBeNull(); // a question of an older pool

    const { round, entries } = roundOf(pool);
    await expect(gradeSubmission({ choices: [0, 3, 2], prediction: 0 }, { questionIds: ids, seed: 7 }, round, entries)).rejects.toMatchObject({
      statusCode: 400,
      code: 'INVALID_ANSWERS',
    });
    await expect(gradeSubmission({ choices: [0, 1], prediction: 0 }, { questionIds: ids, seed: 7 }, round, entries)).rejects.toMatchObject({
      code: 'INVALID_ANSWERS',
    });
    await expect(gradeSubmission({ choices: [0, 1, 2], answers: [], prediction: 0 }, { questionIds: ids, seed: 7 }, round, entries)).rejects.toMatchObject({
      code: 'INVALID_ANSWERS',
    });
  });

  it('counts a voided question for everyone who drew it, answered or not', () => {
    const q = (id: string, voided: boolean): PoolQuestion => ({
      id,
      text: id,
      options: ['a', 'b', 'c'].map((o, i) => ({ id: `${id}${o}`, text: o, correct: i === 2 })),
      voided,
    });
    const pool = [q('q1', true), q('q2', true), q('q3', false)];
    const plan = (id: string) => choicePlan(pool.find((x) => x.id === id)!) ?? undefined;
    const g = gradeChoices(['q1', 'q2', 'q3'], 1, [null, 0, null], plan)!;
    expect(g.score).toBe(2);
    expect(g.total).toBe(3);
    expect(g.answersSeq).toBeNull(); // fewer than 5 answers are never compared
  });
});
