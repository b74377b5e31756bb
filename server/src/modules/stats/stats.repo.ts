import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../../../db/client';
import { localities, units } from '../../../../db/schema/index';
import { sortByName } from '../../lib/collation';

export interface GroupRow {
  gl: number;
  gu: number;
  locality_id: string | null;
  unit_id: string | null;
  participants: number;
  attempts: number;
  submitted: number;
  submitters: number;
}

/**
 * Totals, by locality and by unit in one pass: attempts and submissions are first
 * reduced to one row per person (index-only scans on (round_id, user_id)), and only
 * those rows meet the users table.
 */
export function groupedCounts(database: Database, roundId: string): Promise<GroupRow[]> {
  return database.db.transaction(async (tx) => {
    // A million attempts reduce to hundreds of thousands of people: enough memory keeps
    // the hash joins off disk, and JIT compiling costs more than it saves here.
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local jit = off`);
    return rowsOf<GroupRow>(
      await tx.execute(sql`
    with a as (
      select user_id, count(*)::int as attempts from attempts where round_id = ${roundId} group by user_id
    ), s as (
      select user_id, count(*)::int as submitted from submissions where round_id = ${roundId} group by user_id
    )
    select grouping(u.locality_id)::int as gl, grouping(u.unit_id)::int as gu, u.locality_id, u.unit_id,
           count(*)::int as participants,
           coalesce(sum(a.attempts), 0)::int as attempts,
           coalesce(sum(s.submitted), 0)::int as submitted,
           count(s.user_id)::int as submitters
    from a
    join users u on u.id = a.user_id
    left join s on s.user_id = a.user_id
    group by grouping sets ((u.locality_id), (u.unit_id), ())
  `),
    );
  });
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export interface HourRow {
  hour: number;
  started: number;
  submitted: number;
}

/** Attempts started and submissions received per hour (UTC hours; Vietnam is a whole-hour offset). */
export function hourly(database: Database, roundId: string) {
  return database.rows<HourRow>(sql`
    select extract(epoch from h)::float8 * 1000 as hour, sum(started)::int as started, sum(submitted)::int as submitted
    from (
      select date_trunc('hour', started_at at time zone 'UTC') as h, count(*) as started, 0 as submitted
        from attempts where round_id = ${roundId} group by 1
      union all
      select date_trunc('hour', submitted_at at time zone 'UTC'), 0, count(*)
        from submissions where round_id = ${roundId} group by 1
    ) x
    group by h order by h
  `);
}

export interface ScoreRow {
  score: number;
  total: number;
  entries: number;
  people: number;
}

/** The score distribution: only ever read once the round is closed. */
export function scoreCounts(database: Database, roundId: string) {
  return database.rows<ScoreRow>(sql`
    select score, total, count(*)::int as entries, count(distinct user_id)::int as people
    from submissions where round_id = ${roundId}
    group by score, total order by score desc, total
  `);
}

export async function perfectPeople(database: Database, roundId: string): Promise<number> {
  const [r] = await database.rows<{ n: number }>(sql`
    select count(distinct user_id)::int as n from submissions where round_id = ${roundId} and score = total
  `);
  return r?.n ?? 0;
}

/** In Vietnamese alphabetical order (lib/collation.ts). */
export async function contestLocalities(database: Database, contestId: string) {
  return sortByName(await database.db.select().from(localities).where(eq(localities.contestId, contestId)), (l) => l.name);
}

export async function contestUnits(database: Database, contestId: string) {
  return sortByName(await database.db.select().from(units).where(eq(units.contestId, contestId)), (u) => u.name);
}
