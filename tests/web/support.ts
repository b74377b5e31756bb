import type { KeyValueStore } from '../../web/src/lib/api';
import type { StartedAttempt } from '../../web/src/lib/types';

/** localStorage in memory, its entries open to the test. */
export function memoryStore(init: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const threeOptionQuestion = (id: string, text: string, optionIds: string[]) => ({
  id,
  text,
  options: optionIds.map((optionId, i) => ({ id: optionId, text: 'ABC'[i] })),
});

/** An attempt as the server starts it: two questions of three options (o1–o3, o4–o6). */
export const startedAttempt = (attemptId = 'att-1', predictionPrompt = 'Bao nhiêu người đúng hết?'): StartedAttempt => ({
  attemptId,
  attemptNo: 1,
  startedAt: '2026-11-22T03:00:00.000Z',
  deadline: '2026-11-22T03:20:00.000Z',
  predictionPrompt,
  questions: [threeOptionQuestion('q1', 'Một', ['o1', 'o2', 'o3']), threeOptionQuestion('q2', 'Hai', ['o4', 'o5', 'o6'])],
});
