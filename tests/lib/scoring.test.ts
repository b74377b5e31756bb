import { describe, expect, it } from 'vitest';
import { grade, type KeyEntry } from '../../server/src/lib/scoring';

const key = new Map<string, KeyEntry>([
  ['q1', { optionIds: new Set(['a1', 'b1', 'c1']), correctOptionId: 'b1' }],
  ['q2', { optionIds: new Set(['a2', 'b2', 'c2', 'd2']), correctOptionId: 'd2' }],
  ['q3', { optionIds: new Set(['a3', 'b3', 'c3']), correctOptionId: 'a3' }],
]);
const q = ['q1', 'q2', 'q3'];
const g = (answers: { questionId: string; optionId: string }[]) => grade(q, answers, (id) => key.get(id));

describe('grade', () => {
  it('counts correct answers and scores left-out questions 0', () => {
    expect(
      g([
        { questionId: 'q1', optionId: 'b1' },
        { questionId: 'q3', optionId: 'b3' },
      ]),
    ).toEqual({ ok: true, score: 1, total: 3 });
    expect(g([])).toEqual({ ok: true, score: 0, total: 3 });
    expect(g(q.map((id) => ({ questionId: id, optionId: key.get(id)!.correctOptionId })))).toEqual({ ok: true, score: 3, total: 3 });
  });

  it('reports a question outside the attempt, a repeat and a foreign option, each with its position', () => {
    const r = g([
      { questionId: 'q9', optionId: 'a1' },
      { questionId: 'q1', optionId: 'b1' },
      { questionId: 'q1', optionId: 'b1' },
      { questionId: 'q2', optionId: 'a1' },
    ]);
    expect(r).toEqual({
      ok: false,
      problems: [
        { kind: 'not_in_attempt', index: 0, questionId: 'q9' },
        { kind: 'repeated', index: 2, questionId: 'q1' },
        { kind: 'foreign_option', index: 3, questionId: 'q2', optionId: 'a1' },
      ],
    });
  });
});

describe('grade with a voided question', () => {
  const voided = new Map(key);
  voided.set('q2', { ...key.get('q2')!, voided: true });
  const gv = (answers: { questionId: string; optionId: string }[]) => grade(q, answers, (id) => voided.get(id));

  it('counts it as correct whatever was chosen, and when it was left out', () => {
    expect(gv([{ questionId: 'q2', optionId: 'a2' }])).toEqual({ ok: true, score: 1, total: 3 });
    expect(gv([{ questionId: 'q2', optionId: 'd2' }])).toEqual({ ok: true, score: 1, total: 3 });
    expect(gv([])).toEqual({ ok: true, score: 1, total: 3 });
    expect(
      gv([
        { questionId: 'q1', optionId: 'b1' },
        { questionId: 'q3', optionId: 'a3' },
      ]),
    ).toEqual({ ok: true, score: 3, total: 3 });
  });

  it('still refuses a foreign option on it', () => {
    expect(gv([{ questionId: 'q2', optionId: 'a1' }]).ok).toBe(false);
  });
});
