// The one loading/error pattern of the pages: data fetched by `load` whenever what it reads
// changes (page params, the signed-in user...), with `value`, `error` and `loading` for the markup.

export interface ResourceOptions {
  /** Forget the old value (and error) when loading for new inputs (not on reload()): the page shows "loading" meanwhile. */
  reset?: boolean;
}

/**
 * `load` runs inside an effect: reactive state it reads before its first `await` is tracked and a
 * change loads again. It returns null/undefined/false when there is nothing to load yet (no user,
 * no contest id). An answer to an older load that arrives late is dropped. Create it while a
 * component initialises (it owns an effect).
 */
export class Resource<T> {
  value = $state<T | null>(null);
  error = $state<unknown>(null);
  /** When the value last arrived (Date.now()), 0 before. */
  loadedAt = $state(0);
  #version = $state(0);
  #seq = 0;
  #waiters: (() => void)[] = [];

  constructor(load: () => Promise<T> | null | undefined | false, opts: ResourceOptions = {}) {
    let lastVersion = 0;
    $effect(() => {
      const version = this.#version;
      const pending = load();
      if (!pending) {
        this.#settled();
        return;
      }
      const n = ++this.#seq;
      const reloading = version !== lastVersion;
      lastVersion = version;
      if (opts.reset && !reloading) {
        this.value = null;
        this.error = null;
      }
      pending.then(
        (v) => {
          if (n !== this.#seq) return;
          this.value = v;
          this.error = null;
          this.loadedAt = Date.now();
          this.#settled();
        },
        (e) => {
          if (n !== this.#seq) return;
          this.error = e;
          this.#settled();
        },
      );
    });
  }

  /** Nothing yet, and no error either. */
  get loading(): boolean {
    return this.value === null && this.error === null;
  }

  #settled() {
    for (const done of this.#waiters.splice(0)) done();
  }

  /** Loads again with the same inputs (after a change the page made itself); settles when that load has. */
  reload(): Promise<void> {
    this.#version += 1;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

export const resource = <T>(load: () => Promise<T> | null | undefined | false, opts?: ResourceOptions) => new Resource<T>(load, opts);

/** `get()`'s value once it has stopped changing for `ms` (search boxes): undefined until then. */
export class Debounced<T> {
  value = $state.raw<T | undefined>(undefined);

  constructor(get: () => T, ms: number) {
    $effect(() => {
      const v = get();
      const timer = setTimeout(() => (this.value = v), ms);
      return () => clearTimeout(timer);
    });
  }
}
