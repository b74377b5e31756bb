import { and, desc, eq, sql } from 'drizzle-orm';
import { lockKey, rawRows, type Db } from '../../../../db/client';
import { otpCodes, otpOutbox } from '../../../../db/schema/index';
import type { OtpPurpose } from '../../lib/otp';

/** Serializes the requests of one phone (the limits are read, then a row is written). */
export async function lockPhone(db: Db, phone: string) {
  await lockKey(db, 'otp:' + phone);
}

export async function recentRequests(db: Db, phone: string, since: Date): Promise<{ count: number; firstMs: number | null; lastMs: number | null }> {
  const [r] = await rawRows<{ n: number; first_ms: number | null; last_ms: number | null }>(
    db,
    sql`
      select count(*)::int as n,
             floor(extract(epoch from min(created_at)) * 1000)::float8 as first_ms,
             floor(extract(epoch from max(created_at)) * 1000)::float8 as last_ms
      from otp_codes where phone = ${phone} and created_at > ${since.toISOString()}::timestamptz`,
  );
  return {
    count: Number(r?.n ?? 0),
    firstMs: r?.first_ms === null || r?.first_ms === undefined ? null : Number(r.first_ms),
    lastMs: r?.last_ms === null || r?.last_ms === undefined ? null : Number(r.last_ms),
  };
}

export async function insertCode(
  db: Db,
  values: { phone: string; purpose: OtpPurpose; codeHash: string | null; expiresAt: Date; createdAt: Date },
): Promise<string> {
  const [row] = await db.insert(otpCodes).values(values).returning({ id: otpCodes.id });
  return row.id;
}

export async function insertOutbox(db: Db, values: { codeId: string; phone: string; purpose: OtpPurpose; sealed: string }) {
  await db.insert(otpOutbox).values(values);
}

/** The latest code of a phone for a purpose, locked: only the latest one counts. */
export async function latestCodeForUpdate(db: Db, phone: string, purpose: OtpPurpose) {
  const [row] = await db
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.phone, phone), eq(otpCodes.purpose, purpose)))
    .orderBy(desc(otpCodes.createdAt))
    .limit(1)
    .for('update');
  return row ?? null;
}

export async function markUsed(db: Db, id: string, now: Date) {
  await db.update(otpCodes).set({ usedAt: now }).where(eq(otpCodes.id, id));
}

/** One more wrong try; the last allowed one burns the code. */
export async function countWrongTry(db: Db, id: string, maxTries: number, now: Date) {
  await db
    .update(otpCodes)
    .set({
      tries: sql`${otpCodes.tries} + 1`,
      burnedAt: sql`case when ${otpCodes.tries} + 1 >= ${maxTries} then ${now.toISOString()}::timestamptz else ${otpCodes.burnedAt} end`,
    })
    .where(eq(otpCodes.id, id));
}

export interface OutboxRow {
  id: number;
  code_id: string;
  phone: string;
  purpose: OtpPurpose;
  sealed: string | null;
  attempts: number;
}

/** Claims due messages (skipping those another process holds) and leases them for `leaseMs`. */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return rawRows<OutboxRow>(
    db,
    sql`
      update otp_outbox o
      set attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}::float8)
      where o.id in (
        select id from otp_outbox
        where sent_at is null and failed_at is null and next_attempt_at <= now()
        order by id
        limit ${limit}
        for update skip locked)
      returning o.id, o.code_id, o.phone, o.purpose, o.sealed, o.attempts`,
  );
}

export async function markSent(db: Db, id: number) {
  await db
    .update(otpOutbox)
    .set({ sentAt: sql`now()`, sealed: null })
    .where(eq(otpOutbox.id, id));
}

export async function retryLater(db: Db, id: number, afterMs: number) {
  await db
    .update(otpOutbox)
    .set({ nextAttemptAt: sql`now() + make_interval(secs => ${afterMs / 1000}::float8)` })
    .where(eq(otpOutbox.id, id));
}

/**
 * Given up: the message goes, and its code can never be used (nobody received it). One
 * transaction: the message is never marked failed while its code still works, not even
 * for a moment, nor left so by a crash in between.
 */
export async function markFailed(db: Db, id: number, codeId: string) {
  await db.transaction(async (tx) => {
    await tx
      .update(otpCodes)
      .set({ burnedAt: sql`coalesce(${otpCodes.burnedAt}, now())` })
      .where(eq(otpCodes.id, codeId));
    await tx
      .update(otpOutbox)
      .set({ failedAt: sql`now()`, sealed: null })
      .where(eq(otpOutbox.id, id));
  });
}
