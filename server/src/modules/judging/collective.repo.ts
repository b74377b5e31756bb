import { sql } from 'drizzle-orm';
import { rawRows, type Db } from '../../../../db/client';
import { eligibilityJoins, reasonSql } from './eligibility.sql';

export interface CollectiveRow {
  id: string;
  name: string;
  headcount: number | null;
  participants: number;
}

/**
 * Eligible participants per locality or unit: residents not on the exclusion list with a
 * submitted attempt in the contest (or in one round), not disqualified in that round.
 */
export async function collectiveCounts(db: Db, contestId: string, by: 'locality' | 'unit', roundId: string | null): Promise<CollectiveRow[]> {
  const table = by === 'locality' ? sql`localities` : sql`units`;
  const fk = by === 'locality' ? sql`u.locality_id` : sql`u.unit_id`;
  return rawRows<CollectiveRow>(
    db,
    sql`
    with people as (
      select distinct s.user_id
      from submissions s join rounds r on r.id = s.round_id
      join users u on u.id = s.user_id
      ${eligibilityJoins(sql`s.round_id`, contestId)}
      where r.contest_id = ${contestId} and (${roundId}::text is null or s.round_id = ${roundId}::text)
        and ${reasonSql} is null
    ), counted as (
      select ${fk} as group_id, count(*)::int as n
      from people p join users u on u.id = p.user_id
      group by 1
    )
    select g.id, g.name, g.headcount, coalesce(c.n, 0) as participants
    from ${table} g left join counted c on c.group_id = g.id
    where g.contest_id = ${contestId}`,
  );
}
