import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Database } from '../../db/client';
import type { Config, TrustProxy } from './config';
import { badRequest } from './lib/errors';
import { jsonDepthExceeds } from './lib/json';
import { defaultLimits, type Limits } from './lib/limits';
import type { PowOptions } from './lib/pow';
import type { TokenVersionsOptions } from './lib/token-versions';
import accessPlugin from './plugins/access';
import authPlugin from './plugins/auth';
import dbPlugin from './plugins/db';
import docsPlugin from './plugins/docs';
import errorsPlugin, { send as sendError } from './plugins/errors';
import metricsPlugin, { type MetricsOptions } from './plugins/metrics';
import redisPlugin from './plugins/redis';
import { attemptsRoutes, UnreadableBody, type AttemptsOptions } from './modules/attempts/index';
import { authRoutes } from './modules/auth/index';
import { contestsRoutes } from './modules/contests/index';
import { exportsRoutes } from './modules/exports/index';
import { healthRoutes } from './modules/health/index';
import { itemsRoutes } from './modules/items/index';
import { judgingRoutes, PublicCache } from './modules/judging/index';
import { overridesRoutes } from './modules/overrides/index';
import { questionsRoutes } from './modules/questions/index';
import { exclusionsRoutes } from './modules/exclusions/index';
import { statsRoutes } from './modules/stats/index';
import { auditRoutes } from './modules/audit/index';
import { referenceRoutes } from './modules/reference/index';
import { usersRoutes } from './modules/users/index';
import { OtpService, otpRoutes, type OtpOptions } from './modules/otp/index';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Begins a graceful stop before app.close(): requests from now on get 503 with
     * Retry-After and every answer closes its connection, so keep-alive clients leave
     * before their idle sockets are closed under them.
     */
    startDraining(): void;
  }
}

export interface AppDeps {
  config: Pick<Config, 'JWT_EXPIRES_IN' | 'TRUST_PROXY'> & Partial<Pick<Config, 'STAFF_JWT_EXPIRES_IN' | 'METRICS_TOKEN' | 'NODE_ENV' | 'TOKEN_CACHE_SIZE'>>;
  database: Database;
  /** null: the in-process throttle (embedded default). */
  redis: Redis | null;
  jwtSecret: string;
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Folder of the static web build to serve; null or missing folder: API only. */
  webRoot?: string | null;
  limits?: Partial<Limits>;
  /** Proof of work on registration (lib/pow.ts), or false/absent for none. */
  registrationPow?: PowOptions | false;
  /** Hot-path tuning: round cache TTL, group-commit batch size and delay. */
  attempts?: Partial<AttemptsOptions>;
  /** One-time codes: where they go (null: not configured), the message template, codes required at registration. */
  otp?: OtpOptions;
  /** How each process learns of revoked tokens (lib/token-versions.ts): poll period and window. */
  tokenVersions?: Partial<TokenVersionsOptions>;
  /** The metrics of every cluster worker, asked of the primary (server.ts); absent: this process's. */
  gatherMetrics?: MetricsOptions['gather'];
  /**
   * The clock of the public answer cache and of the minute between two full logs of a
   * dependency's failure (Date.now when absent): tests move it instead of waiting.
   */
  now?: () => number;
}

export const API_PREFIX = '/api/v1';
export const DEFAULT_STAFF_JWT_EXPIRES_IN = '4h';
export const DEFAULT_TOKEN_CACHE_SIZE = 300_000;
export const BODY_LIMIT = 256 * 1024;
export const MAX_JSON_DEPTH = 32;
/** A client's request id is kept when it looks like one (a load balancer's, a trace id). */
export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Seconds a client is told to wait when this process is shutting down (another one answers). */
const DRAIN_RETRY_AFTER = '2';

/** helmet's settings: its defaults but the content security policy (the web app sets its own) and the cross-origin embedder policy. */
export const HELMET_OPTIONS = { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false } as const;

