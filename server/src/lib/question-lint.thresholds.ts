// The lint's rules, thresholds and shapes (question-lint.ts).

export const LINT_RULES = [
  'lower_bound_options',
  'longest_correct',
  'answer_in_stem',
  'near_duplicate',
  'answered_elsewhere',
  'all_of_the_above',
  'undated_statistic',
] as const;
export type LintRule = (typeof LINT_RULES)[number];

/**
 * Every threshold of the lint, in one place.
 * - boundOptionsMin: this many options that are lower bounds ("Hơn 8.500") — or upper
 *   bounds ("Dưới 10%") — make a smaller (larger) wrong option literally true as well.
 * - longestRatio / longestMinChars: the correct option at least this many times as long
 *   as every other option (characters, trimmed) gives it away; options shorter than
 *   longestMinChars (figures such as "100%" against "50%") are not judged.
 * - answerInStemShare: share of the correct option's distinctive phrases (syllable pairs
 *   no other option has) that must stand in the stem, while no wrong option reaches it.
 * - nearDuplicateSimilarity: two stems are near duplicates when this share of the shorter
 *   one's syllable trigrams (numbers masked, so "năm 2025"/"năm 2030" match) stand in the
 *   other; a stem with fewer than nearDuplicateMinTrigrams trigrams (four syllables or
 *   fewer) is a duplicate only of the same stem written again.
 * - answeredElsewhereMinChars: a correct option whose words (numbers left out, normalized,
 *   with spaces) are shorter than this — "Năm 2023", "100%" — is too common to count as a
 *   give-away when it stands in another stem. It counts only when none of the question's
 *   wrong options stands in that stem too.
 * - issuerOptionMaxWords: answer_in_stem matches a document number's issuer code ("…/TU")
 *   only to options of at most this many syllables (names of bodies, not descriptions).
 * - maxRelatedPerQuestion: at most this many related questions reported per rule and
 *   question (a templated bank would otherwise list every pair).
 * - relatedScanLimit: a question's search for near duplicates stops once it has found this
 *   many (so a bank of 5,000 copies of one template stays linear); the reported ones are
 *   then some of them, not necessarily the closest.
 */
export const LINT_THRESHOLDS = {
  boundOptionsMin: 2,
  longestRatio: 1.35,
  longestMinChars: 8,
  answerInStemShare: 0.5,
  nearDuplicateSimilarity: 0.8,
  nearDuplicateMinTrigrams: 3,
  answeredElsewhereMinChars: 8,
  issuerOptionMaxWords: 8,
  maxRelatedPerQuestion: 3,
  relatedScanLimit: 50,
} as const;

export interface LintOption {
  text: string;
  correct: boolean;
}
export interface LintQuestion {
  id: string;
  text: string;
  options: LintOption[];
}
export interface LintWarning {
  rule: LintRule;
  /** Vietnamese */
  message: string;
  messageEn: string;
  relatedQuestionId?: string;
}
export interface BankLintWarning extends LintWarning {
  questionId: string;
}
