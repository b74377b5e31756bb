import { api } from './api';
import { getContest, myContests as fetchMyContests } from './api/admin';
import type { Contest, MyContest } from './types';

// Staff pages are addressed by a contest's slug, but the server decides membership on the
// contest id in the path: a member asking for /admin/contests/<slug> gets 404. So staff
// pages turn a slug into the id from the caller's own list (GET /admin/contests) first.
let cached: { token: string | null; list: Promise<MyContest[]> } | null = null;

/** The caller's contests (all of them for admins), fetched once per session token. */
export function myContests(refresh = false): Promise<MyContest[]> {
  if (refresh || !cached || cached.token !== api.token) {
    const list = fetchMyContests();
    cached = { token: api.token, list };
    list.catch(() => {
      if (cached?.list === list) cached = null;
    });
  }
  return cached.list;
}

/** The id of the caller's contest named by `idOrSlug`; unknown ones pass through, and the server answers 404. */
export async function contestIdFor(idOrSlug: string): Promise<string> {
  const find = (list: MyContest[]) => list.find((c) => c.id === idOrSlug || c.slug === idOrSlug)?.id;
  try {
    // A contest made (or a membership granted) since the list was fetched: ask once more.
    return find(await myContests()) ?? find(await myContests(true)) ?? idOrSlug;
  } catch {
    return idOrSlug;
  }
}

/** A contest as staff see it (drafts included, each round's sealedAt), named by id or slug. */
export async function staffContest(idOrSlug: string): Promise<Contest> {
  return getContest(await contestIdFor(idOrSlug));
}
