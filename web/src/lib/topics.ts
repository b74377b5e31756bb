import { compareVi } from '../../../server/src/lib/collation';

/** The topics of a bank's questions, each once, in Vietnamese order (the server's rule, lib/collation.ts). */
export function topicsOf(questions: readonly { topic?: string | null }[]): string[] {
  return [...new Set(questions.map((q) => q.topic).filter((x): x is string => !!x))].sort(compareVi);
}
