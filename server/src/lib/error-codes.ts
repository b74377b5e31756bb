// Every `code` an error answer can carry (API.md "Errors": stable, SCREAMING_SNAKE_CASE),
// with its HTTP status and what it means. Routes name the codes they answer with
// (lib/zod.ts errorResponses); the OpenAPI document lists them per operation and in a
// table (plugins/docs.ts). A test reads the server's sources and fails when a code thrown
// there is missing here.

interface ErrorCodeInfo {
  status: number;
  meaning: string;
  /** API.md names the code. */
  contract?: true;
  /** The answer carries Retry-After (seconds). */
  retryAfter?: true;
  /** Any operation may answer with it: listed once, in the table, not per operation. */
  general?: true;
}

export const ERROR_CODES = {
  // 400
  VALIDATION_FAILED: { status: 400, meaning: 'The input does not fit the schema or a rule of the operation; `details` names the fields.', contract: true },
  INVALID_JSON: { status: 400, meaning: 'The body is not valid JSON.', general: true },
  JSON_TOO_DEEP: { status: 400, meaning: 'The JSON body is nested deeper than 32 levels.', general: true },
  INVALID_CONTENT_LENGTH: { status: 400, meaning: 'The content-length header does not match the body.', general: true },
  INVALID_VALUE: { status: 400, meaning: 'A value cannot be stored (invalid characters, length or range).', general: true },
  BAD_REQUEST: { status: 400, meaning: 'Another malformed request, refused by the framework (its 4xx status).', general: true },
  INVALID_QUESTION: { status: 400, meaning: 'A question needs 3 or 4 options with exactly one `correct: true`.', contract: true },
  DUPLICATE_QUESTION: { status: 400, meaning: 'A question id is listed twice in the pool.' },
  UNKNOWN_QUESTION: { status: 400, meaning: 'Question ids that are not in the contest’s bank (`details` lists them).' },
  INVALID_ANSWERS: {
    status: 400,
    meaning:
      'A question not in the attempt, a repeated question or a foreign option; both answers and choices; a choices length other than the question count, or a position out of range.',
    contract: true,
  },
  INVALID_CORRECTION: {
    status: 400,
    meaning: 'A correction to an option of another question, to the current key, or voiding a voided question.',
    contract: true,
  },
  INVALID_EXCLUSION: { status: 400, meaning: 'Entries of the exclusion list without a valid national id or phone (`details` names them).' },
  INVALID_LOCALITY: { status: 400, meaning: 'Registration with an unknown localityId.' },
  INVALID_UNIT: { status: 400, meaning: 'Registration with an unknown unitId.' },
  INVALID_FILE: { status: 400, meaning: 'The uploaded file cannot be read as .xlsx or .csv (a lying or oversized entry; an .ods file).', contract: true },
  INVALID_MULTIPART: { status: 400, meaning: 'The multipart/form-data body is malformed.' },
  FILE_REQUIRED: { status: 400, meaning: 'No file in the multipart field "file".' },
  OTP_REQUIRED: { status: 400, meaning: 'Registration needs the one-time code sent to the phone (REGISTRATION_OTP=on).', contract: true },
  OTP_INVALID: { status: 400, meaning: 'The one-time code is wrong, expired, used or burned (the fifth wrong try burns it).', contract: true },
  POW_REQUIRED: { status: 400, meaning: 'Registration needs a solved challenge (GET /auth/challenge).' },
  POW_EXPIRED: { status: 400, meaning: 'The registration challenge expired: fetch a new one.' },
  POW_INVALID: { status: 400, meaning: 'The registration challenge’s solution is not valid.' },
  POW_REUSED: { status: 400, meaning: 'The registration challenge was already used: fetch a new one.' },
  NOT_A_RESIDENT: { status: 400, meaning: 'Overrides are for residents.' },
  CANNOT_CHANGE_SELF: { status: 400, meaning: 'Admins cannot change their own role or disable their own account.' },
  // 401
  UNAUTHORIZED: { status: 401, meaning: 'No token, or not a valid one (or, on /metrics, not the metrics token).' },
  TOKEN_EXPIRED: { status: 401, meaning: 'The token has expired: log in again.' },
  TOKEN_REVOKED: {
    status: 401,
    meaning: 'The token was issued before a role change, a disable, a logout-all or a password change: log in again.',
    contract: true,
  },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Wrong phone number or password.', contract: true },
  ACCOUNT_DISABLED: { status: 401, meaning: 'The password is right but the account is disabled.', contract: true },
  // 403
  FORBIDDEN: { status: 403, meaning: 'The caller’s role, or its role in the contest, does not fit the operation.', contract: true },
  NOT_ELIGIBLE: { status: 403, meaning: 'Not allowed to take part: a staff account, or on the contest’s exclusion list.', contract: true },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    meaning: 'After a help-desk reset the password must be changed first (POST /auth/password); GET /me and POST /auth/logout-all still answer.',
    contract: true,
  },
  WRONG_PASSWORD: { status: 403, meaning: 'The current password is wrong.', contract: true },
  // 404
  NOT_FOUND: {
    status: 404,
    meaning: 'No such object, or not the caller’s (another user’s, or a contest the staff member is not a member of): never told apart.',
  },
  ROUTE_NOT_FOUND: { status: 404, meaning: 'No such route (and GET /metrics in production without METRICS_TOKEN).', general: true },
  // 409
  ROUND_NOT_OPEN: { status: 409, meaning: 'The round is not open (outside its window, or its pool is smaller than its question count).', contract: true },
  ATTEMPTS_EXHAUSTED: { status: 409, meaning: 'All maxAttempts attempts of the round are used.', contract: true },
  DEADLINE_PASSED: { status: 409, meaning: 'The attempt’s deadline plus the 30 s grace has passed; the attempt stays used.', contract: true },
  ROUND_NOT_CLOSED: {
    status: 409,
    meaning: 'The round is not sealed yet (a submission can still be accepted); Retry-After says when it will be.',
    contract: true,
    retryAfter: true,
  },
  RESULTS_NOT_PUBLISHED: { status: 409, meaning: 'The round’s results are not published (or a correction withdrew them).', contract: true },
  ROUND_NOT_FINALIZED: { status: 409, meaning: 'The round has not been finalized.' },
  RESULTS_STALE: {
    status: 409,
    meaning: 'Something the results depend on changed since they were finalized (a correction, a disqualification, the exclusion list): finalize again.',
    contract: true,
  },
  ALREADY_DISQUALIFIED: { status: 409, meaning: 'The participant is already disqualified in the round.' },
  ROUND_LOCKED: { status: 409, meaning: 'The round has attempts: its questions, pool and question count can no longer change.', contract: true },
  ROUND_SEALED: { status: 409, meaning: 'The round is sealed: closesAt cannot move later and no override can be granted.', contract: true },
  ROUND_FINALIZED: { status: 409, meaning: 'The round has been finalized and can no longer change.' },
  QUESTION_PUBLISHED: {
    status: 409,
    meaning: 'Questions whose key is already public (a sealed round’s); send allowPublished: true to use them. `details` lists them.',
    contract: true,
  },
  POOL_TOO_SMALL: { status: 409, meaning: 'A round that is open, or opens now, needs a pool of at least questionCount questions.' },
  SLUG_TAKEN: { status: 409, meaning: 'Another contest has this slug.' },
  ROUND_NUMBER_TAKEN: { status: 409, meaning: 'The contest already has a round with this number.' },
  ATTEMPTS_EXCEED_CAP: { status: 409, meaning: 'Residents already used more attempts than the new maxAttempts.' },
  OVERRIDE_BELOW_USED: { status: 409, meaning: 'The resident already used more attempts than the override would allow.' },
  LAST_ORGANIZER: { status: 409, meaning: 'A contest needs at least one organizer member.', contract: true },
  PHONE_TAKEN: { status: 409, meaning: 'The phone number is already registered.', contract: true },
  NATIONAL_ID_TAKEN: { status: 409, meaning: 'The national id is already registered.', contract: true },
  // 413, 415
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body (or the uploaded file) is too large.', general: true },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The body’s content type is not one the operation takes.', general: true },
  // 429
  RATE_LIMITED: { status: 429, meaning: 'Throttled: wait the seconds Retry-After says.', contract: true, retryAfter: true },
  // 500, 503
  INTERNAL: { status: 500, meaning: 'A server fault (never the client’s input): report it with the x-request-id.', general: true },
  SERVICE_UNAVAILABLE: {
    status: 503,
    meaning: 'A dependency (the database) is down, or the server is shutting down: send again after Retry-After.',
    retryAfter: true,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type StatusOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['status'];

export const errorCodeInfo = (code: ErrorCode): ErrorCodeInfo => ERROR_CODES[code];
