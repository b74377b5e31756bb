import type { Redis } from 'ioredis';

export interface ThrottleResult {
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets (meaningful when not allowed). */
  retryAfterMs: number;
}

export interface Budget {
  limit: number;
  windowMs: number;
}

export interface GateRequest {
  /** Fixed-window counters; each counts one hit. */
  rates: { key: string; budget: Budget }[];
  /** Markers to read in the same round trip (a stored result, an attempt's summary). */
  markerKeys?: string[];
}

export interface GateResult {
  allowed: boolean;
  retryAfterMs: number;
  /** The markers' values in the order asked; null when absent or when Redis is unavailable. */
  markers: (string | null)[];
}

/** Fixed-window counters: `limit` hits per `windowMs` for each key. */
export interface Throttle {
  hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult>;
  /** Every budget of one request, and its marker, in one server-side script. */
  gate(req: GateRequest): Promise<GateResult>;
  /** Best effort: a marker is a shortcut, never the truth (Postgres is). */
  setMarker(key: string, value: string, ttlMs: number): void;
  /** A counter's hits in its current window, without counting one. */
  peek(key: string): Promise<{ count: number; retryAfterMs: number }>;
  readonly mode: 'redis' | 'memory';
}

interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** In-process counters: the embedded default, and the fallback while Redis is down. */
export class MemoryThrottle implements Throttle {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep: number;
  readonly mode = 'memory' as const;

  constructor(private now: () => number = Date.now) {
    this.lastSweep = now();
  }

  async hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult> {
    return this.hitSync(key, limit, windowMs);
  }

  async gate(req: GateRequest): Promise<GateResult> {
    return this.gateSync(req);
  }

  gateSync(req: GateRequest): GateResult {
    let allowed = true;
    let retryAfterMs = 0;
    for (const { key, budget } of req.rates) {
      const r = this.hitSync(key, budget.limit, budget.windowMs);
      if (!r.allowed) {
        allowed = false;
        retryAfterMs = Math.max(retryAfterMs, r.retryAfterMs);
      }
    }
    return { allowed, retryAfterMs, markers: (req.markerKeys ?? []).map(() => null) };
  }

  setMarker(): void {
    // Markers only save a database read; without Redis the database answers.
  }

  async peek(key: string) {
    return this.peekSync(key);
  }