/**
 * The security headers helmet sets, taken from its middleware once at start-up. With the
 * content security policy off (the SvelteKit build inlines its bootstrap script; the web app
 * sets its own CSP) none of them depends on the request, so every response gets this one
 * object through the reply (one hook step) instead of helmet's chain of eleven middlewares
 * each calling the response's setHeader: on a bare Fastify route the chain added about a
 * fifth to its CPU per request, the object about a twentieth (three alternated runs each,
 * 2026-12-01 05:30 UTC; issue #12). @fastify/helmet, which builds the chain per request,
 * cost more still.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  let called = false;
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(HELMET_OPTIONS)({} as never, res as never, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  // A helmet whose middleware became asynchronous (or needed the request) fails the start here.
  if (!called || Object.keys(headers).length === 0) throw new Error('helmet did not set its headers synchronously');
  return Object.freeze(headers);
}

/** Fastify takes a hop count as a function of the hop's index; true, false and lists as they are. */
function trustProxyOption(v: TrustProxy | undefined) {
  if (typeof v === 'number') return (_address: string, hop: number) => hop < v;
  return v ?? false;
}

/** Builds the whole app from its dependencies; never listens (server.ts does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits: Limits = { ...defaultLimits, ...deps.limits };
  const loggerOpt = deps.logger ?? false;
  const isLoggerInstance = typeof loggerOpt === 'object' && loggerOpt !== null && 'child' in loggerOpt;
  const security = securityHeaders();
  const app = Fastify({
    ...(isLoggerInstance ? { loggerInstance: loggerOpt as FastifyBaseLogger } : { logger: loggerOpt as FastifyServerOptions['logger'] }),
    bodyLimit: BODY_LIMIT,
    trustProxy: trustProxyOption(deps.config.TRUST_PROXY),
    routerOptions: { maxParamLength: 200 },
    // The request id: the client's (or its load balancer's) when sane, else a fresh one;
    // Fastify puts it on every log line of the request as requestId.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Requests that reach a closing app get our own 503 (error shape, Retry-After, request id).
    return503OnClosing: false,
    // A URL Fastify cannot decode (a broken %-escape) gets the API's error shape and the
    // answer's usual headers, not Fastify's own body echoing the path.
    // (It comes before routing, so before the hooks that set those headers below.)
    frameworkErrors: (err, req, res) =>
      sendError(
        (res as unknown as FastifyReply).headers(security).header('x-request-id', req.id),
        400,
        'BAD_REQUEST',
        err.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed' : 'Bad request',
      ),
    // Per-request access lines would dominate the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin, { now: deps.now });
  await app.register(dbPlugin, { database: deps.database });
  await app.register(redisPlugin, { redis: deps.redis });
  // Before the first route it should document: @fastify/swagger sees only the routes added
  // after it (GET /metrics, in the metrics plugin, was missing from the document). Its own
  // routes (/docs, GET only) still get every hook added below: fastify gives hooks added
  // later to the contexts made before.
  await app.register(docsPlugin, { apiPrefix: API_PREFIX });
  await app.register(metricsPlugin, {
    token: deps.config.METRICS_TOKEN,
    production: deps.config.NODE_ENV === 'production',
    gather: deps.gatherMetrics,
    submitRoute: `${API_PREFIX}/attempts/:attemptId/submit`,
    startRoute: `${API_PREFIX}/rounds/:roundId/attempts`,
  });

  // Graceful stop: from app.close() on (or startDraining()), requests in flight finish, each
  // answer closes its connection (keep-alive clients reconnect to another process), and a
  // request that arrives on an open connection meanwhile is refused at once with 503 and
  // Retry-After.
  let draining = false;
  app.decorate('startDraining', () => {
    draining = true;
  });
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  // Security headers on every response: helmet's, computed once (securityHeaders above).
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(security);
    if (!draining) return done();
    // The probes answer in their own shape: the process is alive (liveness), and not ready.
    const probe = req.routeOptions.url;
    if (probe === '/healthz') return done();
    reply.header('connection', 'close').header('retry-after', DRAIN_RETRY_AFTER);
    if (probe === '/readyz') return void reply.code(503).send({ status: 'stopping' });
    reply.errorCode = 'SERVICE_UNAVAILABLE';
    void reply
      .code(503)
      .send({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', error: 'Service Unavailable', message: 'This server is shutting down, try again shortly' });
  });
  // Every answer (errors and 404s included) passes here: one hook for the request id, the
  // drain and the metrics, since each hook is a step on every request of the hot path.
  const metrics = app.metrics;
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    if (draining) reply.header('connection', 'close');
    metrics.observe(req, reply);
    done(null, payload);
  });

  // The stock JSON parser (prototype-poisoning checks kept), behind a nesting limit. An
  // empty body is no body: routes that take none (start, finalize, publish, logout-all) are
  // called with `content-type: application/json` by many HTTP clients (k6's http.post with
  // null, mobile stacks), and the stock parser refused that with 400; a route that needs a
  // body still refuses its absence by its schema.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).length === 0) return done(null, undefined);
    // The submit route takes "any body" on a repeat: its unreadable body goes on to the route,
    // which refuses it only if nothing was stored. Asked on a failure only (routeOptions
    // builds an object per call, and every JSON request passes here).
    const unreadable = (err: Error) => (req.routeOptions.config.anyBody === true ? done(null, new UnreadableBody(err)) : done(err, undefined));
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) return unreadable(badRequest('JSON_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
    parseJson(req, body as string, (err, parsed) => (err ? unreadable(badRequest('INVALID_JSON', 'Body is not valid JSON')) : done(null, parsed)));
  });
  await app.register(authPlugin, {
    secret: deps.jwtSecret,
    expiresIn: deps.config.JWT_EXPIRES_IN,
    staffExpiresIn: deps.config.STAFF_JWT_EXPIRES_IN ?? DEFAULT_STAFF_JWT_EXPIRES_IN,
    cacheSize: deps.config.TOKEN_CACHE_SIZE ?? DEFAULT_TOKEN_CACHE_SIZE,
    versions: deps.tokenVersions,
  });
  // Before any route: it checks that every staff route declares who may use it.
  await app.register(accessPlugin);

  const otp = new OtpService(deps.database.db, deps.jwtSecret, deps.otp ?? { sender: null }, app.log);
  app.addHook('onReady', async () => otp.start());
  app.addHook('onClose', async () => otp.close());

  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes, {
        limits,
        pow: deps.registrationPow ?? false,
        secret: deps.jwtSecret,
        otp,
        registrationOtp: deps.otp?.registration ?? false,
      });
      await api.register(otpRoutes, { otp, limits });
      await api.register(contestsRoutes);
      await api.register(questionsRoutes);
      await api.register(overridesRoutes);
      await api.register(exclusionsRoutes);
      await api.register(statsRoutes);
      await api.register(auditRoutes);
      await api.register(referenceRoutes);
      await api.register(usersRoutes);
      await api.register(attemptsRoutes, { limits, options: { ...deps.attempts, writerTelemetry: app.metrics.writer } });
      // The public answer keys and winners, shared: a correction forgets what it changed.
      const publicCache = new PublicCache(undefined, undefined, deps.now);
      await api.register(judgingRoutes, { cache: publicCache });
      await api.register(itemsRoutes, { cache: publicCache });
      await api.register(exportsRoutes);
    },
    { prefix: API_PREFIX },
  );

  if (deps.webRoot && existsSync(join(deps.webRoot, 'index.html'))) await registerWeb(app, deps.webRoot);
  return app;
}

/** Serves the static SvelteKit build; unknown non-API paths get the app shell (client routing). */
async function registerWeb(app: FastifyInstance, root: string) {
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    // The build ships .br/.gz beside each asset (adapter-static precompress): phones on slow links get the small one.
    preCompressed: true,
    // Cache-Control comes from setHeaders alone; send's default (max-age=0) would override it.
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('vary', 'accept-encoding');
      reply.header('cache-control', path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // The web app's pages, not an API operation: left out of the OpenAPI document.
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith(API_PREFIX) || path.startsWith('/docs')) {
      return reply.code(404).send({ statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found', message: `Route ${req.method} ${path} not found` });
    }
    const file = path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (file && !file.includes('..')) {
      for (const candidate of [file, `${file}.html`, `${file}/index.html`]) {
        if (existsSync(join(root, candidate))) return reply.sendFile(candidate);
      }
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
