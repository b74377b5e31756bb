import { and, count, desc, eq, gte, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../../db/client';
import { auditLog, users } from '../../../../db/schema/index';
import { LIST_JSON_MAX } from './audit.lists';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Call inside the transaction that makes the change, so the log and the change land together. */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: e.actorId,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    before: (e.before ?? null) as object | null,
    after: (e.after ?? null) as object | null,
  });
}

export interface AuditFilter {
  /** Everything about one contest: the contest itself and the records that carry its id. */
  contestId?: string;
  actorId?: string;
  action?: string;
  entity?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

function where(f: AuditFilter) {
  const conds: SQL[] = [];
  // The record's contest, set on insert by the rules of migration 0026 (audit_log_contest_of):
  // the contest itself and its lists, its rounds' judging (finalize, exports of personal data,
  // publish, disqualifications carry the round's id only), and records carrying its id.
  if (f.contestId) conds.push(eq(auditLog.contestId, f.contestId));
  if (f.actorId) conds.push(eq(auditLog.actorId, f.actorId));
  // "question." lists every question action; a full name matches that action only.
  if (f.action) conds.push(f.action.endsWith('.') ? like(auditLog.action, `${f.action.replace(/[\\%_]/g, (c) => '\\' + c)}%`) : eq(auditLog.action, f.action));
  if (f.entity) conds.push(eq(auditLog.entity, f.entity));
  if (f.entityId) conds.push(eq(auditLog.entityId, f.entityId));
  if (f.from) conds.push(gte(auditLog.at, f.from));
  if (f.to) conds.push(lt(auditLog.at, f.to));
  return conds.length ? and(...conds) : undefined;
}

/**
 * A before or after as a list shows it (records written before lists were audited by their
 * changes hold whole exclusion lists, megabytes a side: 200 of them on one page held the
 * server's thread for seconds): whole, or `{ omitted: true, bytes }` when too large,
 * `bytes` being its size as stored. The stored size is read from the value's header, without
 * reading the value; a compressed value (TOASTed jsonb) may be larger than it is stored, so
 * only then is its text measured.
 */
function bounded(col: typeof auditLog.before | typeof auditLog.after) {
  const max = sql.raw(String(LIST_JSON_MAX));
  return sql<unknown>`case
      when ${col} is null then null
      when pg_column_size(${col}) > ${max} then jsonb_build_object('omitted', true, 'bytes', pg_column_size(${col}))
      when pg_column_compression(${col}) is not null and octet_length(${col}::text) > ${max} then jsonb_build_object('omitted', true, 'bytes', pg_column_size(${col}))
      else ${col} end`.mapWith(col);
}

const columns = {
  id: auditLog.id,
  at: auditLog.at,
  actorId: auditLog.actorId,
  actorName: users.fullName,
  actorRole: users.role,
  action: auditLog.action,
  entity: auditLog.entity,
  entityId: auditLog.entityId,
};

/** Newest first; a before or after too large for a list is replaced by its size (bounded()). */
export function listAudit(db: Db, f: AuditFilter) {
  return db
    .select({ ...columns, before: bounded(auditLog.before), after: bounded(auditLog.after) })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(where(f))
    .orderBy(desc(auditLog.id))
    .limit(f.limit)
    .offset(f.offset);
}

/** One record, whole. */
export async function findAudit(db: Db, id: number) {
  const [row] = await db
    .select({ ...columns, before: auditLog.before, after: auditLog.after })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(eq(auditLog.id, id));
  return row;
}

export async function countAudit(db: Db, f: AuditFilter): Promise<number> {
  const [r] = await db.select({ n: count() }).from(auditLog).where(where(f));
  return r?.n ?? 0;
}
