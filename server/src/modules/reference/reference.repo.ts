import { eq, inArray, sql } from 'drizzle-orm';
import { lockKey, type Db } from '../../../../db/client';
import { localities, units, users } from '../../../../db/schema/index';
import { sortByName } from '../../lib/collation';
import type { ReferenceKind } from '../../lib/reference-sheet';

const table = (kind: ReferenceKind) => (kind === 'localities' ? localities : units);

/**
 * In Vietnamese alphabetical order (lib/collation.ts), each with the number of users who
 * chose it: counted in one GROUP BY over the users of the contest's entries (an index-only
 * scan of users_locality_idx / users_unit_idx, or one scan of users where the visibility
 * map lags), not a count per entry (200 communes of 300k residents: 19 s).
 */
export async function listReference(db: Db, kind: ReferenceKind, contestId: string) {
  const t = table(kind);
  const ref = kind === 'localities' ? users.localityId : users.unitId;
  const ofContest = db.select({ id: t.id }).from(t).where(eq(t.contestId, contestId));
  const counts = db
    .select({ refId: sql<string>`${ref}`.as('ref_id'), n: sql<number>`count(*)::int`.as('n') })
    .from(users)
    .where(inArray(ref, ofContest))
    .groupBy(ref)
    .as('registered');
  const rows = await db
    .select({ id: t.id, name: t.name, headcount: t.headcount, registered: sql<number>`coalesce(${counts.n}, 0)` })
    .from(t)
    .leftJoin(counts, eq(counts.refId, t.id))
    .where(eq(t.contestId, contestId));
  return sortByName(rows, (r) => r.name);
}

export async function lockList(db: Db, kind: ReferenceKind, contestId: string) {
  await lockKey(db, kind + ':' + contestId);
}

export async function insertItems(db: Db, kind: ReferenceKind, contestId: string, items: { name: string; headcount: number | null }[]) {
  if (items.length === 0) return;
  const t = table(kind);
  // 3 parameters a row; the import caps rows far below Postgres's 65,535.
  for (let i = 0; i < items.length; i += 5000)
    await db.insert(t).values(items.slice(i, i + 5000).map((it) => ({ contestId, name: it.name, headcount: it.headcount })));
}

export async function setHeadcount(db: Db, kind: ReferenceKind, id: string, headcount: number | null) {
  const t = table(kind);
  await db.update(t).set({ headcount }).where(eq(t.id, id));
}
