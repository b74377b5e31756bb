import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
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

/** OpenAPI generated from the routes' zod schemas; UI at /docs, JSON at /docs/json. */
export default fp(
  async function docsPlugin(app: FastifyInstance, opts: DocsOptions) {
    const inContract = contractRouteMatcher(opts.apiPrefix);

    /**
     * Each route's schema as the zod provider converts it, then what the document adds
     * centrally. Runs only when the document is built (once, then cached), never per request.
     */
    const transform: SwaggerTransform = (route) => {
      const out = jsonSchemaTransform(route) as { schema: Record<string, unknown>; url: string };
      const schema = out.schema;
      if (schema.hide) return out;
      const method = String(route.route.method);
      if (!inContract(method, route.url)) {
        schema['x-extension'] = true;
        schema.description = [EXTENSION_MARK, schema.description].filter(Boolean).join(' ');
      }
      return out;
    };

    await app.register(swagger, {
      openapi: {
        info: { title: 'Thi trắc nghiệm trực tuyến — API', version: CONTRACT_VERSION, description: DESCRIPTION },
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
