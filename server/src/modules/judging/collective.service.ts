import type { Db } from '../../../../db/client';
import { compareVi } from '../../lib/collation';
import { notFound } from '../../lib/errors';
import { participationRate } from '../../lib/participation';
import { requireContest, requireRound } from '../contests/index';
import { collectiveGroups, participantCounts, type CollectiveRow } from './collective.repo';
import type { CollectiveCache } from './judging.cache';

interface CollectiveEntry {
  rank: number;
  id: string;
  name: string;
  participants: number;
  headcount: number | null;
  participationRate: number | null;
}

/** Competition ranking (1, 1, 3): equal values share a rank; names break the listing order. */
function rankBy(rows: CollectiveRow[], value: (r: CollectiveRow) => number): CollectiveEntry[] {
  const withValue = rows.map((r) => ({ r, v: value(r) }));
  withValue.sort((a, b) => b.v - a.v || compareVi(a.r.name, b.r.name) || (a.r.id < b.r.id ? -1 : 1));
  let rank = 0;
  return withValue.map(({ r, v }, i) => {
    if (i === 0 || v !== withValue[i - 1].v) rank = i + 1;
    return {
      rank,
      id: r.id,
      name: r.name,
      participants: r.participants,
      headcount: r.headcount,
      participationRate: participationRate(r.participants, r.headcount),
    };
  });
}

/** `counts`: the process's cache of the counts (judging.cache.ts); without, counted now. */
export async function collectiveRanking(db: Db, contestId: string, roundId: string | undefined, counts?: CollectiveCache) {
  const contest = await requireContest(db, contestId);
  if (roundId) {
    const round = await requireRound(db, roundId);
    if (round.contestId !== contest.id) throw notFound('Round');
  }
  const participants = counts ? await counts.get(db, contest.id, roundId ?? null) : await participantCounts(db, contest.id, roundId ?? null);
  const groups = await collectiveGroups(db, contest.id, participants);
  const build = (rows: CollectiveRow[]) => ({
    byParticipants: rankBy(rows, (r) => r.participants),
    byParticipationRate: rankBy(
      rows.filter((r) => participationRate(r.participants, r.headcount) !== null),
      (r) => r.participants / r.headcount!,
    ),
  });
  return { contestId: contest.id, roundId: roundId ?? null, localities: build(groups.locality), units: build(groups.unit) };
}
