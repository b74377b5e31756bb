// What everyone may read: contests, their rounds' winners and answer keys (API.md "Contests", "Results").
import { api } from './client';
import type { ResponseOf } from './openapi';

const at = encodeURIComponent;

export const list = () => api.get<ResponseOf<'/contests'>>('/contests');
/** By id or slug: the public view (no drafts). */
export const get = (idOrSlug: string) => api.get<ResponseOf<'/contests/{contestId}'>>(`/contests/${at(idOrSlug)}`);
export const winners = (roundId: string, retries?: number) => api.get<ResponseOf<'/rounds/{roundId}/winners'>>(`/rounds/${at(roundId)}/winners`, { retries });
export const answerKey = (roundId: string) => api.get<ResponseOf<'/rounds/{roundId}/answer-key'>>(`/rounds/${at(roundId)}/answer-key`, { retries: 1 });
