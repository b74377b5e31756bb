import { sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { eligibilityJoins, reasonSql } from './eligibility.sql';

export interface CollectiveRow {
  id: string;
  name: string;
  headcount: number | null;
  participants: number;
}

export type CollectiveBy = 'locality' | 'unit';

/** Eligible participants per locality id and per unit id (ids with none are absent). */
export interface ParticipantCounts {
  locality: Map<string, number>;
  unit: Map<string, number>;
}

/**
 * Eligible participants per locality and per unit, in one statement: residents not on the
 * exclusion list with a submitted attempt in the contest (or in one round), not
 * disqualified in that round; a person counts once, with any round the rule lets them
 * compete in. The distinct people of each round come straight from the order of
 * submissions_round_idx (no sort), their accounts are read once for both groupings, and
 * the rule is asked once per person and round (eligibility.sql.ts), not once per
 * submission. It replaced a statement per grouping that joined every submission with its
 * account and sorted them (1M submissions: two of 3-4 s, each spilling 32,683 temp blocks).
 */
export async function participantCounts(db: Db, contestId: string, roundId: string | null): Promise<ParticipantCounts> {
  return db.transaction(
    async (tx) => {
      // The people's hash (300k: ~70 MB) and their accounts' stay in memory; no JIT: it costs
      // more than it saves here.
      await rawRows(tx, sql`select set_config('work_mem', '128MB', true), set_config('jit', 'off', true)`);
      return countIn(tx, contestId, roundId);
    },
    { accessMode: 'read only' },
  );
}

async function countIn(db: Db, contestId: string, roundId: string | null): Promise<ParticipantCounts> {
  // Each round's people, distinct: an index-only scan of (round_id, user_id) in order.
  const pairs = sql`
    select r.id as round_id, p.user_id from rounds r
    cross join lateral (select distinct s.user_id from submissions s where s.round_id = r.id) p
    where r.contest_id = ${contestId} ${roundId === null ? sql`` : sql`and r.id = ${roundId}`}`;
  // One round: one row per person. Contest-wide: a person with submissions in several
  // rounds counts when the rule lets them compete in any of them.
  const people =
    roundId === null
      ? sql`select u.locality_id, u.unit_id, bool_or(${reasonSql} is null) as eligible
          from (${pairs}) pr join users u on u.id = pr.user_id ${eligibilityJoins(sql`pr.round_id`, contestId)}
          group by u.id`
      : sql`select u.locality_id, u.unit_id, ${reasonSql} is null as eligible
          from (${pairs}) pr join users u on u.id = pr.user_id ${eligibilityJoins(sql`pr.round_id`, contestId)}`;
  const rows = await rawRows<{ by_unit: number; id: string | null; n: number }>(
    db,
    sql`select grouping(p.locality_id)::int as by_unit, coalesce(p.locality_id, p.unit_id) as id, (count(*) filter (where p.eligible))::int as n
      from (${people}) p
      group by grouping sets ((p.locality_id), (p.unit_id))`,
  );
  const out: ParticipantCounts = { locality: new Map(), unit: new Map() };
  for (const r of rows) if (r.id !== null && Number(r.n) > 0) out[Number(r.by_unit) ? 'unit' : 'locality'].set(r.id, Number(r.n));
  return out;
}

/** The contest's localities and units, each with its participants (0 for none). */
export async function collectiveGroups(db: Db, contestId: string, counts: ParticipantCounts): Promise<Record<CollectiveBy, CollectiveRow[]>> {
  const rows = await rawRows<{ by: CollectiveBy; id: string; name: string; headcount: number | null }>(
    db,
    sql`select 'locality' as by, id, name, headcount from localities where contest_id = ${contestId}
      union all select 'unit', id, name, headcount from units where contest_id = ${contestId}`,
  );
  const out: Record<CollectiveBy, CollectiveRow[]> = { locality: [], unit: [] };
  for (const r of rows)
    out[r.by].push({ id: r.id, name: r.name, headcount: r.headcount === null ? null : Number(r.headcount), participants: counts[r.by].get(r.id) ?? 0 });
  return out;
}

/** Eligible participants per locality or unit of the contest (participantCounts). */
export async function collectiveCounts(db: Db, contestId: string, by: CollectiveBy, roundId: string | null): Promise<CollectiveRow[]> {
  return (await collectiveGroups(db, contestId, await participantCounts(db, contestId, roundId)))[by];
}

/**
 * A digest of what the counts read and of the results' state, for the per-process cache
 * (judging.cache.ts CollectiveCache), from index probes and small lists: per round in scope
 * its finalize and publication times, its latest submission and its disqualifications;
 * the contest's exclusion list; the latest change of any account's role (or other
 * token-version change: auth.repo bumpTokenVersion). A finalize, a publication or its
 * withdrawal, a disqualification or a reinstatement, an exclusion list change, a role
 * change, a new round or a new submission each change it.
 */
export async function collectiveVersion(db: Db, contestId: string, roundId: string | null): Promise<string> {
  const [r] = await rawRows<{ v: string }>(
    db,
    sql`select md5(concat_ws('|',
      (select string_agg(concat_ws(',', r.id, r.finalized_at, r.published_at,
          (select max(s.submitted_at) from submissions s where s.round_id = r.id),
          (select string_agg(d.user_id || ':' || d.reason, ';' order by d.user_id) from disqualifications d where d.round_id = r.id)), ';' order by r.id)
        from rounds r where r.contest_id = ${contestId} ${roundId === null ? sql`` : sql`and r.id = ${roundId}`}),
      (select string_agg(coalesce(e.national_id, '') || ',' || coalesce(e.phone, ''), ';' order by e.national_id, e.phone) from exclusions e where e.contest_id = ${contestId}),
      (select max(u.token_changed_at) from users u)::text
    )) as v`,
  );
  return r.v;
}
