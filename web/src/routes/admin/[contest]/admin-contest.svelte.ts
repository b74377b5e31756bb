import { getContext, setContext } from 'svelte';
import { resource, type Resource } from '$lib/resource.svelte';
import { staffContest } from '$lib/staff-contests';
import type { Contest } from '$lib/types';

const KEY = Symbol('admin-contest');

/** The contest an organizer is working on (drafts included), shared by the tabs under /admin/[contest]. */
export class AdminContest {
  readonly #loaded: Resource<Contest>;

  /** Create it while the layout initialises: `idOrSlug` is the page's, `enabled` whether the caller may load it. */
  constructor(
    private readonly current: () => string,
    enabled: () => boolean,
  ) {
    this.#loaded = resource(() => enabled() && staffContest(current()), { reset: true });
  }

  get idOrSlug(): string {
    return this.current();
  }
  get contest(): Contest | null {
    return this.#loaded.value;
  }
  get error(): unknown {
    return this.#loaded.error;
  }

  reload() {
    return this.#loaded.reload();
  }
}

export const provideAdminContest = (c: AdminContest) => setContext(KEY, c);
export const useAdminContest = () => getContext<AdminContest>(KEY);
