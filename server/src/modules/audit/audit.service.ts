import type { Db } from '../../../../db/client';
import { notFound } from '../../lib/errors';
import * as repo from './audit.repo';

const SECRET_KEYS = new Set(['passwordHash', 'password_hash', 'password']);

/** Audited rows are whole records; a password hash in one must not reach a reader. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !SECRET_KEYS.has(k))
        .map(([k, x]) => [k, redact(x)]),
    );
  return v;
}

/** What listAudit() puts in place of a before or after too large for a list. */
const isOmitted = (v: unknown) =>
  !!v && typeof v === 'object' && !Array.isArray(v) && (v as { omitted?: unknown }).omitted === true && typeof (v as { bytes?: unknown }).bytes === 'number';

type Row = Awaited<ReturnType<typeof repo.listAudit>>[number];

const toResponse = (r: Row) => ({
  ...r,
  at: r.at.toISOString(),
  before: redact(r.before),
  after: redact(r.after),
  complete: !isOmitted(r.before) && !isOmitted(r.after),
});

export async function readAudit(db: Db, f: repo.AuditFilter) {
  const [rows, total] = await Promise.all([repo.listAudit(db, f), repo.countAudit(db, f)]);
  return { total, offset: f.offset, limit: f.limit, rows: rows.map(toResponse) };
}

/** One record whole, however large (the list leaves out a large before or after). */
export async function readAuditRecord(db: Db, id: number) {
  const row = await repo.findAudit(db, id);
  if (!row) throw notFound('Audit record');
  return { ...toResponse(row), complete: true };
}
