import { describe, expect, it } from 'vitest';
import { attemptKey, clear, loadSaved, merge, parsePrediction, predictionProblem, save, submitBody } from '../../web/src/lib/state/attempt-storage';
import type { KeyValueStore } from '../../web/src/lib/api';
import { memoryStore, startedAttempt } from './support';

describe('attempt storage', () => {
  it('round-trips answers, place and prediction for the same user and round', () => {
    const store = memoryStore();
    const s = merge(null, 'u1', 'r1', startedAttempt());
    s.answers.q2 = 'o5';
    s.step = 1;
    s.prediction = '120';
    expect(save(store, s)).toBe(true);
    const back = loadSaved(store, 'u1', 'r1');
    expect(back).toMatchObject({ answers: { q2: 'o5' }, step: 1, prediction: '120', submitRequested: false, result: null });
    expect(back?.attempt.attemptId).toBe('att-1');
  });

  it('does not hand one user the attempt of another on a shared phone', () => {
    const store = memoryStore();
    save(store, merge(null, 'u1', 'r1', startedAttempt()));
    expect(loadSaved(store, 'u2', 'r1')).toBeNull();
    expect(loadSaved(store, 'u1', 'r2')).toBeNull();
  });

  it('survives corrupt or tampered storage', () => {
    const store = memoryStore();
    store.setItem(attemptKey('u1', 'r1'), '{not json');
    expect(loadSaved(store, 'u1', 'r1')).toBeNull();
    const s = merge(null, 'u1', 'r1', startedAttempt());
    store.setItem(attemptKey('u1', 'r1'), JSON.stringify({ ...s, answers: { q1: 'o4', q2: 'o6', qX: 'o1' }, step: 99, prediction: '12ab3' + 'x'.repeat(100) }));
    const back = loadSaved(store, 'u1', 'r1')!;
    // o4 belongs to q2, not q1; qX is not in the attempt.
    expect(back.answers).toEqual({ q2: 'o6' });
    expect(back.step).toBe(3);
    // Kept as typed (the page says what is wrong with it), but not without bound.
    expect(back.prediction).toBe(('12ab3' + 'x'.repeat(100)).slice(0, 40));
    expect(predictionProblem(back.prediction)).toBe('format');
  });

  it('keeps answers when the server resumes the same attempt, starts clean for another one', () => {
    const s = merge(null, 'u1', 'r1', startedAttempt());
    s.answers.q1 = 'o2';
    expect(merge(s, 'u1', 'r1', startedAttempt()).answers).toEqual({ q1: 'o2' });
    const fresh = merge(s, 'u1', 'r1', startedAttempt('att-2'));
    expect(fresh.answers).toEqual({});
    expect(fresh.attempt.attemptId).toBe('att-2');
  });

  it('builds the submit body by position: one entry per question as served, null when unanswered', () => {
    const s = merge(null, 'u1', 'r1', startedAttempt());
    s.answers.q2 = 'o4';
    s.prediction = '0042';
    const positionOfO4 = s.attempt.questions[1].options.findIndex((o) => o.id === 'o4');
    expect(positionOfO4).toBeGreaterThanOrEqual(0);
    expect(submitBody(s)).toEqual({ choices: [null, positionOfO4], prediction: 42 });
    s.prediction = '';
    expect(submitBody(s).prediction).toBe(0);
  });

  it('accepts predictions from 0 to 100,000,000 only', () => {
    expect(parsePrediction('0')).toBe(0);
    expect(parsePrediction('100000000')).toBe(100_000_000);
    expect(parsePrediction('100000001')).toBeNull();
    expect(parsePrediction('-1')).toBeNull();
    expect(parsePrediction('1.5')).toBeNull();
    expect(parsePrediction('')).toBeNull();
  });

  it('reads a prediction as people write thousands, and says what is wrong with the rest', () => {
    for (const [typed, n] of [
      ['4200', 4200],
      ['4.200', 4200],
      ['4,200', 4200],
      ['4 200', 4200],
      [' 12 ', 12],
      ['1.000.000', 1_000_000],
      ['４２００', 4200],
      ['0', 0],
    ] as const) {
      expect([typed, parsePrediction(typed)]).toEqual([typed, n]);
      expect(predictionProblem(typed)).toBeNull();
    }
    // Each of these used to be cleaned into another number without a word ("1e3" became 13).
    for (const typed of ['1e3', '12.5', '-1', '4.20', '1.000,000', 'bốn nghìn', 'abc', '4.200.00']) {
      expect([typed, predictionProblem(typed)]).toEqual([typed, 'format']);
      expect(parsePrediction(typed)).toBeNull();
    }
    expect(predictionProblem('100000001')).toBe('range');
    expect(predictionProblem('12345678901234567890')).toBe('range');
    expect(predictionProblem('')).toBe('missing');
    expect(predictionProblem('   ')).toBe('missing');
  });

  it('clears the saved copy', () => {
    const store = memoryStore();
    save(store, merge(null, 'u1', 'r1', startedAttempt()));
    clear(store, 'u1', 'r1');
    expect(loadSaved(store, 'u1', 'r1')).toBeNull();
  });

  it('keeps working when storage refuses writes (private mode, quota)', () => {
    const full: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(save(full, merge(null, 'u1', 'r1', startedAttempt()))).toBe(false);
  });
});
