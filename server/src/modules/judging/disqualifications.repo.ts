import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { attempts, disqualifications } from '../../../../db/schema/index';

export async function userHasAttempt(db: Db, roundId: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .where(and(eq(attempts.roundId, roundId), eq(attempts.userId, userId)))
    .limit(1);
  return rows.length > 0;
}

export async function insertDisqualification(db: Db, values: typeof disqualifications.$inferInsert) {
  const [row] = await db.insert(disqualifications).values(values).onConflictDoNothing().returning();
  return row;
}

export async function deleteDisqualification(db: Db, roundId: string, userId: string) {
  const [row] = await db
    .delete(disqualifications)
    .where(and(eq(disqualifications.roundId, roundId), eq(disqualifications.userId, userId)))
    .returning();
  return row;
}

export function listDisqualifications(db: Db, roundId: string) {
  return db.select().from(disqualifications).where(eq(disqualifications.roundId, roundId)).orderBy(asc(disqualifications.createdAt));
}
