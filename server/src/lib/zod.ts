import { z } from 'zod';
import { cleanLines, cleanLongText, cleanText } from './identity';

/** Human text: NFC, trimmed, inner whitespace folded, then length-checked. */
export const text = (min: number, max: number) =>
  z
    .string()
    .max(max * 4)
    .transform(cleanText)
    .pipe(z.string().min(min).max(max));

/** A question's stem: as text(), line by line, line breaks kept (identity.ts cleanLines). */
export const linesText = (min: number, max: number) =>
  z
    .string()
    .max(max * 4)
    .transform(cleanLines)
    .pipe(z.string().min(min).max(max));

/** Multi-line text (rules, descriptions): NFC and trimmed, line breaks kept. */
export const longText = (max: number) => z.string().max(max).transform(cleanLongText);

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NO_CONTROL = /^[^\u0000-\u001f\u007f]+$/;

/** Ids are opaque strings: any string of sane length; unknown ones are simply not found. */
export const IdParam = z.string().min(1).max(100).regex(NO_CONTROL, 'must not contain control characters');

/** A yes/no query parameter: true, 1, false or 0; absent is false. */
export const queryFlag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const ErrorResponse = z.object({
  statusCode: z.number(),
  code: z.string(),
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});

/**
 * The error answers a route documents, each in API.md's error shape:
 * `response: { 200: X, ...errorResponses(401, 404) }`.
 */
export function errorResponses<const C extends readonly number[]>(...codes: C): { [K in C[number]]: typeof ErrorResponse } {
  return Object.fromEntries(codes.map((c) => [c, ErrorResponse])) as { [K in C[number]]: typeof ErrorResponse };
}
