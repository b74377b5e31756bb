import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hashTag, MemoryThrottle, RedisThrottle } from '../../server/src/lib/throttle';
import { createRedis } from '../../server/src/plugins/redis';
import { redisUrl } from '../helpers/env';

const silent = { warn: () => {}, info: () => {} };
const budget = (limit: number) => ({ limit, windowMs: 1000 });

describe('MemoryThrottle', () => {
  it('counts every key of a gate and refuses once one is over budget, until its window ends', async () => {
    let now = 0;
    const t = new MemoryThrottle(() => now);
    const gate = () =>
      t.gate({
        rates: [
          { key: 'u', budget: budget(2) },
          { key: 'ip', budget: budget(100) },
        ],
        markerKeys: ['m'],
      });
    expect((await gate()).allowed).toBe(true);
    expect((await gate()).allowed).toBe(true);
    const third = await gate();
    expect(third).toEqual({ allowed: false, retryAfterMs: 1000, markers: [null] });
    now = 1000;
    expect((await gate()).allowed).toBe(true);
  });
});

describe('hashTag', () => {
  it('is the part between the first braces, or the whole key', () => {
    expect(hashTag('rl:{u:42}:submit')).toBe('u:42');
    expect(hashTag('plain')).toBe('plain');
    expect(hashTag('a{}b')).toBe('a{}b');
  });
});

/**
 * A stand-in client that reads the gate script's arguments (GATE_SCRIPT in lib/throttle.ts):
 * `calls` gets each gate's keys, `scripts` each script's number of gates.
 */
function fakeRedis(isCluster: boolean, fail = false) {
  const calls: string[][] = [];
  const scripts: number[] = [];
  const r = {
    isCluster,
    defineCommand: () => {},
    on: () => {},
    set: async () => 'OK',
    hotGate: async (numKeys: number, ...args: (string | number)[]) => {
      if (fail) throw new Error('Connection is closed.');
      const keys = args.slice(0, numKeys) as string[];
      const argv = args.slice(numKeys).map(Number);
      const out: (number | string)[] = [];
      let a = 1;
      let k = 0;
      for (let g = 0; g < argv[0]; g++) {
        const [n, m] = [argv[a], argv[a + 1]];
        a += 2 + 2 * n;
        const mine = keys.slice(k, k + n + m);
        k += n + m;
        calls.push(mine);
        out.push(1, 0, 1, ...mine.slice(n).map((key) => `value of ${key}`));
      }
      scripts.push(argv[0]);
      return out;
    },
  };
  return { redis: r as unknown as Redis, calls, scripts };
}

describe('RedisThrottle', () => {
  const req = {
    rates: [
      { key: 'rl:{u:1}:submit', budget: budget(5) },
      { key: 'rl:{ip:1.2.3.4}:hot', budget: budget(5) },
    ],
    markerKeys: ['hp:{u:1}:done:a', 'hp:{u:1}:att:a'],
  };

  it('sends one script with every key to a single Redis', async () => {
    const { redis, calls } = fakeRedis(false);
    const r = await new RedisThrottle(redis, silent).gate(req);
    expect(calls).toEqual([['rl:{u:1}:submit', 'rl:{ip:1.2.3.4}:hot', 'hp:{u:1}:done:a', 'hp:{u:1}:att:a']]);
    expect(r.markers).toEqual(['value of hp:{u:1}:done:a', 'value of hp:{u:1}:att:a']);
  });

  it('sends one script per hash tag to a Redis Cluster and puts the markers back in order', async () => {
    const { redis, calls } = fakeRedis(true);
    const r = await new RedisThrottle(redis, silent).gate(req);
    expect(calls).toEqual([['rl:{u:1}:submit', 'hp:{u:1}:done:a', 'hp:{u:1}:att:a'], ['rl:{ip:1.2.3.4}:hot']]);
    expect(r).toEqual({ allowed: true, retryAfterMs: 0, markers: ['value of hp:{u:1}:done:a', 'value of hp:{u:1}:att:a'] });
  });

  it('sends the gates of one turn as one script, and gives each its own reply', async () => {
    const { redis, calls, scripts } = fakeRedis(false);
    const t = new RedisThrottle(redis, silent);
    const other = { rates: [{ key: 'rl:{u:2}:submit', budget: budget(5) }], markerKeys: ['hp:{u:2}:done:b'] };
    const [r1, r2, r3] = await Promise.all([t.gate(req), t.gate(other), t.hit('rl:{u:3}:start', 5, 1000)]);
    expect(scripts).toEqual([3]);
    expect(calls).toEqual([[...req.rates.map((r) => r.key), ...req.markerKeys], ['rl:{u:2}:submit', 'hp:{u:2}:done:b'], ['rl:{u:3}:start']]);
    expect(r1.markers).toEqual(['value of hp:{u:1}:done:a', 'value of hp:{u:1}:att:a']);
    expect(r2.markers).toEqual(['value of hp:{u:2}:done:b']);
    expect(r3).toEqual({ allowed: true, count: 1, retryAfterMs: 0 });
    await t.gate(other);
    expect(scripts).toEqual([3, 1]);
  });

  it('falls back to memory on a failure, logs it once, and leaves Redis alone until the next probe', async () => {
    const logs: string[] = [];
    const { redis } = fakeRedis(false, true);
    let now = 0;
    const t = new RedisThrottle(redis, { warn: (_o, m) => logs.push(m), info: (_o, m) => logs.push(m) }, { probeEveryMs: 1000, now: () => now });
    let tries = 0;
    const calls = redis as unknown as { hotGate: (...a: unknown[]) => Promise<unknown> };
    const original = calls.hotGate;
    calls.hotGate = (...a) => {
      tries++;
      return original(...a);
    };
    for (let i = 0; i < 5; i++) expect((await t.gate(req)).allowed).toBe(true);
    expect((await t.gate(req)).allowed).toBe(false);
    expect(t.mode).toBe('memory');
    expect(tries).toBe(1);
    expect(logs).toEqual(['Redis unavailable: falling back to the in-process throttle']);
    now = 1500;
    calls.hotGate = async () => [1, 0, 1, null, null];
    expect((await t.gate(req)).allowed).toBe(true);
    expect(t.mode).toBe('redis');
    expect(logs[1]).toBe('Redis is back: throttling through Redis again');
  });
});

