import type { Redis } from 'ioredis';

export interface ThrottleResult {
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets (meaningful when not allowed). */
  retryAfterMs: number;
}

/** A fixed-window counter: `limit` hits per `windowMs` for each key. */
export interface Throttle {
  hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult>;
}

interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** In-process counters: the embedded default, and the fallback while Redis is down. */
export class MemoryThrottle implements Throttle {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  constructor(private now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult> {
    return this.hitSync(key, limit, windowMs);
  }

  hitSync(key: string, limit: number, windowMs: number): ThrottleResult {
    const now = this.now();
    if (now - this.lastSweep > 60_000) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= limit, count: w.count, retryAfterMs: Math.max(0, w.resetAt - now) };
  }

  private sweep(now: number) {
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

const HIT_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}
`;

type RedisWithHit = Redis & { throttleHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Counters in Redis, shared by every API process. When Redis fails a command, this
 * process falls back to its own counters (a few extra requests may pass, which is the
 * accepted cost) and goes back to Redis as soon as a command succeeds again.
 */
export class RedisThrottle implements Throttle {
  private fallback = new MemoryThrottle();
  private degraded = false;
  private redis: RedisWithHit;

  constructor(
    redis: Redis,
    private log: Logger,
  ) {
    if (!(redis as unknown as Partial<RedisWithHit>).throttleHit) redis.defineCommand('throttleHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis = redis as unknown as RedisWithHit;
  }

  get isDegraded() {
    return this.degraded;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult> {
    try {
      const [count, ttl] = await this.redis.throttleHit(key, windowMs);
      if (this.degraded) {
        this.degraded = false;
        this.log.info({ throttle: 'redis' }, 'Redis is back: throttling through Redis again');
      }
      return { allowed: count <= limit, count, retryAfterMs: Math.max(0, ttl) };
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.log.warn({ err, throttle: 'memory' }, 'Redis unavailable: falling back to the in-process throttle');
      }
      return this.fallback.hitSync(key, limit, windowMs);
    }
  }
}
