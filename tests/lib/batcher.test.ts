import { describe, expect, it } from 'vitest';
import { Batcher } from '../../server/src/lib/batcher';
import { TimeoutError } from '../../server/src/lib/timeout';
import { isDependencyDown } from '../../server/src/lib/errors';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('groups what arrives within the delay into one batch and answers each item', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        batches.push(xs);
        return xs.map((x) => x * 2);
      },
      { maxItems: 100, maxDelayMs: 5, maxInFlight: 1 },
    );
    const out = await Promise.all([1, 2, 3].map((x) => b.push(x)));
    expect(out).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at maxItems without waiting for the delay', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        batches.push(xs);
        return xs;
      },
      { maxItems: 2, maxDelayMs: 10_000, maxInFlight: 4 },
    );
    await Promise.all([b.push(1), b.push(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('answers no item before its batch has settled, and fails every item of a failed batch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number, number>(
      async (xs) => {
        await gate;
        throw new Error(`batch of ${xs.length} failed`);
      },
      { maxItems: 10, maxDelayMs: 1, maxInFlight: 1 },
    );
    const settled: string[] = [];
    const ps = [b.push(1), b.push(2)].map((p) =>
      p.then(
        () => settled.push('ok'),
        (e: Error) => settled.push(e.message),
      ),
    );
    await tick(20);
    expect(settled).toEqual([]);
    release();
    await Promise.all(ps);
    expect(settled).toEqual(['batch of 2 failed', 'batch of 2 failed']);
  });

  it('rejects only the item whose answer is an Error', async () => {
    const b = new Batcher<number, number>(async (xs) => xs.map((x) => (x === 2 ? new Error('bad row') : x)), { maxItems: 10, maxDelayMs: 1, maxInFlight: 1 });
    const r = await Promise.allSettled([b.push(1), b.push(2), b.push(3)]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets items queue while maxInFlight batches run, then sends them together', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number, number>(
      async (xs) => {
        batches.push(xs);
        if (batches.length === 1) await gate;
        return xs;
      },
      { maxItems: 100, maxDelayMs: 1, maxInFlight: 1 },
    );
    const first = b.push(0);
    await tick(10);
    const rest = [1, 2, 3].map((x) => b.push(x));
    await tick(10);
    expect(batches).toEqual([[0]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2, 3]]);
  });

  it('close() runs what is queued at once and waits for it', async () => {
    const done: number[] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        await tick(5);
        done.push(...xs);
        return xs;
      },
      { maxItems: 100, maxDelayMs: 60_000, maxInFlight: 1 },
    );
    const ps = [1, 2].map((x) => b.push(x));
    await b.close();
    expect(done).toEqual([1, 2]);
    await Promise.all(ps);
  });

  it('fails a batch that never settles after timeoutMs, frees its slot for the next items, and ignores a late answer', async () => {
    const runs: number[][] = [];
    let finishFirst!: (v: number[]) => void;
    const b = new Batcher<number, number>(
      (xs) => {
        runs.push(xs);
        // The first batch hangs (a driver that never answers); the later ones answer.
        if (runs.length === 1) return new Promise<number[]>((r) => (finishFirst = r));
        return Promise.resolve(xs.map((x) => x * 10));
      },
      { maxItems: 10, maxDelayMs: 1, maxInFlight: 1, timeoutMs: 50 },
    );
    const hung = Promise.allSettled([b.push(1), b.push(2)]);
    await tick(5);
    const next = b.push(3);
    const [r1, r2] = await hung;
    expect(r1.status).toBe('rejected');
    const err = (r1 as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(isDependencyDown(err)).toBe(true);
    expect(r2.status).toBe('rejected');
    // With the only slot freed, the item that waited behind the hung batch runs.
    expect(await next).toBe(30);
    finishFirst([1, 2]);
    await tick(5);
    expect(await b.push(4)).toBe(40);
    await b.close();
    expect(b.running).toBe(0);
  });
});
