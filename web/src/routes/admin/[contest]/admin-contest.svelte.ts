import { getContext, setContext } from 'svelte';
import { staffContest } from '$lib/staff-contests';
import type { Contest } from '$lib/types';

const KEY = Symbol('admin-contest');

/** The contest an organizer is working on (drafts included), shared by the tabs under /admin/[contest]. */
export class AdminContest {
  idOrSlug = $state('');
  contest = $state<Contest | null>(null);
  error = $state<unknown>(null);

  async load(idOrSlug: string) {
    if (idOrSlug !== this.idOrSlug) {
      this.idOrSlug = idOrSlug;
      this.contest = null;
      this.error = null;
    }
    try {
      const c = await staffContest(idOrSlug);
      if (idOrSlug === this.idOrSlug) this.contest = c;
    } catch (err) {
      if (idOrSlug === this.idOrSlug) this.error = err;
    }
  }

  reload() {
    return this.load(this.idOrSlug);
  }
}

export const provideAdminContest = (c: AdminContest) => setContext(KEY, c);
export const useAdminContest = () => getContext<AdminContest>(KEY);
