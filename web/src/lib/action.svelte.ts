// The one pattern of a button's work: busy while it runs, its error kept for the markup.

export class Action {
  busy = $state(false);
  error = $state<unknown>(null);

  /** Runs `fn` with `busy` set and the last error cleared; a failure is kept in `error` and handed to `failed`. */
  async run(fn: () => Promise<void>, failed?: (err: unknown) => void): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await fn();
    } catch (err) {
      this.error = err;
      failed?.(err);
    } finally {
      this.busy = false;
    }
  }
}
