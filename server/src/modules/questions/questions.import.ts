import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../db/client';
import { notFound } from '../../lib/errors';
import {
  findDuplicates,
  parseQuestionRows,
  QUESTION_COLUMN_WIDTHS,
  QUESTION_HEADER_NAMES,
  QUESTION_HEADERS,
  QUESTION_TEMPLATE_HELP,
  questionSheetRows,
  WARNINGS_COLUMN_WIDTH,
  type RowError,
  type RowWarning,
} from '../../lib/question-sheet';
import { lintBankIsolated, lintRowsIsolated } from '../../lib/question-lint.isolated';
import { questionKey, withOptionIds } from '../../lib/questions';
import { withExportSlot } from '../../lib/export-slots';
import { writeCsv, writeXlsx } from '../../lib/spreadsheet';
import { readUploadedSheet, sheetInfo, SHEET_CONTENT_TYPES, type FileOut, type Upload } from '../../lib/upload';
import { listDigest, listHead, recordAudit } from '../audit/index';
import { requireContest } from '../contests/index';
import type { ImportPhase, ImportProgress, ProgressStore } from './questions.progress';
import * as repo from './questions.repo';

export const MAX_IMPORT_ROWS = 20_000;
// 5 bound parameters a row (+1 for the order): far below Postgres's 65,535 per statement.
const BATCH = 1000;

export interface ImportOptions {
  dryRun: boolean;
  skipDuplicates: boolean;
  jobId?: string;
}

export interface ImportResult {
  jobId: string;
  dryRun: boolean;
  format: 'xlsx' | 'csv';
  encoding: string | null;
  total: number;
  valid: number;
  created: number;
  errors: RowError[];
  skipped: RowError[];
  warnings: RowWarning[];
}

const byRow = (a: RowError, b: RowError) => a.row - b.row;

/**
 * All or nothing: the file is read and every row checked in memory; only a file with no
 * bad row is written, in batches inside one transaction.
 */
