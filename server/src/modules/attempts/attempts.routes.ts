import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Limits } from '../../lib/limits';
import { compiledSerializerCompiler } from '../../lib/serialize';
import { errorResponses } from '../../lib/zod';
import { AttemptParams, AttemptResponse, ResultResponse, RoundAttemptParams, SubmitBody } from './attempts.schemas';
import { submitValidatorCompiler } from './attempts.validate';
import { defaultAttemptsOptions, type AttemptsOptions } from './attempts.options';
import { AttemptsService } from './attempts.service';

export interface AttemptsRoutesOptions {
  limits: Limits;
  options?: Partial<AttemptsOptions>;
}

/** A submission is a few KB even with 200 questions; anything far bigger is not one. */
export const SUBMIT_BODY_LIMIT = 64 * 1024;

// The error statuses of the hot routes are the ones they always had (each its zod schema; the
// 2xx are compiled, lib/serialize.ts); the codes only tell the document what each can carry.
const startErrors = errorResponses(
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'NOT_ELIGIBLE',
  'NOT_FOUND',
  'ROUND_NOT_OPEN',
  'ATTEMPTS_EXHAUSTED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
);
const submitErrors = errorResponses(
  'VALIDATION_FAILED',
  'INVALID_ANSWERS',
  'UNAUTHORIZED',
  'PASSWORD_CHANGE_REQUIRED',
  'NOT_FOUND',
  'DEADLINE_PASSED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
);

export const attemptsRoutes: FastifyPluginAsyncZod<AttemptsRoutesOptions> = async (app, { limits, options }) => {
  const service = new AttemptsService(app.database, app.throttle, limits, app.log, { ...defaultAttemptsOptions, ...options }, Date.now);
  // Requests still running while the app closes write through the writer; it drains here,
  // before the database is closed by whoever owns it.
  app.addHook('onClose', async () => {
    await service.close();
  });

  // plugins/auth keeps verified tokens per process and checks revocation on every request.
  const authenticate = app.authenticate;

  const security = [{ bearer: [] }];

  app.post(
    '/rounds/:roundId/attempts',
    {
      onRequest: authenticate,
      serializerCompiler: compiledSerializerCompiler,
      schema: {
        tags: ['attempts'],
        summary: 'Start an attempt, or resume the running one',
        description:
          '201 with a new attempt, 200 with the running one (resume). 403 NOT_ELIGIBLE: staff, or on the contest exclusion list. ' +
          '409 ROUND_NOT_OPEN: outside the round window, or the round pool holds fewer questions than questionCount. ' +
          '409 ATTEMPTS_EXHAUSTED: maxAttempts used. 429 RATE_LIMITED with Retry-After.',
        security,
        params: RoundAttemptParams,
        response: { 200: AttemptResponse, 201: AttemptResponse, ...startErrors },
      },
    },
    async (req, reply) => {
      const r = await service.start(req.user, req.params.roundId, req.ip);
      // Already JSON (AttemptResponse, rendered from the round's cached questions): sent as is.
      return reply
        .code(r.created ? 201 : 200)
        .type('application/json; charset=utf-8')
        .send(r.json as never);
    },
  );

  app.post(
    '/attempts/:attemptId/submit',
    {
      onRequest: authenticate,
      bodyLimit: SUBMIT_BODY_LIMIT,
      // Broken JSON reaches the validator as an UnreadableBody (app.ts's parser), then the handler below.
      config: { anyBody: true },
      attachValidation: true,
      validatorCompiler: submitValidatorCompiler,
      serializerCompiler: compiledSerializerCompiler,
      schema: {
        tags: ['attempts'],
        summary: 'Submit the answers of an attempt (idempotent)',
        description:
          '200 once the submission is committed; a repeat returns the stored result with duplicate: true. ' +
          'Body: { answers: [{ questionId, optionId }], prediction } or, by position (API.md v1.1), { choices: [2, 0, null, …], prediction } — one entry per question in the order served, the option position as served, null for none. ' +
          '400 INVALID_ANSWERS: a question not in the attempt, a repeated question or a foreign option; both forms at once, a choices length other than the question count, or a position out of range. ' +
          '404: unknown or not yours, whatever the body. 409 DEADLINE_PASSED after the deadline plus 30 s. 413 over 64 KB. 503: not stored, send again.',
        security,
        params: AttemptParams,
        body: SubmitBody,
        response: { 200: ResultResponse, ...submitErrors },
      },
    },
    // "Submitting again, with any body, returns the stored result": a body that fails the
    // schema is first checked against a stored submission, and only then refused.
    (req) =>
      req.validationError
        ? service.submitInvalid(req.user.sub, req.params.attemptId, req.ip, req.validationError)
        : service.submit(req.user.sub, req.params.attemptId, req.body, req.ip, deviceIdOf(req.headers['x-device-id'])),
  );
};

/** The web app's per-browser id (header x-device-id), kept only when it looks like one. */
function deviceIdOf(header: string | string[] | undefined): string | null {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9_-]{8,64}$/.test(v) ? v : null;
}
