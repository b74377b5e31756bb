import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { notFound, unauthorized } from '../lib/errors';
import type { BatchTelemetry } from '../lib/telemetry';
import type { RedisThrottle } from '../lib/throttle';
import { errorResponses } from '../lib/zod';
import type { MetricsJson } from './metrics.cluster';
import { LATENCY_BUCKETS, RequestHistogram } from './metrics.histogram';

export { aggregateMetrics, clusterWorkerMetrics, serveClusterMetrics, type MetricsJson } from './metrics.cluster';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

export interface MetricsOptions {
  /** Bearer token /metrics requires; unset: open, except in production where /metrics is 404. */
  token?: string;
  production?: boolean;
  /**
   * The exposition of every process of the cluster, asked of the primary (server.ts);
   * absent: this process alone.
   */
  gather?: () => Promise<string>;
  /** The routes whose answers count as submissions and attempt starts. */
  submitRoute: string;
  startRoute: string;
}

export interface AppMetrics {
  registry: Registry;
  /** The submission writer's sink (lib/telemetry.ts). */
  writer: BatchTelemetry;
  /** Records one answer (route pattern, status, time); called as the answer is sent. */
  observe(req: FastifyRequest, reply: FastifyReply): void;
  /** This process's metrics as JSON, for the primary to aggregate. */
  json(): Promise<MetricsJson>;
}

// Process metrics (CPU, memory, event loop, GC) are per process, not per app: one registry
// for the life of the process, however many apps a test builds in it.
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Latency buckets (s): the submit answers in a few ms on a quiet night and in tens under a burst. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 200, 500];
const UNMATCHED = '(unmatched)';
/** Every file of the web build (fastify-static registers a route per file, named by its hashed name): one label. */
const STATIC = '(static)';

/**
 * A route's label: its pattern for the API, the operating routes and the web app's page
 * route; one label for all the build's files, whose names change with each release and
 * would otherwise add hundreds of series each time. Decided once per route.
 */
