import type { BankLintWarning, LintRule } from './types';

/** The lint's rules in the order the server checks them (API.md "Question quality"). */
export const LINT_RULE_ORDER: LintRule[] = [
  'lower_bound_options',
  'longest_correct',
  'answer_in_stem',
  'near_duplicate',
  'answered_elsewhere',
  'all_of_the_above',
  'undated_statistic',
];

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
