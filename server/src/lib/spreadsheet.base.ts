// The shapes of a read spreadsheet and what every format shares (spreadsheet.ts).
import { stripInvisible } from './identity';

export type SheetFormat = 'xlsx' | 'csv';
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1258';

/** One row as the organizer sees it: `number` is the row number Excel shows (1-based). */
export interface SheetRow {
  number: number;
  cells: string[];
  /** .xlsx: the (0-based) columns whose cell held a number, not text: leading zeros are lost there. */
  numeric?: number[];
  /** .xlsx: hidden in Excel (by hand, or by a filter). */
  hidden?: boolean;
}

/** Why a row deserves a second look though nothing in it is wrong (import warnings, API.md). */
export const SHEET_WARNING_RULES = ['cell_value', 'hidden_row'] as const;
export type SheetWarningRule = (typeof SHEET_WARNING_RULES)[number];

/**
 * A cell read, but perhaps not as its author sees it: `cell_value` is a cell whose value
 * could not be shown as Excel shows it (an unknown number format, an Excel error, a formula
 * with no stored result). `col` is 0-based, as in `cells`. (`hidden_row`, a row left out
 * because Excel hides it, is the importers' own: spreadsheet.ts visibleRows.)
 */
export interface SheetWarning {
  row: number;
  col: number;
  rule: SheetWarningRule;
  message: string;
  messageEn: string;
}

/** A SheetWarning as an import reports it (API.md's `{ row, rule, message }`), with its column letter. */
export interface RowNotice {
  row: number;
  rule: SheetWarningRule;
  column?: string;
  message: string;
  messageEn: string;
}

export interface Sheet {
  format: SheetFormat;
  encoding?: TextEncoding;
  rows: SheetRow[];
  /** Only an .xlsx has them. */
  warnings?: SheetWarning[];
  /** .xlsx: the sheet read (the first one not hidden). */
  sheetName?: string;
}

/** What an importer needs of a sheet besides its rows. */
export type SheetContext = Pick<Sheet, 'warnings' | 'sheetName'>;

/**
 * The spreadsheet worker sends its rows back a run at a time, the next run only when the main
 * thread asks for it after a turn of its event loop (spreadsheet.isolated.ts): the rows of
 * 100,000 people copied in one message took 0.2-0.3 s to read there, and every start and
 * submit waited for it. A run of 2,000 takes a few ms.
 */
export const ROWS_PER_MESSAGE = 2_000;

/** A file that cannot be read as a spreadsheet at all (as opposed to a bad row in it). */
export class SheetError extends Error {
  constructor(
    readonly messageVi: string,
    readonly messageEn: string,
    readonly row?: number,
    /** What went wrong inside, for the log (not sent). */
    cause?: unknown,
  ) {
    super(messageEn, cause === undefined ? undefined : { cause });
    this.name = 'SheetError';
  }
}

export interface ReadOptions {
  /** Rows beyond this (after the header) make the whole file rejected, before any work on them. */
  maxRows?: number;
  /** Decompressed size cap for .xlsx (a zip bomb must not exhaust memory). */
  maxUnzippedBytes?: number;
  /** The upload's name: a ".xlsx" whose bytes are no zip is a damaged workbook, not a CSV. */
  filename?: string;
  /** The names the caller's columns go by (every alias): they tell a CSV's delimiter. */
  headers?: readonly string[];
}

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
export const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
export const startsWith = (buf: Uint8Array, magic: number[]) => magic.every((b, i) => buf[i] === b);

// Postgres text cannot hold NUL, and no other control character belongs in a cell.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** The text of a cell as stored: NFC, line breaks as \n, no control or invisible characters (identity.ts), outer spaces trimmed. */
export function cleanCell(s: string): string {
  return stripInvisible(s)
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/\u00a0/g, ' ')
    .trim();
}

/** A header cell reduced to what matters for matching: no accents, case, spaces or punctuation. */
export function headerKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
