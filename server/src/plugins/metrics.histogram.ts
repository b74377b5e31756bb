/** Latency buckets (s): the submit answers in a few ms on a quiet night and in tens under a burst. */
export const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The request latency histogram, kept by hand: prom-client's Histogram validates and
 * hashes the label set on every observation, which the bench showed on the hot path. Here
 * an observation is a Map lookup and a short bucket scan; prom-client only reads it (get())
 * at scrape time, in its own JSON shape, so the exposition and the cluster aggregation
 * stay prom-client's.
 */
export class RequestHistogram {
  readonly name = 'http_request_duration_seconds';
  readonly help = 'Time to answer an HTTP request, by method, route pattern and status (its _count is the request count)';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private series = new Map<string, Series>();

  observe(method: string, route: string, status: number, seconds: number) {
    const key = method + status + route;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { method, route, status: String(status) }, counts: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
