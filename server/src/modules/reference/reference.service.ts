import type { Db } from '../../../../db/client';
import { parseReferenceRows, REFERENCE_HEADER_NAMES, referenceKey, type ReferenceKind } from '../../lib/reference-sheet';
import { AUDIT_LIST_MAX, recordAudit } from '../audit/index';
import { requireContest } from '../contests/index';
import { readUploadedSheet, sheetInfo, type Upload } from '../../lib/upload';
import * as repo from './reference.repo';

export const MAX_REFERENCE_ROWS = 10_000;

export async function listReference(db: Db, kind: ReferenceKind, contestId: string) {
  const contest = await requireContest(db, contestId);
  return repo.listReference(db, kind, contest.id);
}

/**
 * Adds the file's names and sets their headcounts; names already on the list are
 * matched case-insensitively and keep their id (residents point at it), and names not
 * in the file stay. All or nothing, like every import.
 */
export async function importReference(db: Db, actorId: string, kind: ReferenceKind, contestId: string, file: Upload, opts: { dryRun: boolean }) {
  const contest = await requireContest(db, contestId);
  const sheet = await readUploadedSheet(file, MAX_REFERENCE_ROWS, REFERENCE_HEADER_NAMES);
  const parsed = parseReferenceRows(sheet.rows, sheet);
  const base = {
    kind,
    dryRun: opts.dryRun,
    ...sheetInfo(sheet),
    total: parsed.total,
    valid: parsed.items.length,
    errors: parsed.errors,
    warnings: parsed.warnings,
  };

  return db.transaction(async (tx) => {
    if (!opts.dryRun && !parsed.errors.length) await repo.lockList(tx, kind, contest.id);
    const existing = await repo.listReference(tx, kind, contest.id);
    const byKey = new Map(existing.map((e) => [referenceKey(e.name), e]));
    const fresh = parsed.items.filter((it) => !byKey.has(referenceKey(it.name)));
    const changed = parsed.items.filter((it) => {
      const e = byKey.get(referenceKey(it.name));
      return e && e.headcount !== it.headcount;
    });
    const outcome = { ...base, created: fresh.length, updated: changed.length, count: existing.length + fresh.length };
    if (parsed.errors.length || opts.dryRun) return { ...outcome, created: 0, updated: 0, count: parsed.errors.length ? existing.length : outcome.count };
    await repo.insertItems(tx, kind, contest.id, fresh);
    for (const it of changed) await repo.setHeadcount(tx, kind, byKey.get(referenceKey(it.name))!.id, it.headcount);
    // A file of up to 10,000 names: the first names created and changed, and how many.
    const shownChanged = changed.slice(0, AUDIT_LIST_MAX);
    await recordAudit(tx, {
      actorId,
      action: `${kind}.import`,
      entity: 'contest',
      entityId: contest.id,
      before: {
        count: existing.length,
        changed: shownChanged.map((it) => ({ name: byKey.get(referenceKey(it.name))!.name, headcount: byKey.get(referenceKey(it.name))!.headcount })),
      },
      after: {
        file: file.filename,
        count: outcome.count,
        created: fresh.slice(0, AUDIT_LIST_MAX).map((f) => ({ name: f.name, headcount: f.headcount })),
        createdCount: fresh.length,
        changed: shownChanged.map((c) => ({ name: c.name, headcount: c.headcount })),
        changedCount: changed.length,
        truncated: fresh.length > AUDIT_LIST_MAX || changed.length > AUDIT_LIST_MAX,
      },
    });
    return outcome;
  });
}
