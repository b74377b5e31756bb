import { sql } from 'drizzle-orm';
import type { Database } from '../../../db/client';

export type ScopeVia = 'contest' | 'round' | 'question';

/**
 * The caller's membership role in the contest that `id` (a contest, a round or a
 * question id) belongs to; null when the object does not exist or the caller is not a
 * member: both answer 404, so the two cannot be told apart.
 */
export async function memberRole(database: Database, via: ScopeVia, id: string, userId: string): Promise<'organizer' | 'judge' | null> {
  const contest =
    via === 'contest'
      ? // A contest is named by id or, as the public URLs do, by slug.
        sql`(select c.id from contests c where c.id = ${id} or c.slug = ${id} order by c.id = ${id} desc limit 1)`
      : via === 'round'
        ? sql`(select r.contest_id from rounds r where r.id = ${id})`
        : sql`(select q.contest_id from questions q where q.id = ${id})`;
  const rows = await database.rows<{ role: 'organizer' | 'judge' }>(
    sql`select m.role from contest_members m where m.user_id = ${userId} and m.contest_id = ${contest}`,
  );
  return rows[0]?.role ?? null;
}
