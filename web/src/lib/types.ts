// Shapes from /work/shared/API.md, as the web app uses them.

export type Role = 'resident' | 'organizer' | 'judge' | 'admin';
export type RoundStatus = 'upcoming' | 'open' | 'closed' | 'finalized' | 'published';

export interface User {
  id: string;
  fullName: string;
  phone: string;
  role: Role;
  nationalId?: string;
  birthYear?: number;
  localityId?: string;
  unitId?: string;
  category?: string;
  /** GET /me after a help-desk reset: the password must be changed before anything else. */
  mustChangePassword?: boolean;
}

export interface AuthResponse {
  token: string;
  user: User;
  mustChangePassword?: boolean;
}

/** GET /admin/contests: the caller's contests, with the caller's part in each. */
export interface MyContest extends ContestSummary {
  role: 'organizer' | 'judge' | 'admin';
}

export interface ContestMember {
  userId: string;
  fullName: string;
  phone: string;
  role: 'organizer' | 'judge';
}

export interface AdminUser extends User {
  disabled: boolean;
}

export interface Prize {
  name: string;
  count: number;
}

export interface Round {
  id: string;
  contestId?: string;
  number: number;
  title: string;
  opensAt: string;
  closesAt: string;
  questionCount: number;
  timeLimitSeconds: number;
  maxAttempts: number;
  status: RoundStatus;
  predictionPrompt: string;
  predictionTarget?: 'all_correct_people' | 'all_correct_entries' | 'participants' | 'entries';
  revealScore?: 'immediately' | 'after_close';
  minMsPerQuestion?: number | null;
  prizes?: Prize[];
  /** Staff only: when no submission can be accepted any more (the answer key opens then), and whether that time has come. */
  sealedAt?: string;
  sealed?: boolean;
}

export interface NamedRef {
  id: string;
  name: string;
}

export interface ContestSummary {
  id: string;
  slug: string;
  title: string;
  status: 'draft' | 'active' | 'archived';
}

export interface Contest extends ContestSummary {
  description: string;
  rules: string;
  onePrizePerPerson?: boolean;
  rounds: Round[];
  localities?: NamedRef[];
  units?: NamedRef[];
}

export interface MyAttempt {
  attemptId: string;
  roundId: string;
  contestId?: string;
  roundNumber?: number;
  attemptNo: number;
  status: 'in_progress' | 'submitted' | 'expired';
  startedAt: string;
  deadline?: string;
  submittedAt?: string;
  durationMs?: number;
  score?: number;
  total: number;
  /** Extension: a question of this attempt was corrected or voided after it was taken; `score` is the regraded one. */
  corrected?: true;
}

export interface AttemptOption {
  id: string;
  text: string;
}

export interface AttemptQuestion {
  id: string;
  text: string;
  options: AttemptOption[];
}

export interface StartedAttempt {
  attemptId: string;
  attemptNo: number;
  startedAt: string;
  deadline: string;
  questions: AttemptQuestion[];
  predictionPrompt: string;
}

export interface AttemptResult {
  attemptId: string;
  status: 'submitted';
  submittedAt: string;
  durationMs: number;
  total: number;
  score?: number;
  duplicate?: boolean;
}

export interface AnswerKeyItem {
  questionId: string;
  text: string;
  options: AttemptOption[];
  correctOptionId: string;
  explanation?: string | null;
}

export interface Winner {
  rank: number;
  prize: string | null;
  fullName: string;
  maskedPhone: string;
  locality?: string | null;
  unit?: string | null;
  score: number;
  prediction: number;
  durationMs: number;
}

export interface Winners {
  actualCount: number;
  winners: Winner[];
}

export interface AdminOption {
  id?: string;
  text: string;
  correct: boolean;
}

export interface AdminQuestion {
  id: string;
  contestId: string;
  text: string;
  options: AdminOption[];
  topic: string | null;
  explanation: string | null;
  updatedAt?: string;
  /** In lists and pools: the answer is already public (in a sealed round's key). */
  published?: boolean;
}

export type LintRule = 'lower_bound_options' | 'longest_correct' | 'answer_in_stem' | 'near_duplicate' | 'answered_elsewhere' | 'all_of_the_above' | 'undated_statistic';

