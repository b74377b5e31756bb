import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hashTag, MemoryThrottle, RedisThrottle } from '../../server/src/lib/throttle';

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

/** A stand-in client that records the script calls; enough to check how keys are grouped. */
function fakeRedis(isCluster: boolean, fail = false) {
  const calls: string[][] = [];
  const r = {
    isCluster,
    defineCommand: () => {},
    on: () => {},
    set: async () => 'OK',
    hotGate: async (numKeys: number, ...args: (string | number)[]) => {
      if (fail) throw new Error('Connection is closed.');
      const keys = args.slice(0, numKeys) as string[];
      calls.push(keys);
      const n = Number(args[numKeys]);
      return [1, 0, 1, ...keys.slice(n).map((k) => `value of ${k}`)];
    },
  };
  return { redis: r as unknown as Redis, calls };
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