  peekSync(key: string) {
    const w = this.windows.get(key);
    const now = this.now();
    if (!w || w.resetAt <= now) return { count: 0, retryAfterMs: 0 };
    return { count: w.count, retryAfterMs: w.resetAt - now };
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

// The gates of one or more requests in one script. ARGV[1] = the number of requests, then
// per request: its counters n, its markers m, and limit and window (ms) of each counter;
// KEYS: per request, its n counters then its m markers. Returns per request
// {allowed (0/1), retryAfterMs, largest count, each marker or false}, one after another.
const GATE_SCRIPT = `
local out = {}
local a = 2
local k = 0
for r = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  local m = tonumber(ARGV[a + 1])
  a = a + 2
  local allowed = 1
  local retry = 0
  local top = 0
  for i = 1, n do
    local limit = tonumber(ARGV[a])
    local window = tonumber(ARGV[a + 1])
    a = a + 2
    k = k + 1
    local c = redis.call('INCR', KEYS[k])
    if c == 1 then redis.call('PEXPIRE', KEYS[k], window) end
    if c > top then top = c end
    if c > limit then
      allowed = 0
      local ttl = redis.call('PTTL', KEYS[k])
      if ttl < 0 then redis.call('PEXPIRE', KEYS[k], window); ttl = window end
      if ttl > retry then retry = ttl end
    end
  end
  out[#out + 1] = allowed
  out[#out + 1] = retry
  out[#out + 1] = top
  for i = 1, m do
    k = k + 1
    out[#out + 1] = redis.call('GET', KEYS[k])
  end
end
return out
`;

const PEEK_SCRIPT = `return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}`;

// KEYS: markers to set; ARGV: value and TTL (ms) of each, in turn.
const SET_MARKERS_SCRIPT = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PX', ARGV[2 * i]) end
return #KEYS
`;

type GateReply = (number | string | null)[];
type CountedGateResult = GateResult & { count: number };
/** One gate's part of the reply: allowed (0/1), retryAfterMs, largest count, each marker. */
type SingleReply = [number, number, number, ...(string | null)[]];

/** A script of 32 gates runs in about half a millisecond: Redis is never held up for long, and the first replies come back while later gates wait. */
const MAX_GATES_PER_SCRIPT = 32;
type RedisWithGate = Redis & {
  hotGate(numKeys: number, ...args: (string | number)[]): Promise<GateReply>;
  peekCounter(numKeys: number, key: string): Promise<[number, number]>;
  setMarkers(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

interface PendingMarker {
  key: string;
  value: string;
  ttlMs: number;
}

/** The `{...}` hash tag of a key: Redis Cluster puts keys with one tag in one slot. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

export interface RedisThrottleOptions {
  /** While Redis is failing, try it again at most this often (ms); in between, memory answers at once. */
  probeEveryMs?: number;
  now?: () => number;
}

/**
 * Counters in Redis, shared by every API process; each request's budgets (and its
 * markers) are one gate of a script EVALSHA'd by ioredis, and the gates asked in one turn
 * of the event loop share one script (one command for Redis to run instead of one each). When Redis fails a command this
 * process switches to its own counters (a few extra requests may pass, the accepted
 * cost) and stops calling Redis until the next probe, so an outage costs at most one
 * command timeout per probe period instead of one per request.
 */
export class RedisThrottle implements Throttle {
  private fallback: MemoryThrottle;
  private degradedSince: number | null = null;
  private nextProbeAt = 0;
  private redis: RedisWithGate;
  private pendingMarkers: PendingMarker[] = [];
  private pendingGates: { g: GateRequest; resolve: (r: CountedGateResult) => void; reject: (err: unknown) => void }[] = [];
  private probeEveryMs: number;
  private now: () => number;
  /** Changes of mode so far (to the fallback and back), for the metrics. */
  switches = 0;

  constructor(
    redis: Redis,
    private log: Logger,
    opts: RedisThrottleOptions = {},
  ) {
    if (!(redis as unknown as Partial<RedisWithGate>).hotGate) redis.defineCommand('hotGate', { lua: GATE_SCRIPT });
    if (!(redis as unknown as Partial<RedisWithGate>).peekCounter) redis.defineCommand('peekCounter', { lua: PEEK_SCRIPT });
    if (!(redis as unknown as Partial<RedisWithGate>).setMarkers) redis.defineCommand('setMarkers', { lua: SET_MARKERS_SCRIPT });
    this.redis = redis as unknown as RedisWithGate;
    this.probeEveryMs = opts.probeEveryMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.fallback = new MemoryThrottle(this.now);
    // A reconnect ends the outage early instead of waiting for the next probe.
    redis.on('ready', () => {
      if (this.degradedSince !== null) this.nextProbeAt = 0;
    });
  }

  get mode(): 'redis' | 'memory' {
    return this.degradedSince === null ? 'redis' : 'memory';
  }

  get isDegraded() {
    return this.degradedSince !== null;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<ThrottleResult> {
    const r = await this.run({ rates: [{ key, budget: { limit, windowMs } }] });
    return { allowed: r.allowed, count: r.count, retryAfterMs: r.retryAfterMs };
  }

  gate(req: GateRequest): Promise<GateResult> {
    return this.run(req).then(({ allowed, retryAfterMs, markers }) => ({ allowed, retryAfterMs, markers }));
  }

  async peek(key: string): Promise<{ count: number; retryAfterMs: number }> {
    if (this.degradedSince !== null && this.now() < this.nextProbeAt) return this.fallback.peekSync(key);
    try {
      const [count, ttl] = await this.redis.peekCounter(1, key);
      return { count: Number(count), retryAfterMs: Math.max(0, Number(ttl)) };
    } catch {
      // The gate notices the outage and switches over; a peek just reads the fallback.
      return this.fallback.peekSync(key);
    }
  }

  /**
   * Markers set in one turn of the event loop (a committed batch of submissions answers all
   * its requests in one) go to Redis as one script per hash tag instead of one SET each.
   */
  setMarker(key: string, value: string, ttlMs: number): void {
    if (this.degradedSince !== null) return;
    if (this.pendingMarkers.push({ key, value, ttlMs }) === 1) setImmediate(() => this.flushMarkers());
  }

  private flushMarkers() {
    const batch = this.pendingMarkers;
    this.pendingMarkers = [];
    if (this.degradedSince !== null) return;
    for (const group of this.redis.isCluster ? byHashTag(batch, (m) => m.key).values() : [batch]) {
      const args: (string | number)[] = group.map((m) => m.key);
      for (const m of group) args.push(m.value, m.ttlMs);
      this.redis.setMarkers(group.length, ...args).catch(() => {});
    }
  }

  /**
   * Redis's answer, or the fallback's while Redis fails. Promise callbacks rather than
   * async functions: the hot path's every request passes here, and each async layer is one
   * more promise and microtask per request.
   */
  private run(req: GateRequest): Promise<CountedGateResult> {
    if (this.degradedSince !== null && this.now() < this.nextProbeAt) return Promise.resolve({ ...this.fallback.gateSync(req), count: 0 });
    return this.callRedis(req).then(
      (r) => {
        if (this.degradedSince !== null) {
          this.log.info({ throttle: 'redis', outageMs: this.now() - this.degradedSince }, 'Redis is back: throttling through Redis again');
          this.degradedSince = null;
          this.switches++;
        }
        return r;
      },
      (err: unknown) => {
        if (this.degradedSince === null) {
          this.degradedSince = this.now();
          this.switches++;
          this.log.warn({ err, throttle: 'memory' }, 'Redis unavailable: falling back to the in-process throttle');
        }
        this.nextProbeAt = this.now() + this.probeEveryMs;
        return { ...this.fallback.gateSync(req), count: 0 };
      },
    );
  }

  private callRedis(req: GateRequest): Promise<CountedGateResult> {
    // One node: the gates asked in one turn of the event loop share one script (flushGates).
    if (!this.redis.isCluster)
      return new Promise((resolve, reject) => {
        if (this.pendingGates.push({ g: req, resolve, reject }) === 1) setImmediate(() => this.flushGates());
      });
    return this.callCluster(req);
  }

  /** On a Redis Cluster: one script per slot the request's keys fall in, their answers merged. */
  private async callCluster(req: GateRequest): Promise<CountedGateResult> {
    const groups = groupBySlot(req);
    const replies = await Promise.all(groups.map((g) => this.script(g)));
    let allowed = true;
    let retryAfterMs = 0;
    let count = 0;
    const found = new Map<string, string>();
    replies.forEach(([ok, retry, top, ...values], i) => {
      if (ok !== 1) allowed = false;
      retryAfterMs = Math.max(retryAfterMs, retry);
      count = Math.max(count, top);
      (groups[i].markerKeys ?? []).forEach((k, j) => {
        const v = values[j];
        if (typeof v === 'string') found.set(k, v);
      });
    });
    return { allowed, retryAfterMs, count, markers: (req.markerKeys ?? []).map((k) => found.get(k) ?? null) };
  }

  /** One gate of a Redis Cluster's slot, alone in its script. */
  private script(g: GateRequest): Promise<SingleReply> {
    return this.send([g]).then((r) => r[0]);
  }

  /** The gates asked in one turn of the event loop, as scripts of at most MAX_GATES_PER_SCRIPT gates. */
  private flushGates() {
    const all = this.pendingGates;
    this.pendingGates = [];
    for (let i = 0; i < all.length; i += MAX_GATES_PER_SCRIPT) {
      const batch = all.slice(i, i + MAX_GATES_PER_SCRIPT);
      this.send(batch.map((p) => p.g)).then(
        (replies) => batch.forEach((p, j) => p.resolve(singleResult(replies[j]))),
        (err) => batch.forEach((p) => p.reject(err)),
      );
    }
  }

  /** One script for these gates, its reply cut back into one reply per gate. */
  private async send(gates: GateRequest[]): Promise<SingleReply[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [gates.length];
    for (const g of gates) {
      args.push(g.rates.length, g.markerKeys?.length ?? 0);
      for (const r of g.rates) {
        keys.push(r.key);
        args.push(r.budget.limit, r.budget.windowMs);
      }
      if (g.markerKeys) keys.push(...g.markerKeys);
    }
    const flat = await this.redis.hotGate(keys.length, ...keys, ...args);
    const out: SingleReply[] = [];
    let at = 0;
    for (const g of gates) {
      const size = 3 + (g.markerKeys?.length ?? 0);
      out.push(flat.slice(at, at + size) as SingleReply);
      at += size;
    }
    return out;
  }
}

/** One gate's reply as its result (a single node: one reply in the order asked, nothing to regroup). */
function singleResult([ok, retryAfterMs, count, ...values]: SingleReply): CountedGateResult {
  return { allowed: ok === 1, retryAfterMs, count, markers: values.map((v) => (typeof v === 'string' ? v : null)) };
}

/** Items grouped by the hash tag of their key (one slot each on a Redis Cluster), in first-seen order. */
function byHashTag<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const tag = hashTag(keyOf(item));
    const g = groups.get(tag);
    if (g) g.push(item);
    else groups.set(tag, [item]);
  }
  return groups;
}

/** On Redis Cluster one script may only touch one slot: one script per hash tag. */
function groupBySlot(req: GateRequest): GateRequest[] {
  const rates = byHashTag(req.rates, (r) => r.key);
  const markers = byHashTag(req.markerKeys ?? [], (k) => k);
  return [...new Set([...rates.keys(), ...markers.keys()])].map((tag) => {
    const g: GateRequest = { rates: rates.get(tag) ?? [] };
    const m = markers.get(tag);
    if (m) g.markerKeys = m;
    return g;
  });
}
