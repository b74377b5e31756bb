// What everyone may read: contests, their rounds' winners and answer keys (API.md "Contests", "Results").
import { api } from './client';
import type { ResponseOf } from './openapi';

const at = encodeURIComponent;

export const list = () => api.get<ResponseOf<'/contests'>>('/contests');
/** By id or slug: the public view (no drafts). */
export const get = (idOrSlug: string) => api.get<ResponseOf<'/contests/{contestId}'>>(`/contests/${at(idOrSlug)}`);
export const winners = (roundId: string, retries?: number) => api.get<ResponseOf<'/rounds/{roundId}/winners'>>(`/rounds/${at(roundId)}/winners`, { retries });
/** The public key, and how many questions it keeps back while another round that draws them is not sealed (X-Withheld-Questions). */
export async function answerKey(roundId: string): Promise<{ items: ResponseOf<'/rounds/{roundId}/answer-key'>; withheld: number }> {
  let withheld = 0;
  const items = await api.get<ResponseOf<'/rounds/{roundId}/answer-key'>>(`/rounds/${at(roundId)}/answer-key`, {
    retries: 1,
    onResponse: (res) => (withheld = Number(res.headers.get('x-withheld-questions')) || 0),
  });
  return { items, withheld };
}
