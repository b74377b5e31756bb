/** A typed error that the error handler turns into API.md's error shape. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, sent as Retry-After (429 and 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'Authentication required', code = 'UNAUTHORIZED') => new AppError(401, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (what = 'Resource', code = 'NOT_FOUND') => new AppError(404, code, `${what} not found`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const tooManyRequests = (retryAfter: number, message = 'Too many requests, slow down') =>
  new AppError(429, 'RATE_LIMITED', message, undefined, Math.max(1, Math.ceil(retryAfter)));
export const unavailable = (message = 'Service temporarily unavailable', retryAfter = 2) =>
  new AppError(503, 'SERVICE_UNAVAILABLE', message, undefined, retryAfter);

export const httpErrorName: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The `code`s of an error and of its causes (drizzle wraps driver errors in its own). */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** The Postgres SQLSTATE of an error, also when wrapped. */
export function sqlState(err: unknown): string | undefined {
  return errorCodes(err).find((c) => /^[0-9A-Z]{5}$/.test(c));
}

// Connection and resources (08, 53), shutdown and cancel (57P0x, 57014), and what only a
// connection's start can answer: authentication (28: a rotated password) and a missing
// database (3D000). 55000 is left out: it also names mistakes of a statement.
const PG_UNAVAILABLE = /^(08|53|57P0|57014|28|3D000)/;
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ENOTFOUND',
]);

// 22xxx data exceptions: bad encoding (22021 e.g. U+0000), untranslatable character
// (22P05), string or number out of range (22001, 22003), malformed values (22P02, 22007, 22008).
const PG_BAD_VALUE = new Set(['22021', '22P05', '22001', '22003', '22P02', '22007', '22008']);
export function isBadValueForPostgres(err: unknown): boolean {
  return errorCodes(err).some((c) => PG_BAD_VALUE.has(c));
}

/** Postgres or network failures that mean "try again shortly", not "your input is wrong". */
export function isDependencyDown(err: unknown): boolean {
  return errorCodes(err).some((code) => NET_CODES.has(code) || PG_UNAVAILABLE.test(code));
}
