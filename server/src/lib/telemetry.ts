/**
 * What the hot path reports to whoever measures it (plugins/metrics.ts), without knowing
 * who that is: lib/ and the modules stay free of the metrics library, and a part built
 * without a sink reports to nobody at no cost.
 */
export interface BatchTelemetry {
  /** A batch ended: how many items, how long its statement took, whether it committed. */
  batch(size: number, seconds: number, ok: boolean): void;
  /** Reads the number of items waiting whenever metrics are collected; the returned function stops it. */
  watchQueue(depth: () => number): () => void;
}

export const noBatchTelemetry: BatchTelemetry = {
  batch() {},
  watchQueue: () => () => {},
};
