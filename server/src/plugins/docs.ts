import { STATUS_CODES } from 'node:http';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODES, errorCodeInfo, type ErrorCode } from '../lib/error-codes';
import { UPLOAD_FORM } from '../lib/upload';
import { ErrorResponse, errorCodesOf } from '../lib/zod';
import { CONTRACT_VERSION, contractRouteMatcher } from './docs.contract';

export interface DocsOptions {
  /** The base path of the API routes (API.md "Conventions"). */
  apiPrefix: string;
}

/** Put at the start of the description of every operation API.md does not list. */
export const EXTENSION_MARK = 'Extension of API.md.';

/** The groups of operations, in the order a reader meets them. */
const TAGS = [
  { name: 'accounts', description: 'Registration, login and tokens, passwords and one-time codes; the caller’s own account and attempts; accounts (admins).' },
  { name: 'contests', description: 'Public: contests and their rounds, answer keys once sealed, winners once published.' },
  { name: 'attempts', description: 'Taking a round (residents): start or resume an attempt, submit it. The hot path.' },
  {
    name: 'organizing',
    description:
      'Organizers: contests and their members, rounds, the question bank and round pools, imports and exports, exclusion lists, localities and units, overrides, live statistics.',
  },
  { name: 'questions', description: 'Question quality: correcting or voiding a key (every submission regraded), confirming a flagged key.' },
  { name: 'judging', description: 'Judges: finalize, ranking, disqualifications, the signed export, publishing; item analysis and the collective ranking.' },
  { name: 'admin', description: 'Admins: the audit log.' },
  { name: 'operating', description: 'For whoever runs the service: liveness, readiness, Prometheus metrics.' },
];

const DESCRIPTION = `The HTTP API of weekly online multiple-choice contests.

It follows the HTTP API contract **v${CONTRACT_VERSION.replace(/\.0$/, '')}** (API.md: the v1 contract with its "v1.1 additions" and "v1.1 clarifications"). API routes are under \`/api/v1\`; \`/healthz\`, \`/readyz\` and \`/metrics\` are at the root.

Operations that API.md does not list are **extensions**: each carries \`x-extension: true\` and its description starts with "${EXTENSION_MARK}". They may change with less notice than the contract; a client that needs only the contract can ignore them.`;

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const byCatalogueOrder = (a: ErrorCode, b: ErrorCode) => CODES.indexOf(a) - CODES.indexOf(b);

/** Every error code, its status and meaning (lib/error-codes.ts), as a table for the document's description. */
function errorTable(): string {
  const rows = [...CODES]
    .sort((a, b) => ERROR_CODES[a].status - ERROR_CODES[b].status || byCatalogueOrder(a, b))
    .map((c) => {
      const info = errorCodeInfo(c);
      return `| \`${c}\` | ${info.status} | ${info.meaning} | ${info.contract ? 'yes' : ''} | ${info.general ? 'yes' : ''} |`;
    });
  return `## Errors

Every error answers with its HTTP status and \`{ statusCode, code, error, message, details? }\` (API.md "Errors"); \`code\` is stable. Each operation's description lists the codes it can answer with, and each of its error responses the codes of that status. The codes marked "any operation" can come from any operation (a malformed or oversized body, an unknown route, a server fault) and are not repeated per operation.

Every answer carries \`x-request-id\`. Answers with \`RATE_LIMITED\` (429), \`SERVICE_UNAVAILABLE\` (503) and \`ROUND_NOT_CLOSED\` (409) carry \`Retry-After\`, in seconds.

| code | status | meaning | named in API.md | any operation |
|---|---|---|---|---|
${rows.join('\n')}`;
}

type Json = Record<string, unknown>;

/** The JSON schema of the error shape, as the zod provider writes a response's. */
const errorJson = (): Json => z.toJSONSchema(ErrorResponse, { target: 'openapi-3.0', io: 'output' }) as Json;

const hooksOf = (h: RouteOptions['onRequest']) => (h ? (Array.isArray(h) ? h : [h]) : []);

const REQUEST_ID = {
  type: 'string',
  description: 'The request’s id: the client’s own x-request-id when it sent a sane one (1–128 of A–Z a–z 0–9 . _ : -), else a new UUID. Logs carry it.',
};

/** A response declared as a map of content types (`{ description, headers?, content }`): files, metrics. */
const isContentMap = (r: unknown): r is { headers?: Json; content: Json } => typeof r === 'object' && r !== null && 'content' in r;

/**
 * What the zod provider's conversion of the responses leaves out or says wrongly, mended:
 * the headers of a content-type map (it keeps only description and content), no content for
 * z.null() (204, 202, 304: the provider writes a JSON null body), and a description for
 * every response (swagger's default is "Default Response").
 */
