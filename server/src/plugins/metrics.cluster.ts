// The metrics of a cluster: the primary gathers every worker's over IPC (server.ts).
import { AggregatorRegistry, type Registry } from 'prom-client';
import { unavailable } from '../lib/errors';

/** One process's metrics as prom-client's JSON, the unit the primary aggregates. */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Merges the JSON of every process into one exposition (prom-client's cluster aggregation). */
export async function aggregateMetrics(perProcess: MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate(perProcess).metrics();
}

export type MetricsMessage =
  | { type: 'metrics:gather'; id: number }
  | { type: 'metrics:collect'; id: number }
  | { type: 'metrics:json'; id: number; json: MetricsJson }
  | { type: 'metrics:text'; id: number; text: string | null };

const isMetricsMessage = (m: unknown): m is MetricsMessage =>
  typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('metrics:');

/** How long the primary waits for the workers' metrics; a stuck worker is left out of that scrape. */
const GATHER_TIMEOUT_MS = 2000;

/**
 * In the cluster primary: a worker asked for /metrics relays the scrape here; the primary
 * asks every worker for its metrics over IPC and answers with the aggregate (prom-client's
 * AggregatorRegistry: counters and histograms summed, per-process gauges summed too).
 */
export function serveClusterMetrics(cluster: typeof import('node:cluster').default): void {
  let seq = 0;
  const collecting = new Map<number, { got: MetricsJson[]; expected: number; done(): void }>();
  cluster.on('message', (worker, msg: unknown) => {
    if (!isMetricsMessage(msg)) return;
    if (msg.type === 'metrics:json') {
      const c = collecting.get(msg.id);
      if (!c) return;
      c.got.push(msg.json);
      if (c.got.length >= c.expected) c.done();
      return;
    }
    if (msg.type !== 'metrics:gather') return;
    const id = ++seq;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
    void new Promise<MetricsJson[]>((resolve) => {
      const got: MetricsJson[] = [];
      const timer = setTimeout(() => finish(), GATHER_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        collecting.delete(id);
        resolve(got);
      };
      collecting.set(id, { got, expected: workers.length, done: finish });
      for (const w of workers) w!.send({ type: 'metrics:collect', id } satisfies MetricsMessage);
    })
      .then((all) => aggregateMetrics(all))
      .then(
        (text) => worker.isConnected() && worker.send({ type: 'metrics:text', id: msg.id, text } satisfies MetricsMessage),
        () => worker.isConnected() && worker.send({ type: 'metrics:text', id: msg.id, text: null } satisfies MetricsMessage),
      );
  });
}

/**
 * In a cluster worker: `gather` asks the primary for the cluster-wide text; `answer` makes
 * this worker reply to the primary's collection with its app's metrics.
 */
export function clusterWorkerMetrics(send: (m: MetricsMessage) => void) {
  let seq = 0;
  const waiting = new Map<number, (text: string | null) => void>();
  let source: (() => Promise<MetricsJson>) | null = null;
  process.on('message', (msg: unknown) => {
    if (!isMetricsMessage(msg)) return;
    if (msg.type === 'metrics:text') {
      waiting.get(msg.id)?.(msg.text);
      waiting.delete(msg.id);
    } else if (msg.type === 'metrics:collect' && source) {
      source().then(
        (json) => send({ type: 'metrics:json', id: msg.id, json }),
        () => send({ type: 'metrics:json', id: msg.id, json: [] }),
      );
    }
  });
  return {
    gather: () =>
      new Promise<string>((resolve, reject) => {
        const id = ++seq;
        const failed = () => reject(unavailable('The metrics of the other processes did not arrive, try again'));
        waiting.set(id, (text) => (text === null ? failed() : resolve(text)));
        send({ type: 'metrics:gather', id });
        setTimeout(() => {
          if (waiting.delete(id)) failed();
        }, GATHER_TIMEOUT_MS * 2).unref();
      }),
    answer(json: () => Promise<MetricsJson>) {
      source = json;
    },
  };
}
