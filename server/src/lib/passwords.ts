import { hash, verify } from '@node-rs/argon2';
import { tooManyRequests } from './errors';
import { Semaphore } from './semaphore';

// argon2id, OWASP's minimum profile (19 MiB, 2 passes): memory-hard, yet a login burst
// of a whole office stays within a few ms of CPU each.
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashing runs on libuv's 4 threads; beyond them requests only queue. A bounded queue
 * behind them turns a flood of bad logins into quick 429s (Retry-After: 1) instead of
 * minutes of waiting for everyone, real residents included.
 */
export const HASH_CONCURRENCY = 4;
export const HASH_QUEUE = 32;
const slots = new Semaphore(HASH_CONCURRENCY, HASH_QUEUE);

async function guarded<T>(task: () => Promise<T>): Promise<T> {
  const r = await slots.run(task);
  if (!r) throw tooManyRequests(1, 'The server is busy checking passwords: try again in a moment');
  return r.value;
}

// Verified when the phone is unknown, so a login takes as long either way.
const DUMMY_HASH = hash('timing-equalizer-password', ARGON);

export const hashPassword = (password: string) => guarded(() => hash(password, ARGON));

/** False for a wrong password, and for no account at all (checked against a dummy hash, same cost). */
export const verifyPassword = (passwordHash: string | null | undefined, password: string) =>
  guarded(async () => verify(passwordHash ?? (await DUMMY_HASH), password).catch(() => false));

export const hashingLoad = () => ({ active: slots.inUse, queued: slots.queued });
