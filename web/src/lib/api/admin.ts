// Organizer tools (API.md "Admin"): contests, rounds, question bank, pools, lists, users, audit.
import { api } from './client';
import type { BodyOf, QueryOf, ResponseOf } from './openapi';

const at = encodeURIComponent;
const contest = (id: string) => `/admin/contests/${at(id)}`;
const round = (id: string) => `/admin/rounds/${at(id)}`;
const question = (id: string) => `/admin/questions/${at(id)}`;

// Contests
export const myContests = () => api.get<ResponseOf<'/admin/contests'>>('/admin/contests');
export const getContest = (id: string) => api.get<ResponseOf<'/admin/contests/{contestId}'>>(contest(id));
export const createContest = (body: BodyOf<'/admin/contests', 'post'>) => api.post<ResponseOf<'/admin/contests', 'post'>>('/admin/contests', body);
export const updateContest = (id: string, body: BodyOf<'/admin/contests/{contestId}', 'patch'>) => api.patch(contest(id), body);
export const members = (id: string) => api.get<ResponseOf<'/admin/contests/{contestId}/members'>>(`${contest(id)}/members`);
export const setMembers = (id: string, body: BodyOf<'/admin/contests/{contestId}/members', 'put'>) =>
  api.put<ResponseOf<'/admin/contests/{contestId}/members', 'put'>>(`${contest(id)}/members`, body);
export type RefKind = 'localities' | 'units';
export type RefItem = ResponseOf<'/admin/contests/{contestId}/localities'>[number];
export const refList = (id: string, kind: RefKind) => api.get<RefItem[]>(`${contest(id)}/${kind}`);
export type Exclusions = ResponseOf<'/admin/contests/{contestId}/exclusions'>;
export const exclusionsPath = (id: string) => `${contest(id)}/exclusions`;
export const exclusions = (id: string) => api.get<Exclusions>(exclusionsPath(id));
export const setExclusions = (id: string, body: BodyOf<'/admin/contests/{contestId}/exclusions', 'put'>) => api.put<Exclusions>(exclusionsPath(id), body);

// Rounds
export type RoundInput = BodyOf<'/admin/contests/{contestId}/rounds', 'post'>;
export type SavedRound = ResponseOf<'/admin/contests/{contestId}/rounds', 'post'>;
export const createRound = (contestId: string, body: RoundInput) => api.post<SavedRound>(`${contest(contestId)}/rounds`, body);
export const updateRound = (roundId: string, body: BodyOf<'/admin/rounds/{roundId}', 'patch'>) => api.patch<SavedRound>(round(roundId), body);
export type Pool = ResponseOf<'/admin/rounds/{roundId}/questions'>;
export const pool = (roundId: string) => api.get<Pool>(`${round(roundId)}/questions`);
export const setPool = (roundId: string, body: BodyOf<'/admin/rounds/{roundId}/questions', 'put'>) => api.put<Pool>(`${round(roundId)}/questions`, body);
export type Override = ResponseOf<'/admin/rounds/{roundId}/overrides'>[number];
export const overrides = (roundId: string) => api.get<Override[]>(`${round(roundId)}/overrides`);
export const setOverride = (roundId: string, body: BodyOf<'/admin/rounds/{roundId}/overrides', 'post'>) =>
  api.post<Override>(`${round(roundId)}/overrides`, body);
export const stats = (roundId: string) => api.get<ResponseOf<'/admin/rounds/{roundId}/stats'>>(`${round(roundId)}/stats`, { retries: 1 });

// Question bank
export const questions = (contestId: string, query?: QueryOf<'/admin/contests/{contestId}/questions'>) =>
  api.get<ResponseOf<'/admin/contests/{contestId}/questions'>>(`${contest(contestId)}/questions`, { query });
export const bankLint = (contestId: string) => api.get<ResponseOf<'/admin/contests/{contestId}/questions/lint'>>(`${contest(contestId)}/questions/lint`);
export type QuestionInput = BodyOf<'/admin/contests/{contestId}/questions', 'post'>;
export type SavedQuestion = ResponseOf<'/admin/contests/{contestId}/questions', 'post'>;
export const createQuestion = (contestId: string, body: QuestionInput) => api.post<SavedQuestion>(`${contest(contestId)}/questions`, body);
export const updateQuestion = (questionId: string, body: BodyOf<'/admin/questions/{questionId}', 'patch'>) =>
  api.patch<SavedQuestion>(question(questionId), body);
export const deleteQuestion = (questionId: string) => api.del(question(questionId));
export type ImportProgress = ResponseOf<'/admin/imports/{jobId}'>;
export const importProgress = (jobId: string) => api.get<ImportProgress>(`/admin/imports/${at(jobId)}`, { retries: 0 });
/** The bank as a file, or the empty template to fill in. */
export const downloadQuestions = (contestId: string, what: 'export' | 'template', format: string, fallbackName: string) =>
  api.download(`${contest(contestId)}/questions/${what}`, { query: { format } }, fallbackName);
/** Where a contest's file imports go (multipart uploads). */
export const importPath = (contestId: string, what: 'questions' | 'exclusions' | RefKind) => `${contest(contestId)}/${what}/import`;

// Corrections (API.md "Question quality and corrections")
export const itemAnalysis = (roundId: string) => api.get<ResponseOf<'/admin/rounds/{roundId}/item-analysis'>>(`${round(roundId)}/item-analysis`);
export type CorrectionBody = BodyOf<'/admin/questions/{questionId}/correction', 'post'>;
export type CorrectionResult = ResponseOf<'/admin/questions/{questionId}/correction', 'post'>;
export const correct = (questionId: string, body: CorrectionBody, dryRun = false) =>
  api.post<CorrectionResult>(`${question(questionId)}/correction`, body, dryRun ? { query: { dryRun: true } } : undefined);
export const confirmKey = (questionId: string) => api.post(`${question(questionId)}/key-confirmation`, {});

// Users and audit (admins)
export type AdminUser = ResponseOf<'/admin/users'>[number];
export const users = (phone: string) => api.get<AdminUser[]>('/admin/users', { query: { phone } });
export const updateUser = (userId: string, body: BodyOf<'/admin/users/{userId}', 'patch'>) => api.patch<AdminUser>(`/admin/users/${at(userId)}`, body);
export const resetUserPassword = (userId: string) =>
  api.post<ResponseOf<'/admin/users/{userId}/password-reset', 'post'>>(`/admin/users/${at(userId)}/password-reset`);
export type AuditPage = ResponseOf<'/admin/audit'>;
export const audit = (query: QueryOf<'/admin/audit'>) => api.get<AuditPage>('/admin/audit', { query });
/** One record whole: the list leaves out a before or after too large for it (`complete` false). */
export type AuditRecord = ResponseOf<'/admin/audit/{id}'>;
export const auditRecord = (id: number) => api.get<AuditRecord>(`/admin/audit/${id}`);
