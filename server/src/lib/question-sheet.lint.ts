// The lint of an import's rows (question-sheet.ts re-exports it): apart from the sheet's
// reading, so that the lint worker (question-lint.worker.ts) loads no spreadsheet library.
import { BankLint, type LintQuestion, type LintRule } from './question-lint';
import type { SheetQuestion } from './question-sheet';
import type { SheetWarningRule } from './spreadsheet.base';

/** API.md's import warning: a lint warning on a row that passed, or the reader's on a cell (with its column). */
export interface RowWarning {
  row: number;
  rule: LintRule | SheetWarningRule;
  column?: string;
  message: string;
  messageEn: string;
  relatedQuestionId?: string;
  relatedRow?: number;
}

/**
 * Lints the rows of a file against the bank and against each other (a row and a bank
 * question, or two rows, can be near duplicates or answer each other).
 */
export function lintRows(rows: SheetQuestion[], bank: LintQuestion[]): RowWarning[] {
  // Row ids cannot collide with the bank's uuids.
  const rowId = (row: number) => `row:${row}`;
  const rowOf = (id: string) => (id.startsWith('row:') ? Number(id.slice(4)) : null);
  const lint = new BankLint([...bank, ...rows.map((r) => ({ id: rowId(r.row), text: r.input.text, options: r.input.options }))]);
  return lint
    .lintAll((id) => rowOf(id) !== null)
    .map(({ questionId, relatedQuestionId, ...w }) => {
      const relatedRow = relatedQuestionId ? rowOf(relatedQuestionId) : null;
      return { row: rowOf(questionId)!, ...w, ...(relatedRow !== null ? { relatedRow } : relatedQuestionId ? { relatedQuestionId } : {}) };
    });
}
