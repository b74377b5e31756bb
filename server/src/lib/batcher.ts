import { withTimeout } from './timeout';

export interface BatcherOptions {
  /** Flush as soon as this many items wait. */
  maxItems: number;
  /** Or when the oldest waiting item has waited this long. */
  maxDelayMs: number;
  /** Batches running at once; further items wait (and so make the next batch bigger). */
  maxInFlight: number;
  /**
   * A batch that has not settled after this long fails its items with a TimeoutError and
   * frees its slot; what it answers later is ignored. Absent: no limit. A driver can leave a
   * query pending forever (postgres.js while a restarting server refuses its connection), and
   * without a limit maxInFlight such batches would stop every later item.
   */
  timeoutMs?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(o: O): void;
  reject(err: unknown): void;
}

/**
 * Groups concurrent calls into batches: a few ms or N items, whichever comes first. `run`
 * answers each item (a value, or an Error for that item alone); if `run` throws, every
 * item of the batch gets that error. A caller's promise settles only when its batch has
 * settled, so nothing is answered before its batch is done.
 */
export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private drained: (() => void)[] = [];

  constructor(
    private run: (items: I[]) => Promise<(O | Error)[]>,
    private opts: BatcherOptions,
  ) {}

  get waiting() {
    return this.queue.length;
  }

  get running() {
    return this.inFlight;
  }

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.closing || this.queue.length >= this.opts.maxItems) this.kick();
      else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.opts.maxDelayMs);
    });
  }

  /**
   * Runs everything queued now and waits until nothing is queued or running. From then on
   * items are not held back for company: requests still in flight during a shutdown are
   * written at once rather than refused.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.kick();
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private kick() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxItems);
      this.inFlight++;
      void this.execute(batch);
    }
  }

  private async execute(batch: Waiting<I, O>[]) {
    try {
      const running = this.run(batch.map((w) => w.item));
      const limit = this.opts.timeoutMs;
      const out = limit === undefined ? await running : await withTimeout(running, limit, 'batch');
      for (let i = 0; i < batch.length; i++) {
        const o = out[i];
        if (o instanceof Error) batch[i].reject(o);
        else if (o === undefined) batch[i].reject(new Error('batch returned no answer for an item'));
        else batch[i].resolve(o);
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.inFlight--;
      // Items that queued while every slot was busy have waited long enough already.
      if (this.queue.length > 0) this.kick();
      else if (this.inFlight === 0) for (const done of this.drained.splice(0)) done();
    }
  }
}