export async function importQuestions(
  db: Db,
  progress: ProgressStore,
  actorId: string,
  contestId: string,
  file: Upload,
  opts: ImportOptions,
): Promise<ImportResult> {
  const contest = await requireContest(db, contestId);
  const jobId = opts.jobId ?? randomUUID();
  const state: ImportProgress = {
    jobId,
    ownerId: actorId,
    phase: 'reading',
    dryRun: opts.dryRun,
    processed: 0,
    total: 0,
    created: 0,
    errorCount: 0,
    startedAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  const report = (phase: ImportPhase, patch: Partial<ImportProgress> = {}) =>
    progress.set(Object.assign(state, patch, { phase, updatedAt: new Date().toISOString() }));
  await report('reading');

  try {
    const sheet = await readUploadedSheet(file, MAX_IMPORT_ROWS, QUESTION_HEADER_NAMES);
    const parsed = parseQuestionRows(sheet.rows, sheet);
    await report('validating', { total: parsed.total, processed: parsed.total });

    const result = await db.transaction(async (tx) => {
      if (!opts.dryRun) await repo.lockContestBank(tx, contest.id);
      const existing = await repo.bankForLint(tx, contest.id);
      const bank = new Set(existing.map((q) => questionKey(q.text)));
      const duplicates = findDuplicates(parsed.questions, bank);
      const errors = opts.skipDuplicates ? parsed.errors : [...parsed.errors, ...duplicates];
      const skipped = opts.skipDuplicates ? duplicates : [];
      const skippedRows = new Set(skipped.map((e) => e.row));
      const toCreate = parsed.questions.filter((q) => !skippedRows.has(q.row));
      errors.sort(byRow);
      // Rows that are exact duplicates are refused or skipped already; the rest is linted.
      const duplicateRows = new Set(duplicates.map((e) => e.row));
      const warnings: RowWarning[] = [
        ...parsed.warnings,
        ...(await lintRowsIsolated(
          parsed.questions.filter((q) => !duplicateRows.has(q.row)),
          existing,
        )),
      ].sort((a, b) => a.row - b.row);
      const base = {
        jobId,
        dryRun: opts.dryRun,
        ...sheetInfo(sheet),
        total: parsed.total,
        valid: parsed.questions.length - duplicates.length,
        errors,
        skipped,
        warnings,
      };
      if (errors.length || opts.dryRun) return { ...base, created: 0 };

      await report('writing', { processed: 0, total: toCreate.length });
      const ids: string[] = [];
      for (let i = 0; i < toCreate.length; i += BATCH) {
        const batch = toCreate.slice(i, i + BATCH).map((q) => ({
          contestId: contest.id,
          text: q.input.text,
          options: withOptionIds(q.input.options),
          topic: q.input.topic,
          explanation: q.input.explanation,
        }));
        ids.push(...(await repo.insertQuestions(tx, batch, i)));
        await report('writing', { processed: ids.length });
      }
      // Up to 20,000 ids: the first ones, and the digest of all (one a line, in the file's order).
      const head = listHead(ids);
      await recordAudit(tx, {
        actorId,
        action: 'question.import',
        entity: 'contest',
        entityId: contest.id,
        after: {
          file: file.filename,
          ...sheetInfo(sheet),
          created: ids.length,
          skipped: skipped.length,
          questionIds: head.items,
          truncated: head.truncated,
          sha256: listDigest(ids),
        },
      });
      return { ...base, created: ids.length };
    });
    await report('done', { created: result.created, errorCount: result.errors.length });
    return result;
  } catch (err) {
    await report('failed');
    throw err;
  }
}

export async function importProgress(progress: ProgressStore, actorId: string, jobId: string) {
  // Someone else's import is "not found", like any object that is not yours.
  const p = await progress.get(actorId, jobId);
  if (!p) throw notFound('Import');
  const { ownerId: _owner, ...rest } = p;
  return rest;
}

async function sheetFile(rows: string[][], format: 'xlsx' | 'csv', name: string, withHelp: boolean): Promise<FileOut> {
  const widths = rows[0].length > QUESTION_COLUMN_WIDTHS.length ? [...QUESTION_COLUMN_WIDTHS, WARNINGS_COLUMN_WIDTH] : QUESTION_COLUMN_WIDTHS;
  // A workbook takes an export slot, as a round's prize list does (lib/export-slots.ts).
  const body =
    format === 'csv'
      ? writeCsv(rows)
      : await withExportSlot(() =>
          writeXlsx([
            { name: 'Câu hỏi', rows, widths, lists: [{ column: QUESTION_HEADERS.indexOf('Đáp án đúng') + 1, values: ['A', 'B', 'C', 'D'] }] },
            ...(withHelp ? [{ name: 'Hướng dẫn', rows: QUESTION_TEMPLATE_HELP, widths: [120] }] : []),
          ]),
        );
  return { body, filename: `${name}.${format}`, contentType: SHEET_CONTENT_TYPES[format] };
}

export async function exportQuestions(db: Db, contestId: string, format: 'xlsx' | 'csv'): Promise<FileOut> {
  const contest = await requireContest(db, contestId);
  const bank = await repo.listQuestions(db, contest.id, {});
  const byQuestion = new Map<string, string[]>();
  for (const w of await lintBankIsolated(bank.map(({ id, text, options }) => ({ id, text, options }))))
    byQuestion.set(w.questionId, [...(byQuestion.get(w.questionId) ?? []), w.message]);
  return sheetFile(
    questionSheetRows(bank, (i) => byQuestion.get(bank[i].id) ?? []),
    format,
    `cau-hoi-${contest.slug}`,
    false,
  );
}

export async function questionTemplate(db: Db, contestId: string, format: 'xlsx' | 'csv'): Promise<FileOut> {
  await requireContest(db, contestId);
  return sheetFile(questionSheetRows([]), format, 'mau-nhap-cau-hoi', true);
}
