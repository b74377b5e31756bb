import { describe, expect, it } from 'vitest';
import { Batcher } from '../../server/src/lib/batcher';

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
});
