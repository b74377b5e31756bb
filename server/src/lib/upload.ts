// Files in and out of the organizer's pages: a multipart upload read into memory, a
// spreadsheet read from it (lib/spreadsheet.ts, errors as API.md's INVALID_FILE), and a
// generated file sent as an attachment. Used by the questions, exclusions and reference modules.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, badRequest } from './errors';
import { readSheet, SHEET_WARNING_RULES, SheetError, type Sheet } from './spreadsheet';

export interface Upload {
  buffer: Buffer;
  filename: string;
}

/** Spreadsheets of a question bank or a staff list: a few MB at most. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** @fastify/multipart for a plugin whose routes take one file; the limits are checked again per file. */
export const MULTIPART_OPTIONS = { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12 } };

/**
 * The single file of a multipart request, in memory. Needs @fastify/multipart in the
 * route's scope; every failure is a 4xx (none of them is the server's fault).
 */
export async function readUpload(req: FastifyRequest, maxBytes = MAX_UPLOAD_BYTES): Promise<Upload> {
  if (!req.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data in a field named "file"');
  try {
    const part = await req.file({ limits: { fileSize: maxBytes, files: 1 } });
    if (!part) throw badRequest('FILE_REQUIRED', 'Thiếu tệp / No file in the request', [{ field: 'file', message: 'required' }]);
    const buffer = await part.toBuffer();
    // The name is only recorded (audit log): no control characters (jsonb refuses NUL), bounded length.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const control = /[\u0000-\u001f\u007f]/g;
    const filename = (part.filename ?? '').normalize('NFC').replace(control, '').slice(0, 200) || 'upload';
    return { buffer, filename };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT')
      throw new AppError(
        413,
        'PAYLOAD_TOO_LARGE',
        `Tệp quá lớn (tối đa ${Math.round(maxBytes / 1048576)} MB) / The file is too large (at most ${Math.round(maxBytes / 1048576)} MB)`,
      );
    throw badRequest('INVALID_MULTIPART', 'Malformed multipart/form-data body');
  }
}

/** attachment; with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachment(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\w.-]+/g, '-');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A SheetError as API.md's 400, with the same bilingual fields as row errors. */
export function invalidFile(err: SheetError) {
  const out = badRequest('INVALID_FILE', `${err.messageVi} / ${err.messageEn}`, [
    { row: err.row ?? null, field: 'file', message: err.messageVi, messageEn: err.messageEn },
  ]);
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

/** `headers`: every name the importer's columns go by (they tell a CSV's delimiter). */
export async function readUploadedSheet(file: Upload, maxRows: number, headers: readonly string[]): Promise<Sheet> {
  try {
    return await readSheet(file.buffer, { maxRows, filename: file.filename, headers });
  } catch (err) {
    if (err instanceof SheetError) throw invalidFile(err);
    throw err;
  }
}

/** What an import's answer says of the file it read. */
export const sheetInfo = (sheet: Sheet) => ({ format: sheet.format, encoding: sheet.encoding ?? null });

export interface FileOut {
  body: Buffer;
  filename: string;
  contentType: string;
}

export const SHEET_CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** Sends a generated file as a download. */
export function sendFile(reply: FastifyReply, f: FileOut) {
  return reply.header('content-type', f.contentType).header('content-disposition', attachment(f.filename)).send(f.body);
}

export const FileFormatQuery = z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') });

export const RowErrorSchema = z.object({
  row: z.number(),
  field: z.string(),
  column: z.string().optional(),
  message: z.string().describe('Vietnamese'),
  messageEn: z.string(),
});

/** An OpenAPI header object of a response, in the document only. */
export interface HeaderDoc {
  type: 'string' | 'integer';
  description: string;
}

/**
 * A file's bytes: a Buffer or a stream to the route's code, which fastify writes as they are
 * (never through a schema); a binary string to the document.
 */
const Binary = z.custom<Buffer | Readable>().meta({ type: 'string', format: 'binary' });

/**
 * The 200 of a download, as the document shows it: the file as one of `mediaTypes`, sent
 * as an attachment, and its other `headers`. The schema only documents: the body is a
 * Buffer (sendFile) or a stream, which fastify sends untouched whatever the route declares.
 */
export function fileResponse(description: string, mediaTypes: readonly string[], headers: Record<string, HeaderDoc> = {}) {
  return {
    description,
    // Not kept by the zod provider's transform of a content-type map; plugins/docs.ts puts them back.
    headers: {
      'content-disposition': { type: 'string', description: 'attachment; filename="<name in ASCII>"; filename*=UTF-8\'\'<name> (RFC 6266)' },
      ...headers,
    } satisfies Record<string, HeaderDoc>,
    content: Object.fromEntries(mediaTypes.map((t) => [t, { schema: Binary }])) as Record<string, { schema: typeof Binary }>,
  };
}

/** The media types of the organizer's spreadsheets (SHEET_CONTENT_TYPES without parameters; CSV is UTF-8 with a BOM). */
export const SHEET_MEDIA_TYPES = [SHEET_CONTENT_TYPES.xlsx, 'text/csv'] as const;

/** The request body of an upload route, for the document: readUpload reads it; fastify parses and validates none of it. */
export const UPLOAD_FORM = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: `The spreadsheet: .xlsx or .csv, at most ${MAX_UPLOAD_BYTES / 1048576} MB` },
  },
};

/** The reader's warning on a row (spreadsheet.base.ts SheetWarningRule): a cell not read as Excel shows it, a row left out because Excel hides it; never blocking. */
export const SheetWarningSchema = z.object({
  row: z.number(),
  rule: z.enum(SHEET_WARNING_RULES),
  column: z.string().optional(),
  message: z.string().describe('Vietnamese'),
  messageEn: z.string(),
});
