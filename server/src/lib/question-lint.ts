// Question-bank lint: the flaws contestants appeal, found before a round opens.
// Pure and synchronous. Warnings never block anything; they help organizers rewrite.
//
// Matching works on a normalized form of the text: NFC, lower case, diacritics and đ
// folded (so "Tỉnh ủy", "tinh uy" and a decomposed "Tỉnh ủy" are the same words), split
// into syllables and numbers. Vietnamese words are mostly two syllables, so phrases are
// compared as runs of syllables, never as single syllables (one syllable such as "số" or
// "tỉnh" stands in almost every question).
// The rules and thresholds are in question-lint.thresholds.ts, the text helpers in
// question-lint.text.ts, the rules on one question in question-lint.rules.ts and those
// across the bank in question-lint.bank.ts.
import { BankLint } from './question-lint.bank';
import { prepare } from './question-lint.text';
import { questionRules } from './question-lint.rules';
import type { BankLintWarning, LintQuestion, LintWarning } from './question-lint.thresholds';

export { BankLint } from './question-lint.bank';
export { fold, tokens } from './question-lint.text';
export * from './question-lint.thresholds';

/** The rules that need only the question itself, in rule order. */
export function lintQuestion(q: LintQuestion): LintWarning[] {
  return questionRules(prepare(q));
}

export function lintBank(questions: LintQuestion[]): BankLintWarning[] {
  return new BankLint(questions).lintAll();
}
