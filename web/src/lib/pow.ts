// Registration's proof of work (server/src/lib/pow.ts, ALTCHA v2): when the server asks for
// it, the browser spends about a second hashing before it may create an account.
import type { Api } from './api';

interface ChallengeResponse {
  required: boolean;
  challenge?: { parameters: Record<string, unknown>; signature?: string };
}

export interface PowTicket {
  /** base64 JSON `{ challenge, solution }`, sent as `altcha`; undefined when not required. */
  payload: string | undefined;
  fetchedAt: number;
}

/** The server's challenge lives 10 minutes; refresh well before. */
export const POW_MAX_AGE_MS = 8 * 60_000;

export async function solvePow(client: Api, signal?: AbortSignal): Promise<PowTicket> {
  const fetchedAt = Date.now();
  const res = await client.get<ChallengeResponse>('/auth/challenge', { signal });
  if (!res.required || !res.challenge) return { payload: undefined, fetchedAt };
  // Loaded only when needed: most page views never register.
  const [{ solveChallenge }, { deriveKey }] = await Promise.all([import('altcha-lib'), import('altcha-lib/algorithms/web/sha')]);
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  const challenge = res.challenge as unknown as Parameters<typeof solveChallenge>[0]['challenge'];
  const solution = await solveChallenge({ challenge, deriveKey, controller, timeout: 120_000 });
  if (!solution) throw new Error('proof of work not solved');
  return { payload: btoa(JSON.stringify({ challenge: res.challenge, solution })), fetchedAt };
}
