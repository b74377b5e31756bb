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
    this.memory.set(p.jobId, { value: p, expires: now + TTL_MS });
    for (const [k, v] of this.memory) if (v.expires < now) this.memory.delete(k);
    if (this.redis) await this.redis.set(this.key(p.jobId), JSON.stringify(p), 'PX', TTL_MS).catch(() => {});
  }

  async get(jobId: string): Promise<ImportProgress | null> {
    if (this.redis) {
      const raw = await this.redis.get(this.key(jobId)).catch(() => null);
      if (raw) return JSON.parse(raw) as ImportProgress;
    }
    const m = this.memory.get(jobId);
    return m && m.expires >= Date.now() ? m.value : null;
  }

  private key(jobId: string) {
    return `import:${jobId}`;
  }
}
