import type { Database } from '../../../../db/client';
import { roundStatus } from '../../lib/rounds';
import { isSealed, requireRound } from '../contests/index';
import * as repo from './stats.repo';
import type { StatsResponse } from './stats.schemas';
import { participationRate } from '../../lib/participation';

type Group = StatsResponse['byLocality'][number];

function groups(list: { id: string; name: string; headcount: number | null }[], rows: repo.GroupRow[], key: 'locality_id' | 'unit_id'): Group[] {
  const known = new Map(
    list.map((l) => [l.id, { id: l.id as string | null, name: l.name as string | null, headcount: l.headcount, participants: 0, attempts: 0, submitted: 0 }]),
  );
  const none = { id: null, name: null, headcount: null, participants: 0, attempts: 0, submitted: 0 };
  for (const r of rows) {
    const g = (r[key] && known.get(r[key])) || none;
    g.participants += r.participants;
    g.attempts += r.attempts;
    g.submitted += r.submitted;
  }
  const out = [...known.values()];
  if (none.participants) out.push(none);
  return out.map((g) => ({ ...g, participationRate: participationRate(g.participants, g.headcount) }));
}

export async function roundStats(database: Database, roundId: string, now = new Date()): Promise<StatsResponse> {
  const round = await requireRound(database.db, roundId);
  // Submissions keep arriving until the round is sealed (the grace after closing, and an
  // override's extra seconds), and each carries a prediction: score counts stay hidden
  // until the last one is in.
  const scoresVisible = await isSealed(database.db, round, now);
  const [grouped, hours, locs, unitList, scores] = await Promise.all([
    repo.groupedCounts(database, round.id),
    repo.hourly(database, round.id),
    repo.contestLocalities(database, round.contestId),
    repo.contestUnits(database, round.contestId),
    scoresVisible ? Promise.all([repo.scoreCounts(database, round.id), repo.perfectPeople(database, round.id)]) : null,
  ]);
  const total = grouped.find((r) => r.gl === 1 && r.gu === 1);
  const byLoc = grouped.filter((r) => r.gl === 0);
  const byUnit = grouped.filter((r) => r.gu === 0);
  return {
    roundId: round.id,
    status: roundStatus(round, now),
    participants: total?.participants ?? 0,
    attempts: total?.attempts ?? 0,
    submitted: total?.submitted ?? 0,
    submitters: total?.submitters ?? 0,
    byLocality: groups(locs, byLoc, 'locality_id'),
    byUnit: groups(unitList, byUnit, 'unit_id'),
    timeline: hours.map((h) => ({ hour: new Date(Number(h.hour)).toISOString(), started: h.started, submitted: h.submitted })),
    ...(scores
      ? {
          scores: {
            perfectEntries: scores[0].filter((s) => s.score === s.total).reduce((n, s) => n + s.entries, 0),
            perfectPeople: scores[1],
            distribution: scores[0],
          },
        }
      : {}),
    generatedAt: now.toISOString(),
  };
}

/**
 * Round stats behind a short cache: organizers keep the stats page open during a round, so
 * each process computes a round's figures at most once per `cacheMs`, and concurrent
 * requests share the one query. `at` is set when the figures are ready: a slow
 * computation is still served for cacheMs.
 */
export function cachedRoundStats(database: Database, cacheMs: number) {
  const cache = new Map<string, { at: number | null; value: Promise<StatsResponse> }>();
  return (roundId: string): Promise<StatsResponse> => {
    const now = Date.now();
    for (const [k, v] of cache) if (v.at !== null && now - v.at > cacheMs) cache.delete(k);
    const hit = cache.get(roundId);
    if (hit) return hit.value;
    const entry: { at: number | null; value: Promise<StatsResponse> } = { at: null, value: roundStats(database, roundId) };
    cache.set(roundId, entry);
    entry.value.then(
      () => (entry.at = Date.now()),
      () => cache.delete(roundId),
    );
    return entry.value;
  };
}
