// The judges' work (API.md "Judging"): ranking, disqualifications, finalize, publish, export.
import { api } from './client';
import type { QueryOf, ResponseOf } from './openapi';

const at = encodeURIComponent;
const round = (id: string) => `/judge/rounds/${at(id)}`;

export type RankingPage = ResponseOf<'/judge/rounds/{roundId}/ranking'>;
export type Disqualification = ResponseOf<'/judge/rounds/{roundId}/disqualifications'>[number];
export type Collective = ResponseOf<'/judge/contests/{contestId}/collective-ranking'>;

/** The rows a judge must look at (an extension of API.md): `only` flagged or ineligible rows, or those with one `flag`. */
export type RankingFilter = Pick<QueryOf<'/judge/rounds/{roundId}/ranking'>, 'only' | 'flag'>;
export type RankingOnly = NonNullable<RankingFilter['only']>;
export const ranking = (roundId: string, offset: number, limit: number, filter: RankingFilter = {}) =>
  api.get<RankingPage>(`${round(roundId)}/ranking`, { query: { offset, limit, only: filter.only, flag: filter.flag } });
export const finalize = (roundId: string) => api.post<ResponseOf<'/judge/rounds/{roundId}/finalize', 'post'>>(`${round(roundId)}/finalize`);
export const publish = (roundId: string) => api.post(`${round(roundId)}/publish`);
export const disqualifications = (roundId: string) => api.get<Disqualification[]>(`${round(roundId)}/disqualifications`);
export const disqualify = (roundId: string, userId: string, reason: string) => api.post(`${round(roundId)}/disqualifications`, { userId, reason });
export const reinstate = (roundId: string, userId: string) => api.del(`${round(roundId)}/disqualifications/${at(userId)}`);
export const exportResults = (roundId: string, format: string, fallbackName: string) =>
  api.download(`${round(roundId)}/export`, { query: { format } }, fallbackName);
export const collective = (contestId: string, roundId?: string) =>
  api.get<Collective>(`/judge/contests/${at(contestId)}/collective-ranking`, { query: { roundId: roundId || undefined } });