describe('RedisThrottle: batched scripts', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('sets each marker with its value and TTL (real Redis)', async () => {
    const redis = createRedis(redisUrl(), `test:${randomUUID()}:`);
    const keys = ['hp:{u:1}:done:a', 'hp:{u:2}:done:b', 'hp:{u:3}:att:c'];
    try {
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      const t = new RedisThrottle(redis, silent);
      t.setMarker(keys[0], 'one', 60_000);
      t.setMarker(keys[1], 'two', 120_000);
      t.setMarker(keys[2], 'three', 5_000);
      await settle();
      await redis.ping();
      expect(await redis.mget(...keys)).toEqual(['one', 'two', 'three']);
      const ttl = await Promise.all(keys.map((k) => redis.pttl(k)));
      expect(ttl[0]).toBeGreaterThan(50_000);
      expect(ttl[0]).toBeLessThanOrEqual(60_000);
      expect(ttl[1]).toBeGreaterThan(110_000);
      expect(ttl[2]).toBeLessThanOrEqual(5_000);
      t.setMarker(keys[0], 'again', 60_000);
      await settle();
      await redis.ping();
      expect(await redis.get(keys[0])).toBe('again');
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('counts every gate of one script in turn: the same key twice in one turn is two hits (real Redis)', async () => {
    const redis = createRedis(redisUrl(), `test:${randomUUID()}:`);
    try {
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      await redis.set('hp:{u:1}:done:a', 'stored');
      const t = new RedisThrottle(redis, silent);
      const gate = (user: string) =>
        t.gate({ rates: [{ key: `rl:{u:${user}}:submit`, budget: { limit: 1, windowMs: 60_000 } }], markerKeys: [`hp:{u:${user}}:done:a`] });
      const [a, b, c] = await Promise.all([gate('1'), gate('1'), gate('2')]);
      expect(a).toEqual({ allowed: true, retryAfterMs: 0, markers: ['stored'] });
      expect(b.allowed).toBe(false);
      expect(b.retryAfterMs).toBeGreaterThan(50_000);
      expect(b.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(c).toEqual({ allowed: true, retryAfterMs: 0, markers: [null] });
      expect(await redis.get('rl:{u:1}:submit')).toBe('2');
      expect(await redis.pttl('rl:{u:2}:submit')).toBeGreaterThan(50_000);
      await redis.del('hp:{u:1}:done:a', 'rl:{u:1}:submit', 'rl:{u:2}:submit');
    } finally {
      redis.disconnect();
    }
  });

  /** A stand-in that records each setMarkers script's keys. */
  function recorder(isCluster: boolean) {
    const calls: string[][] = [];
    const fake = {
      isCluster,
      defineCommand: () => {},
      on: () => {},
      setMarkers: async (n: number, ...a: (string | number)[]) => {
        calls.push(a.slice(0, n) as string[]);
        return n;
      },
    };
    return { t: new RedisThrottle(fake as unknown as Redis, silent), calls };
  }

  it('sends the markers set in one turn as one script, a later turn as another', async () => {
    const { t, calls } = recorder(false);
    t.setMarker('hp:{u:1}:done:a', 'x', 1000);
    t.setMarker('hp:{u:2}:done:b', 'y', 1000);
    t.setMarker('hp:{u:1}:att:a', 'z', 1000);
    expect(calls).toEqual([]);
    await settle();
    expect(calls).toEqual([['hp:{u:1}:done:a', 'hp:{u:2}:done:b', 'hp:{u:1}:att:a']]);
    t.setMarker('hp:{u:3}:done:c', 'w', 1000);
    await settle();
    expect(calls).toHaveLength(2);
  });

  it('groups the markers by hash tag on a Redis Cluster', async () => {
    const { t, calls } = recorder(true);
    t.setMarker('hp:{u:1}:done:a', 'x', 1000);
    t.setMarker('hp:{u:2}:done:b', 'y', 1000);
    t.setMarker('hp:{u:1}:att:a', 'z', 1000);
    await settle();
    expect(calls).toEqual([['hp:{u:1}:done:a', 'hp:{u:1}:att:a'], ['hp:{u:2}:done:b']]);
  });
});
