import { describe, expect, it } from 'vitest';
import { demoQuestions, SOURCES, type SourceKey } from '../../db/seed-data/questions';
import { lintBank } from '../../server/src/lib/question-lint';

/**
 * Warnings knowingly accepted in the demo bank, by question text and rule, each with the
 * reason. Empty: the bank passes the lint as it is. Add an entry only with a comment that
 * says why the warning is wrong or worth keeping, e.g.
 *   { text: 'Câu hỏi …', rule: 'undated_statistic' }, // the figure is a fixed rule, not a statistic
 */
const ALLOWED: { text: string; rule: string }[] = [];

const bank = demoQuestions.map((q, i) => ({ id: `#${i + 1}`, text: q.text, options: q.options }));

describe('demo question bank (db/seed-data/questions.ts)', () => {
  it('has no lint warning beyond the commented allowances', () => {
    const warnings = lintBank(bank)
      .filter((w) => !ALLOWED.some((a) => a.rule === w.rule && bank.find((q) => q.id === w.questionId)!.text === a.text))
      .map((w) => `${w.questionId} ${w.rule}${w.relatedQuestionId ? ` (${w.relatedQuestionId})` : ''}: ${w.messageEn}`);
    expect(warnings).toEqual([]);
  });

  it('gives every question 3–4 distinct options with exactly one correct, and names its source document', () => {
    for (const q of demoQuestions) {
      expect(q.options.length, q.text).toBeGreaterThanOrEqual(3);
      expect(q.options.length, q.text).toBeLessThanOrEqual(4);
      expect(
        q.options.filter((o) => o.correct),
        q.text,
      ).toHaveLength(1);
      expect(new Set(q.options.map((o) => o.text.toLowerCase())).size, q.text).toBe(q.options.length);
      expect(q.explanation.startsWith(SOURCES[q.source] + ', '), q.text).toBe(true);
      expect(q.explanation.length, q.text).toBeGreaterThan(SOURCES[q.source].length + 20);
    }
  });

  it('keeps enough questions for the seeded rounds (db/seed.ts puts the whole bank in each of the 4 weekly pools of 20)', () => {
    expect(demoQuestions.length).toBeGreaterThanOrEqual(100);
  });

  it('draws on all five documents, none for more than a quarter of the bank', () => {
    const per = new Map<SourceKey, number>();
    for (const q of demoQuestions) per.set(q.source, (per.get(q.source) ?? 0) + 1);
    expect([...per.keys()].sort()).toEqual((Object.keys(SOURCES) as SourceKey[]).sort());
    for (const [source, n] of per) {
      expect(n, source).toBeLessThanOrEqual(demoQuestions.length / 4);
      expect(n, source).toBeGreaterThanOrEqual(demoQuestions.length / 10);
    }
  });

  it('does not make the correct option the longest more often than chance', () => {
    // Among questions with a single longest option, the correct one should be it about 1 time in 3 or 4.
    const withLongest = demoQuestions.filter((q) => {
      const lengths = q.options.map((o) => o.text.length);
      return lengths.filter((l) => l === Math.max(...lengths)).length === 1;
    });
    const correctLongest = withLongest.filter((q) => {
      const lengths = q.options.map((o) => o.text.length);
      return lengths[q.options.findIndex((o) => o.correct)] === Math.max(...lengths);
    });
    expect(correctLongest.length / withLongest.length).toBeLessThan(0.33);
  });
});
