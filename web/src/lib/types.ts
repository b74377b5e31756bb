// The API's shapes as the web app names them: aliases of the types generated from the server's
// OpenAPI document (lib/api/schema.d.ts, `npm run gen:types`), so they cannot drift from it.
import type { BodyOf, Item, ResponseOf } from './api/openapi';

export type User = ResponseOf<'/me'>;
export type Role = User['role'];
export type AuthResponse = ResponseOf<'/auth/login', 'post'>;
export type AdminUser = Item<ResponseOf<'/admin/users'>>;

export type ContestSummary = Item<ResponseOf<'/contests'>>;
/** GET /contests/:id (the public view) and GET /admin/contests/:id (the staff view: drafts, sealedAt). */
export type Contest = ResponseOf<'/contests/{contestId}'> | ResponseOf<'/admin/contests/{contestId}'>;
/** GET /admin/contests: the caller's contests, with the caller's part in each. */
export type MyContest = Item<ResponseOf<'/admin/contests'>>;
export type ContestMember = Item<ResponseOf<'/admin/contests/{contestId}/members'>>;
export type NamedRef = Item<ResponseOf<'/contests/{contestId}'>['localities']>;

export type Round = Item<Contest['rounds']>;
export type RoundStatus = Round['status'];
export type Prize = Item<Round['prizes']>;
export type RoundInput = BodyOf<'/admin/contests/{contestId}/rounds', 'post'>;

export type MyAttempt = Item<ResponseOf<'/me/attempts'>>;
export type StartedAttempt = ResponseOf<'/rounds/{roundId}/attempts', 'post'>;
export type AttemptQuestion = Item<StartedAttempt['questions']>;
export type AttemptOption = Item<AttemptQuestion['options']>;
export type AttemptResult = ResponseOf<'/attempts/{attemptId}/submit', 'post'>;
export type AnswerKeyItem = Item<ResponseOf<'/rounds/{roundId}/answer-key'>>;
export type Winners = ResponseOf<'/rounds/{roundId}/winners'>;
export type Winner = Item<Winners['winners']>;

export type AdminQuestion = Item<ResponseOf<'/admin/contests/{contestId}/questions'>>;
export type AdminOption = Item<AdminQuestion['options']>;
export type QuestionInput = BodyOf<'/admin/contests/{contestId}/questions', 'post'>;
/** A created or updated question, with the lint's warnings against the contest's bank. */
export type SavedQuestion = ResponseOf<'/admin/contests/{contestId}/questions', 'post'>;
/** A question-quality warning (API.md "Question quality"): it never blocks anything. */
export type LintWarning = Item<SavedQuestion['warnings']>;
export type LintRule = LintWarning['rule'];
export type BankLintWarning = Item<ResponseOf<'/admin/contests/{contestId}/questions/lint'>>;
export type ImportResult = ResponseOf<'/admin/contests/{contestId}/questions/import', 'post'>;
export type ImportRowError = Item<ImportResult['errors']>;
export type ImportRowWarning = Item<ImportResult['warnings']>;
export type ImportProgress = ResponseOf<'/admin/imports/{jobId}'>;
export type Pool = ResponseOf<'/admin/rounds/{roundId}/questions'>;
export type ExclusionEntry = Item<BodyOf<'/admin/contests/{contestId}/exclusions', 'put'>['entries']>;

export type RoundStats = ResponseOf<'/admin/rounds/{roundId}/stats'>;
export type FinalizeResult = ResponseOf<'/judge/rounds/{roundId}/finalize', 'post'>;
export type Ranking = ResponseOf<'/judge/rounds/{roundId}/ranking'>;
export type RankingRow = Item<Ranking['rows']>;

/** GET /admin/rounds/:roundId/item-analysis (API.md "Question quality and corrections"). */
export type ItemAnalysisRow = Item<ResponseOf<'/admin/rounds/{roundId}/item-analysis'>>;
export type ItemFlag = Item<ItemAnalysisRow['flags']>;
export type ItemOption = Item<ItemAnalysisRow['options']>;
export type CorrectionResult = ResponseOf<'/admin/questions/{questionId}/correction', 'post'>;
export type PrizeRowChange = Item<Item<NonNullable<CorrectionResult['changes']>>['prizeRows']>;

/** Item-analysis rows a judge should look at before signing: likely miskeyed and nobody reviewed them. */
export function unreviewedMiskeys(rows: readonly ItemAnalysisRow[]): ItemAnalysisRow[] {
  return rows.filter((r) => r.flags.includes('likely_miskeyed') && !r.reviewed);
}