function documentResponses(declared: Record<string, unknown>, responses: Record<string, Json>) {
  for (const [status, schema] of Object.entries(declared)) {
    const response = responses[status];
    if (!response) continue;
    if (isContentMap(schema) && schema.headers) response.headers = { ...schema.headers, ...(response.headers as Json | undefined) };
    // Swagger writes no content for a response whose schema is of type null.
    if (schema instanceof z.ZodNull)
      responses[status] = { type: 'null', description: schema.description ?? STATUS_CODES[status], ...(response.headers ? { headers: response.headers } : {}) };
    else if (!response.description) response['x-response-description'] = STATUS_CODES[status];
  }
}

/** OpenAPI generated from the routes' zod schemas; UI at /docs, JSON at /docs/json. */
export default fp(
  async function docsPlugin(app: FastifyInstance, opts: DocsOptions) {
    const inContract = contractRouteMatcher(opts.apiPrefix);

    /** What every route of its kind can answer, whatever its own code does. */
    function impliedCodes(route: RouteOptions): ErrorCode[] {
      const codes: ErrorCode[] = ['SERVICE_UNAVAILABLE'];
      const s = route.schema;
      if (s?.params || s?.querystring || s?.body || s?.headers) codes.push('VALIDATION_FAILED');
      // plugins/access.ts guards staff routes (its guard checks the token first); other routes ask for app.authenticate.
      const access = route.config?.access;
      if (access || hooksOf(route.onRequest).includes(app.authenticate)) {
        codes.push('UNAUTHORIZED', 'TOKEN_EXPIRED', 'TOKEN_REVOKED');
        if (!route.config?.allowPasswordChangeRequired) codes.push('PASSWORD_CHANGE_REQUIRED');
      }
      if (access) codes.push('FORBIDDEN');
      if (access?.scope) codes.push('NOT_FOUND');
      return codes;
    }

    /** The error responses of a route, with the codes each can carry; returns the codes by status. */
    function documentErrors(route: RouteOptions, responses: Record<string, Json>): Map<number, ErrorCode[]> {
      const byStatus = new Map<number, Set<ErrorCode>>();
      const add = (code: ErrorCode) => {
        const status = ERROR_CODES[code].status;
        byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
      };
      for (const declared of Object.values((route.schema?.response ?? {}) as Record<string, unknown>))
        if (declared instanceof z.ZodType) errorCodesOf.get(declared)?.codes.forEach(add);
      impliedCodes(route).forEach(add);
      const out = new Map<number, ErrorCode[]>();
      for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
        const codes = [...byStatus.get(status)!].sort(byCatalogueOrder);
        out.set(status, codes);
        const response = (responses[status] ??= errorJson());
        response['x-response-description'] = codes.map((c) => `- \`${c}\`: ${ERROR_CODES[c].meaning}`).join('\n');
        // lib/errors.ts AppError.retryAfter: the error plugin sends it as Retry-After.
        const waits = codes.filter((c) => errorCodeInfo(c).retryAfter);
        if (waits.length)
          response.headers = {
            ...(response.headers as Json | undefined),
            'retry-after': { type: 'integer', description: `Seconds to wait before asking again (with ${waits.join(', ')})` },
          };
      }
      return out;
    }

    /**
     * Each route's schema as the zod provider converts it, then what the document adds
     * centrally. Runs only when the document is built (once, then cached), never per request.
     */
    const transform: SwaggerTransform = (route) => {
      const out = jsonSchemaTransform(route) as { schema: Record<string, unknown>; url: string };
      const schema = out.schema;
      if (schema.hide) return out;
      const method = String(route.route.method);
      const responses = (schema.response ??= {}) as Record<string, Json>;
      documentResponses((route.schema?.response ?? {}) as Record<string, unknown>, responses);
      const errors = documentErrors(route.route, responses);
      // app.ts's onSend hook: on every answer.
      for (const response of Object.values(responses)) response.headers = { ...(response.headers as Json | undefined), 'x-request-id': REQUEST_ID };
      // An upload's body is read by readUpload (lib/upload.ts), not by a schema fastify would validate.
      const consumes = (schema.consumes ?? []) as string[];
      if (consumes.includes('multipart/form-data') && !schema.body) schema.body = UPLOAD_FORM;
      const errorList = ['Errors:', ...[...errors].map(([status, codes]) => `- ${status}: ${codes.join(', ')}`)].join('\n');
      const extension = !inContract(method, route.url);
      if (extension) schema['x-extension'] = true;
      schema.description = [[extension && EXTENSION_MARK, schema.description].filter(Boolean).join(' '), errorList].filter(Boolean).join('\n\n');
      return out;
    };

    await app.register(swagger, {
      openapi: {
        info: { title: 'Thi trắc nghiệm trực tuyến — API', version: CONTRACT_VERSION, description: `${DESCRIPTION}\n\n${errorTable()}` },
        tags: TAGS,
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token from POST /auth/register or /auth/login' },
            metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /metrics when the server has one' },
          },
        },
      },
      transform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'docs' },
);
