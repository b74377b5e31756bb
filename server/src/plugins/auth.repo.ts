import { sql } from 'drizzle-orm';
import type { Database } from '../../../db/client';
import type { VersionLoad } from '../lib/token-versions';

/** Token versions that moved since `sinceMs` (an indexed range on users.token_changed_at). */
export async function loadVersionMoves(database: Database, sinceMs: number): Promise<VersionLoad> {
  const rows = await database.rows<{
    id: string | null;
    token_version: number | null;
    disabled: boolean | null;
    changed_ms: number | null;
    db_now_ms: number;
  }>(sql`
    select u.id, u.token_version, u.disabled_at is not null as disabled,
           floor(extract(epoch from u.token_changed_at) * 1000)::float8 as changed_ms,
           floor(extract(epoch from n.now) * 1000)::float8 as db_now_ms
    from (select clock_timestamp() as now) n
    left join users u on u.token_changed_at > to_timestamp(${sinceMs / 1000}::float8)`);
  const dbNowMs = rows.length ? Number(rows[0].db_now_ms) : Date.now();
  return {
    dbNowMs,
    moves: rows
      .filter((r) => r.id !== null)
      .map((r) => ({ userId: r.id!, version: Number(r.token_version), disabled: !!r.disabled, changedAtMs: Number(r.changed_ms) })),
  };
}
