import type { Question } from '../../db/schema/index';
import { grade, type Answer } from '../../server/src/lib/scoring';

/** The score of `answers` to every question of `pool` under the pool's stored key, graded as the attempts module grades. */
export function scoreOf(pool: Question[], answers: readonly Answer[]): number {
  const keys = new Map(pool.map((q) => [q.id, { optionIds: new Set(q.options.map((o) => o.id)), correctOptionId: q.options.find((o) => o.correct)!.id }]));
  const graded = grade([...keys.keys()], answers, (id) => keys.get(id));
  if (!graded.ok) throw new Error(`answers that do not fit the pool: ${JSON.stringify(graded.problems)}`);
  return graded.score;
}
