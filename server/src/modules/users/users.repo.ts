import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { contestMembers, users, type User } from '../../../../db/schema/index';

// The account reads and the version bump live with the accounts (auth module): one home each.
export { bumpTokenVersion, findUserById as findUser, findUserByPhone, type AccountChange } from '../auth/index';

/** Phones containing these digits, for the help desk that heard part of a number. */
export function findUsersByDigits(db: Db, digits: string, limit = 50): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(sql`${users.phone} like ${'%' + digits + '%'}`)
    .orderBy(users.phone)
    .limit(limit);
}

/** Memberships that no longer fit the account's role would count for nothing: they go. */
export async function dropMismatchedMemberships(db: Db, userId: string, role: string) {
  await db.delete(contestMembers).where(and(eq(contestMembers.userId, userId), ne(sql`${contestMembers.role}::text`, role)));
}
