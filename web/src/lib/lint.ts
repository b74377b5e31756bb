import { LINT_RULES } from '../../../server/src/lib/question-lint.thresholds';
import type { BankLintWarning, LintRule } from './types';

/** The lint's rules in the order the server checks them (API.md "Question quality"; the server's list, import-free). */
export const LINT_RULE_ORDER: LintRule[] = [...LINT_RULES];

export function lintByQuestion(warnings: BankLintWarning[]): Map<string, BankLintWarning[]> {
  const out = new Map<string, BankLintWarning[]>();
  for (const w of warnings) out.set(w.questionId, [...(out.get(w.questionId) ?? []), w]);
  return out;
}

/** How many questions each rule flags (a question with two near duplicates counts once). */
export function questionsPerRule(warnings: BankLintWarning[]): Map<LintRule, number> {
  const seen = new Map<LintRule, Set<string>>();
  for (const w of warnings) seen.set(w.rule, (seen.get(w.rule) ?? new Set()).add(w.questionId));
  return new Map([...seen].map(([r, ids]) => [r, ids.size]));
}
