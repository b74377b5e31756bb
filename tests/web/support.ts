import type { KeyValueStore } from '../../web/src/lib/api';
import type { StartedAttempt } from '../../web/src/lib/types';

/** localStorage in memory, its entries open to the test. */
export function memoryStore(init: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** An attempt as the server starts it: two questions of three options (o1–o3, o4–o6). */
export const startedAttempt = (attemptId = 'att-1', predictionPrompt = 'Bao nhiêu người đúng hết?'): StartedAttempt => ({
  attemptId,
  attemptNo: 1,
  startedAt: '2026-11-22T03:00:00.000Z',
  deadline: '2026-11-22T03:20:00.000Z',
  predictionPrompt,
  questions: [
    {
      id: 'q1',
      text: 'Một',
      options: [
        { id: 'o1', text: 'A' },
        { id: 'o2', text: 'B' },
        { id: 'o3', text: 'C' },
      ],
    },
    {
      id: 'q2',
      text: 'Hai',
      options: [
        { id: 'o4', text: 'A' },
        { id: 'o5', text: 'B' },
        { id: 'o6', text: 'C' },
      ],
    },
  ],
});
