/**
 * At most `max` tasks at once, `queue` more waiting; past that `run` refuses at once, so
 * a flood (bad logins hashed by argon2) sheds load instead of starving the real ones.
 */
export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly queue: number,
  ) {}

  /** Runs `task` when a slot is free; null (nothing run) when full. */
  async run<T>(task: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.active >= this.max) {
      if (this.waiting.length >= this.queue) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return { value: await task() };
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter: `active` stays as it is.
      if (next) next();
      else this.active--;
    }
  }

  get inUse() {
    return this.active;
  }

  get queued() {
    return this.waiting.length;
  }
}