const routeLabels = new Map<string, string>();
function routeLabel(url: string | undefined): string {
  if (url === undefined) return UNMATCHED;
  let label = routeLabels.get(url);
  if (label === undefined) {
    label = /^\/(?:api\/|docs|healthz$|readyz$|metrics$|\*$)/.test(url) ? url : STATIC;
    routeLabels.set(url, label);
  }
  return label;
}
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function buildMetrics(app: FastifyInstance) {
  const registry = new Registry();
  const http = new RequestHistogram();
  registry.registerMetric(http as unknown as Histogram);
  // Plain numbers on the hot path, read by prom-client at scrape time.
  const hot = { acknowledged: 0, started: 0 };
  const hotCounter = (name: string, help: string, key: keyof typeof hot) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(hot[key]);
      },
    });
  hotCounter('submissions_acknowledged_total', 'Submissions answered 200 (stored, or a repeat of a stored one)', 'acknowledged');
  const rejected = new Counter({
    name: 'submissions_rejected_total',
    help: 'Submissions refused, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  hotCounter('attempts_started_total', 'Attempts created (201; a resume is not counted)', 'started');
  const batchSize = new Histogram({
    name: 'submission_writer_batch_size',
    help: 'Rows per group-committed INSERT',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const commit = new Histogram({
    name: 'submission_writer_commit_seconds',
    help: 'Time of one group commit (statement and COMMIT)',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const failedBatches = new Counter({
    name: 'submission_writer_failed_batches_total',
    help: 'Group commits that failed as a whole (their callers got 503)',
    registers: [registry],
  });
  const queues = new Set<() => number>();
  new Gauge({
    name: 'submission_writer_queue_depth',
    help: 'Submissions waiting for a group commit',
    registers: [registry],
    collect() {
      let n = 0;
      for (const q of queues) n += q();
      this.set(n);
    },
  });
  new Gauge({
    name: 'throttle_mode',
    help: 'Throttle in use: 1 for the mode this process is in (redis, or memory: the in-process fallback or the embedded default)',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const mode = app.throttle.mode;
      this.set({ mode: 'redis' }, mode === 'redis' ? 1 : 0);
      this.set({ mode: 'memory' }, mode === 'memory' ? 1 : 0);
    },
  });
  let switchesSeen = 0;
  new Counter({
    name: 'throttle_switches_total',
    help: 'Changes between the Redis throttle and the in-process fallback',
    registers: [registry],
    collect() {
      const now = (app.throttle as Partial<RedisThrottle>).switches ?? 0;
      if (now > switchesSeen) this.inc(now - switchesSeen);
      switchesSeen = now;
    },
  });
  const pool = () => app.database.poolStats();
  new Gauge({
    name: 'db_pool_max',
    help: 'Postgres connections this process may open',
    registers: [registry],
    collect() {
      this.set(pool().max);
    },
  });
  new Gauge({
    name: 'db_queries_in_flight',
    help: 'Statements and transactions running or waiting for a connection (counted at the client: postgres.js exposes no pool state)',
    registers: [registry],
    collect() {
      this.set(pool().inFlight);
    },
  });
  new Gauge({
    name: 'db_pool_in_use',
    help: 'Connections busy, estimated as min(in flight, pool size)',
    registers: [registry],
    collect() {
      const p = pool();
      this.set(Math.min(p.inFlight, p.max));
    },
  });
  new Gauge({
    name: 'db_pool_waiting',
    help: 'Statements waiting for a connection, estimated as in flight beyond the pool size',
    registers: [registry],
    collect() {
      const p = pool();
      this.set(Math.max(0, p.inFlight - p.max));
    },
  });

  const writer: BatchTelemetry = {
    batch(size, seconds, ok) {
      batchSize.observe(size);
      commit.observe(seconds);
      if (!ok) failedBatches.inc();
    },
    watchQueue(depth) {
      queues.add(depth);
      return () => void queues.delete(depth);
    },
  };
  return { registry, http, hot, rejected, writer };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus metrics of this app: one request hook, the hot path's counters and GET
 * /metrics. The hot-path cost is one onSend hook per request with a Map lookup and a
 * bucket scan (RequestHistogram), plus a counter on submits and starts.
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions) {
    const m = buildMetrics(app);
    const merged = () => Registry.merge([m.registry, processMetrics()]);
    // Called from the app's one onSend hook (app.ts), not a hook of its own: every hook is a
    // runner step on every request, and an onResponse hook adds a finish listener too.
    const observe = (req: FastifyRequest, reply: FastifyReply) => {
      const route = routeLabel(req.routeOptions.url);
      const status = reply.statusCode;
      m.http.observe(req.method, route, status, reply.elapsedTime / 1000);
      if (route === opts.submitRoute) {
        if (status === 200) m.hot.acknowledged++;
        else m.rejected.labels(reply.errorCode ?? String(status)).inc();
      } else if (route === opts.startRoute && status === 201) m.hot.started++;
    };

    app.decorate('metrics', {
      registry: m.registry,
      writer: m.writer,
      observe,
      json: async () => [...(await m.registry.getMetricsAsJSON()), ...(await processMetrics().getMetricsAsJSON())],
    } satisfies AppMetrics);

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['operating'],
          summary: 'Prometheus metrics of every API process',
          description:
            'One view over every worker process: request counts and latency histograms by route and status, submissions acknowledged, the writer’s batch sizes and queue, the throttle’s mode, database pool use, and the process metrics. ' +
            'With METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>`: 401 UNAUTHORIZED (with WWW-Authenticate) without it or with a wrong one. ' +
            'In production without METRICS_TOKEN: 404 ROUTE_NOT_FOUND, as if there were no such route; elsewhere without one it is open.',
          security: [{ metricsToken: [] }, {}],
          response: {
            // Sent as text (PROMETHEUS_CONTENT_TYPE); a string with a non-JSON type is never serialized.
            200: { description: 'The Prometheus text exposition (version 0.0.4)', content: { 'text/plain': { schema: z.string() } } },
            ...errorResponses('UNAUTHORIZED', 'ROUTE_NOT_FOUND', 'SERVICE_UNAVAILABLE'),
          },
        },
      },
      async (req, reply) => {
        // Production without a token: as if there were no such route (API.md v1.1 clarifications).
        if (!opts.token && opts.production) throw notFound('Route GET /metrics', 'ROUTE_NOT_FOUND');
        if (opts.token) {
          const header = req.headers.authorization ?? '';
          if (!header.startsWith('Bearer ') || !sameToken(header.slice(7), opts.token)) {
            reply.header('www-authenticate', 'Bearer realm="metrics"');
            throw unauthorized('A valid metrics token is required');
          }
        }
        const text = opts.gather ? await opts.gather() : await merged().metrics();
        return reply.code(200).type(PROMETHEUS_CONTENT_TYPE).send(text);
      },
    );
  },
  { name: 'metrics', dependencies: ['db', 'redis', 'errors'] },
);