/** A question-quality warning (API.md "Question quality"): it never blocks anything. */
export interface LintWarning {
  rule: LintRule;
  message: string;
  messageEn: string;
  relatedQuestionId?: string;
}
export interface BankLintWarning extends LintWarning {
  questionId: string;
}
/** A created or updated question, with the lint's warnings against the contest's bank. */
export interface SavedQuestion extends AdminQuestion {
  warnings: LintWarning[];
}
export interface ImportRowWarning {
  row: number;
  rule: LintRule;
  message: string;
  messageEn: string;
  relatedQuestionId?: string;
  relatedRow?: number;
}

export interface QuestionInput {
  text: string;
  options: { text: string; correct: boolean }[];
  topic?: string | null;
  explanation?: string | null;
}

export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

export interface ImportResult {
  created: number;
  errors: ImportRowError[];
  dryRun?: boolean;
}

export interface Pool {
  roundId: string;
  questionCount: number;
  size: number;
  questions: AdminQuestion[];
}

export interface RoundInput {
  number: number;
  title?: string;
  opensAt: string;
  closesAt: string;
  questionCount: number;
  timeLimitSeconds: number;
  maxAttempts: number;
  revealScore: 'immediately' | 'after_close';
  predictionPrompt?: string;
  predictionTarget?: Round['predictionTarget'];
  prizes: Prize[];
  /** Fair play: attempts faster than this per question are flagged for the judges (null: 1500 ms). */
  minMsPerQuestion?: number | null;
}

export interface ExclusionEntry {
  nationalId?: string | null;
  phone?: string | null;
  note?: string | null;
}

/** Stats rows: names vary by implementation, so the page reads them leniently. */
export interface RoundStats {
  participants: number;
  attempts: number;
  submitted: number;
  byLocality: unknown[];
  byUnit: unknown[];
  timeline: unknown[];
}

export interface FinalizeResult {
  actualCount: number;
  participants: number;
  ranked: number;
  checksum: string;
  finalizedAt: string;
}

export interface RankingRow {
  rank: number | null;
  prize: string | null;
  userId: string;
  fullName: string;
  nationalId: string;
  phone: string;
  birthYear: number;
  locality?: string | null;
  unit?: string | null;
  category?: string | null;
  attemptId: string;
  attemptNo: number;
  score: number;
  total: number;
  prediction: number;
  predictionError: number;
  durationMs: number;
  submittedAt: string;
  eligible: boolean;
  ineligibleReason?: string | null;
  /** Fair-play signals for the judges (never a verdict): too_fast, same_answers_same_order, answer_farm. */
  flags?: string[];
}

export interface Ranking {
  actualCount: number;
  total?: number;
  rows: RankingRow[];
}

/** GET /admin/rounds/:roundId/item-analysis (API.md "Question quality and corrections"). */
export type ItemFlag = 'likely_miskeyed' | 'ambiguous' | 'too_easy' | 'too_hard';
export interface ItemOption {
  optionId: string;
  text: string;
  correct: boolean;
  chosen: number;
  chosenTop: number;
  chosenBottom: number;
}
export interface ItemAnalysisRow {
  questionId: string;
  text: string;
  position: number;
  drawn: number;
  answered: number;
  facility: number | null;
  discrimination: number | null;
  options: ItemOption[];
  flags: ItemFlag[];
  flagMessages: { flag: ItemFlag; message: string; messageEn: string }[];
  voided: boolean;
  reviewed: boolean;
}
export interface PrizeRowChange {
  userId: string;
  fullName: string | null;
  positionBefore: number | null;
  positionAfter: number | null;
  prizeBefore: string | null;
  prizeAfter: string | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
}
export interface CorrectionResult {
  regraded: number;
  rounds: string[];
  scoresChanged: number;
  staleRounds: string[];
  withdrawnRounds: string[];
  dryRun: boolean;
  changes?: { roundId: string; scoresChanged: number; prizeRowsChanged: number; finalized: boolean; prizeRows: PrizeRowChange[] }[];
}

/** Item-analysis rows a judge should look at before signing: likely miskeyed and nobody reviewed them. */
export function unreviewedMiskeys(rows: readonly ItemAnalysisRow[]): ItemAnalysisRow[] {
  return rows.filter((r) => r.flags.includes('likely_miskeyed') && !r.reviewed);
}
