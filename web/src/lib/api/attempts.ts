// A resident's attempts (API.md "Attempts"): the hot path.
import { api, type Api } from './client';
import type { BodyOf, ResponseOf } from './openapi';

const at = encodeURIComponent;

export type StartedAttempt = ResponseOf<'/rounds/{roundId}/attempts', 'post'>;
export type AttemptResult = ResponseOf<'/attempts/{attemptId}/submit', 'post'>;
export type SubmitBody = BodyOf<'/attempts/{attemptId}/submit', 'post'>;

export const mine = () => api.get<ResponseOf<'/me/attempts'>>('/me/attempts');
export type MyOverride = ResponseOf<'/me/overrides'>[number];
/** Extension: what organizers granted me per round (extra attempts beyond maxAttempts, extra seconds); [] when nothing. */
export const myOverrides = () => api.get<MyOverride[]>('/me/overrides');
/** Attempts I may make in a round: its maxAttempts plus what an override granted me. */
export const allowedAttempts = (round: { id: string; maxAttempts: number }, overrides: readonly MyOverride[] | null | undefined) =>
  round.maxAttempts + (overrides?.find((o) => o.roundId === round.id)?.extraAttempts ?? 0);
/** Starting twice is safe: a running attempt comes back (200) instead of a new one. */
export const start = (roundId: string, retries: number) =>
  api.post<StartedAttempt>(`/rounds/${at(roundId)}/attempts`, undefined, { idempotent: true, retries });
/** Submit is idempotent (a repeat returns the stored result); the caller retries it. */
export const submit = (attemptId: string, body: SubmitBody, client: Api = api) =>
  client.post<AttemptResult>(`/attempts/${at(attemptId)}/submit`, body, { idempotent: true, retries: 0, timeoutMs: 15_000 });
/** Extension: my attempt beside the answer key, once the key is public (409 ROUND_NOT_CLOSED before). */
export const review = (attemptId: string) => api.get<ResponseOf<'/me/attempts/{attemptId}/review'>>(`/me/attempts/${at(attemptId)}/review`);
