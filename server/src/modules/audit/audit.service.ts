import type { Db } from '../../../../db/client';
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

export async function readAudit(db: Db, f: repo.AuditFilter) {
  const [rows, total] = await Promise.all([repo.listAudit(db, f), repo.countAudit(db, f)]);
  return {
    total,
    offset: f.offset,
    limit: f.limit,
    rows: rows.map((r) => ({ ...r, at: r.at.toISOString(), before: redact(r.before), after: redact(r.after) })),
  };
}
