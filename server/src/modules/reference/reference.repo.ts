import { eq, sql } from 'drizzle-orm';
import { lockKey, type Db } from '../../../../db/client';
import { localities, units } from '../../../../db/schema/index';
import { sortByName } from '../../lib/collation';
import type { ReferenceKind } from '../../lib/reference-sheet';

const table = (kind: ReferenceKind) => (kind === 'localities' ? localities : units);

/** In Vietnamese alphabetical order (lib/collation.ts). */
export async function listReference(db: Db, kind: ReferenceKind, contestId: string) {
  const t = table(kind);
  // Spelled out: inside a subquery drizzle would leave the outer column unqualified.
  const registered = sql.raw(`(select count(*) from users u where u.${kind === 'localities' ? 'locality_id' : 'unit_id'} = "${kind}"."id")::int`);
  const rows = await db
    .select({ id: t.id, name: t.name, headcount: t.headcount, registered: sql<number>`${registered}` })
    .from(t)
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
