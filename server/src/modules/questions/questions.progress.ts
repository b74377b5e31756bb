import type { Redis } from 'ioredis';

export type ImportPhase = 'reading' | 'validating' | 'writing' | 'done' | 'failed';

export interface ImportProgress {
  jobId: string;
  ownerId: string;
  phase: ImportPhase;
  dryRun: boolean;
  /** Rows handled in the current phase, out of `total`. */
  processed: number;
  total: number;
  created: number;
  errorCount: number;
  startedAt: string;
  updatedAt: string;
}

const TTL_MS = 60 * 60 * 1000;

/**
 * Where a running import says how far it got, so another request (the organizer's
 * page polling) can show it. Redis when there is one (any process can answer), else
 * this process's memory (the embedded default runs one process). Progress is a
 * convenience: when Redis fails, the import goes on and the progress falls back.
 */
export class ProgressStore {
  private memory = new Map<string, { value: ImportProgress; expires: number }>();

  constructor(private redis: Redis | null) {}

  async set(p: ImportProgress): Promise<void> {
    const now = Date.now();
    const key = this.key(p.ownerId, p.jobId);
    this.memory.set(key, { value: { ...p }, expires: now + TTL_MS });
    for (const [k, v] of this.memory) if (v.expires < now) this.memory.delete(k);
    if (this.redis) await this.redis.set(key, JSON.stringify(p), 'PX', TTL_MS).catch(() => {});
  }

  /** Job ids are chosen by clients, so each user has their own: nobody reads or overwrites another's. */
  async get(ownerId: string, jobId: string): Promise<ImportProgress | null> {
    const key = this.key(ownerId, jobId);
    if (this.redis) {
      const raw = await this.redis.get(key).catch(() => null);
      if (raw) return JSON.parse(raw) as ImportProgress;
    }
    const m = this.memory.get(key);
    return m && m.expires >= Date.now() ? m.value : null;
  }

  private key(ownerId: string, jobId: string) {
    return `import:{${ownerId}}:${jobId}`;
  }
}
