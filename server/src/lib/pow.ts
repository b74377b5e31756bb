import { createHmac, randomInt } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';

// Self-hosted proof of work (ALTCHA v2) in front of registration: each account costs a
// browser about a second of hashing, which is nothing to a resident and a real cost to a
// farm creating thousands of accounts. No outside service is involved.

export interface PowOptions {
  /** The solver's expected work: counters are drawn from [minCounter, maxCounter]. */
  minCounter: number;
  maxCounter: number;
  /** SHA-256 rounds per counter. */
  cost: number;
  ttlMs: number;
}

export const defaultPow: PowOptions = { minCounter: 5_000, maxCounter: 40_000, cost: 2, ttlMs: 10 * 60_000 };

export interface PowKeys {
  signature: string;
  keySignature: string;
}

/** Two independent HMAC keys derived from the app secret. */
export function powKeys(secret: string): PowKeys {
  const derive = (label: string) => createHmac('sha256', secret).update(`altcha:${label}`).digest('base64url');
  return { signature: derive('signature'), keySignature: derive('key-signature') };
}

export async function makePowChallenge(keys: PowKeys, opts: PowOptions, now = Date.now()): Promise<Challenge> {
  return createChallenge({
    algorithm: 'SHA-256',
    cost: opts.cost,
    counter: randomInt(opts.minCounter, opts.maxCounter + 1),
    deriveKey,
    expiresAt: new Date(now + opts.ttlMs),
    hmacSignatureSecret: keys.signature,
    hmacKeySignatureSecret: keys.keySignature,
  });
}

export interface PowPayload {
  challenge: Challenge;
  solution: Solution;
}

/** Decodes the base64 JSON the client sends; null when it is not a payload at all. */
export function decodePowPayload(raw: string): PowPayload | null {
  try {
    const p = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as PowPayload;
    if (!p || typeof p !== 'object' || typeof p.challenge?.parameters !== 'object' || typeof p.solution?.counter !== 'number') return null;
    return p;
  } catch {
    return null;
  }
}

export type PowVerdict = 'ok' | 'invalid' | 'expired';

export async function checkPow(keys: PowKeys, payload: PowPayload): Promise<PowVerdict> {
  try {
    const r = await verifySolution({
      challenge: payload.challenge,
      solution: payload.solution,
      deriveKey,
      hmacSignatureSecret: keys.signature,
      hmacKeySignatureSecret: keys.keySignature,
    });
    if (r.verified) return 'ok';
    return r.expired ? 'expired' : 'invalid';
  } catch {
    return 'invalid';
  }
}
