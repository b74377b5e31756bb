import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, type StatusOf } from './error-codes';
import { cleanLines, cleanLongText, cleanText, LONE_SURROGATE } from './identity';

const wellFormed = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode text');

/** Human text: NFC, trimmed, inner whitespace folded, then length-checked. */
export const text = (min: number, max: number) =>
  wellFormed(max * 4)
    .transform(cleanText)
    .pipe(z.string().min(min).max(max));

/** A question's stem: as text(), line by line, line breaks kept (identity.ts cleanLines). */
export const linesText = (min: number, max: number) =>
  wellFormed(max * 4)
    .transform(cleanLines)
    .pipe(z.string().min(min).max(max));

/** Multi-line text (rules, descriptions): NFC and trimmed, line breaks kept. */
export const longText = (max: number) => wellFormed(max).transform(cleanLongText);

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
  code: z.string().describe('stable, SCREAMING_SNAKE_CASE: the table in the document’s description says what each means'),
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});

/** The error codes a response schema of errorResponses() stands for (read by plugins/docs.ts). */
export const errorCodesOf = z.registry<{ codes: readonly ErrorCode[] }>();

type StatusesOf<C extends readonly ErrorCode[]> = StatusOf<C[number]>;

/**
 * The error answers of a route, by the codes it can answer with (lib/error-codes.ts gives
 * each its status), each in API.md's error shape: `response: { 200: X,
 * ...errorResponses('ROUND_LOCKED', 'QUESTION_PUBLISHED') }`. The document adds what every
 * route of its kind answers (plugins/docs.ts): the token's 401s and 403, a staff route's
 * 403 and 404, 400 VALIDATION_FAILED where there is input, 503.
 */
export function errorResponses<const C extends readonly ErrorCode[]>(...codes: C): { [K in StatusesOf<C>]: typeof ErrorResponse } {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  // One schema per status, the same shape as ErrorResponse: only the document reads the codes.
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, ErrorResponse.clone().register(errorCodesOf, { codes: list })])) as {
    [K in StatusesOf<C>]: typeof ErrorResponse;
  };
}
