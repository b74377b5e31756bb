import type { Db } from '../../../../db/client';
import { badRequest } from '../../lib/errors';
import { dedupeEntries, EXCLUSION_HEADER_NAMES, exclusionSheetRows, normalizeEntry, parseExclusionRows, type ExclusionEntry } from '../../lib/exclusion-sheet';
import { withExportSlot } from '../../lib/export-slots';
import { writeCsv, writeXlsx } from '../../lib/spreadsheet';
import { listChange, recordAudit } from '../audit/index';
import { requireContest } from '../contests/index';
import { readUploadedSheet, sheetInfo, SHEET_CONTENT_TYPES, type FileOut, type Upload } from '../../lib/upload';
import { withdrawPublication } from '../judging/index';
import * as repo from './exclusions.repo';

export const MAX_EXCLUSION_ROWS = 100_000;

/**
 * A save is audited by what it changed, never by the list (the page saves the whole list on
 * every edit): its size and digest before and after (repo.listDigest: anyone with the list,
 * GET …/exclusions, can check a record against it), and the entries added, removed and
 * given another note, as the list names a person (by national id and phone, dedupeEntries).
 */
const auditChange = (before: ExclusionEntry[], after: ExclusionEntry[]) =>
  listChange(before, after, { key: (e) => `${e.nationalId ?? ''}|${e.phone ?? ''}`, same: (a, b) => a.note === b.note });

export async function getExclusions(db: Db, contestId: string) {
  const contest = await requireContest(db, contestId);
  const entries = (await repo.listExclusions(db, contest.id)).map(({ createdAt: _c, ...e }) => e);
  return { contestId: contest.id, count: entries.length, entries };
}

async function save(db: Db, actorId: string, contestId: string, entries: ExclusionEntry[], mode: 'replace' | 'append', action: string, meta: object = {}) {
  return db.transaction(async (tx) => {
    await repo.lockList(tx, contestId);
    const before = await repo.listEntries(tx, contestId);
    const after = dedupeEntries(mode === 'append' ? [...before, ...entries] : entries);
    const digestBefore = await repo.listDigest(tx, contestId);
    await repo.replaceExclusions(tx, contestId, after);
    // A public prize list must not keep naming a member of staff (the results are stale anyway).
    await repo.lockRoundsOfContest(tx, contestId);
    const withdrawnRounds = await withdrawPublication(tx, await repo.publishedRoundsNamingExcluded(tx, contestId), new Date());
    const change = auditChange(before, after);
    await recordAudit(tx, {
      actorId,
      action,
      entity: 'contest',
      entityId: contestId,
      before: { ...change.before, sha256: digestBefore },
      after: { ...meta, ...change.after, sha256: await repo.listDigest(tx, contestId), ...(withdrawnRounds.length ? { withdrawnRounds } : {}) },
    });
    return after.length;
  });
}

/** PUT: the body becomes the whole list; every entry is checked first, and one bad entry changes nothing. */
export async function putExclusions(
  db: Db,
  actorId: string,
  contestId: string,
  raw: { nationalId?: string | null; phone?: string | null; note?: string | null }[],
) {
  const contest = await requireContest(db, contestId);
  const entries: ExclusionEntry[] = [];
  const details: { field: string; message: string; messageEn: string }[] = [];
  raw.forEach((r, i) => {
    const out = normalizeEntry(r);
    if ('entry' in out) entries.push(out.entry);
    else for (const p of out.problems) details.push({ field: `body.entries.${i}.${p.field}`, message: p.message, messageEn: p.messageEn });
  });
  if (details.length)
    throw badRequest(
      'INVALID_EXCLUSION',
      `${details.length} entr${details.length === 1 ? 'y is' : 'ies are'} invalid: ${details
        .slice(0, 5)
        .map((d) => `${d.field}: ${d.messageEn}`)
        .join('; ')}`,
      details,
    );
  await save(db, actorId, contest.id, entries, 'replace', 'exclusions.replace');
  return getExclusions(db, contest.id);
}

export async function importExclusions(db: Db, actorId: string, contestId: string, file: Upload, opts: { dryRun: boolean; mode: 'replace' | 'append' }) {
  const contest = await requireContest(db, contestId);
  const sheet = await readUploadedSheet(file, MAX_EXCLUSION_ROWS, EXCLUSION_HEADER_NAMES);
  const parsed = await parseExclusionRows(sheet.rows, sheet);
  const entries = dedupeEntries(parsed.entries.map((e) => e.entry));
  const base = {
    dryRun: opts.dryRun,
    mode: opts.mode,
    ...sheetInfo(sheet),
    total: parsed.total,
    valid: parsed.entries.length,
    errors: parsed.errors,
    warnings: parsed.warnings,
  };
  if (parsed.errors.length || opts.dryRun) {
    const existing = opts.mode === 'append' ? await repo.listEntries(db, contest.id) : [];
    return { ...base, created: 0, count: dedupeEntries([...existing, ...entries]).length };
  }
  const count = await save(db, actorId, contest.id, entries, opts.mode, 'exclusions.import', { file: file.filename, mode: opts.mode });
  return { ...base, created: entries.length, count };
}

/**
 * The list in the import format: download, edit, upload again. With `empty`, just the headers
 * (a template). The list carries national ids and phones: who took it is audited, as a
 * round's prize list is (exports.file.ts).
 */
export async function exportExclusions(db: Db, contestId: string, format: 'xlsx' | 'csv', empty: boolean, actorId?: string): Promise<FileOut> {
  const contest = await requireContest(db, contestId);
  const entries = empty ? [] : await repo.listExclusions(db, contest.id);
  if (!empty && actorId)
    await recordAudit(db, { actorId, action: 'exclusions.export', entity: 'contest', entityId: contest.id, after: { format, count: entries.length } });
  const rows = exclusionSheetRows(entries);
  // A workbook takes an export slot, as a round's prize list does (lib/export-slots.ts).
  const body = format === 'csv' ? writeCsv(rows) : await withExportSlot(() => writeXlsx([{ name: 'Không dự thi', rows, widths: [16, 14, 50] }]));
  return {
    body,
    filename: `${empty ? 'mau-danh-sach-khong-du-thi' : `khong-du-thi-${contest.slug}`}.${format}`,
    contentType: SHEET_CONTENT_TYPES[format],
  };
}
