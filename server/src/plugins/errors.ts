import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, httpErrorName, isBadValueForPostgres, isDependencyDown } from '../lib/errors';
import { REMIND_EVERY_MS, rootReason } from '../lib/outage-log';

interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  details?: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /** The `code` of the error answer, for the metrics (submissions rejected by code). */
    errorCode: string | null;
  }
}

/** An error answer in the one shape (API.md "Errors"); app.ts's frameworkErrors uses it too. */
export function send(reply: FastifyReply, status: number, code: string, message: string, details?: unknown, retryAfter?: number) {
  reply.errorCode = code;
  const body: ErrorBody = { statusCode: status, code, error: httpErrorName[status] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** One error shape for every failure (API.md "Errors"); never a stack trace to a client. */
export default fp(
  async function errorsPlugin(app: FastifyInstance, opts: { now?: () => number }) {
    const now = opts.now ?? Date.now;
    // A request that meets a dependency down logs its line (its request id, the cause's first
    // line), but the whole error, stack and causes, only once a minute: in an outage every
    // request fails the same way, and thousands of stacks a second buried the lines that
    // matter (and the disk). lib/outage-log.ts does the same for the periodic jobs.
    let fullLoggedAt = -Infinity;
    app.decorateReply('errorCode', null);
    app.setNotFoundHandler((req, reply) => send(reply, 404, 'ROUTE_NOT_FOUND', `Route ${req.method} ${req.url.split('?')[0]} not found`));

    app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
      if (err instanceof AppError) {
        // A 4xx with a cause: the input was refused for a reason the server did not foresee (a file no reader could take), which an operator wants to see.
        if (err.cause !== undefined) req.log.warn({ err: err.cause, code: err.code }, 'input refused for an unforeseen reason');
        return send(reply, err.statusCode, err.code, err.message, err.details, err.retryAfter);
      }

      if (hasZodFastifySchemaValidationErrors(err)) {
        const details = err.validation.map((v) => ({
          field: [
            err.validationContext,
            ...String(v.instancePath ?? '')
              .split('/')
              .filter(Boolean),
          ].join('.'),
          message: v.message,
        }));
        const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
        return send(reply, 400, 'VALIDATION_FAILED', `Invalid input: ${summary}`.slice(0, 2000), details);
      }

      const fe = err as FastifyError;
      const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
      switch (fe.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return send(reply, 413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return send(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type');
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
          return send(reply, 400, 'INVALID_JSON', 'Body is not valid JSON');
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          return send(reply, 400, 'INVALID_CONTENT_LENGTH', 'Invalid content-length');
        case 'FST_ERR_VALIDATION':
          return send(reply, 400, 'VALIDATION_FAILED', fe.message);
      }
      if (err instanceof SyntaxError && status === 400) return send(reply, 400, 'INVALID_JSON', 'Body is not valid JSON');
      if (isBadValueForPostgres(err)) {
        // The last line behind validation: a value Postgres cannot take is the client's input.
        return send(reply, 400, 'INVALID_VALUE', 'A value in the request cannot be stored (invalid characters, length or range)');
      }
      if (isDependencyDown(err)) {
        const at = now();
        const whole = at - fullLoggedAt >= REMIND_EVERY_MS;
        if (whole) fullLoggedAt = at;
        req.log.warn(whole ? { reason: rootReason(err), err } : { reason: rootReason(err) }, 'dependency unavailable');
        return send(reply, 503, 'SERVICE_UNAVAILABLE', 'A dependency is unavailable, try again shortly', undefined, 2);
      }
      if (status >= 400 && status < 500) {
        const code = typeof fe.code === 'string' && /^[A-Z0-9_]+$/.test(fe.code) && !fe.code.startsWith('FST_') ? fe.code : 'BAD_REQUEST';
        return send(reply, status, code, fe.message);
      }
      req.log.error({ err }, 'unhandled error');
      return send(reply, 500, 'INTERNAL', 'Internal server error');
    });
  },
  { name: 'errors' },
);
