/**
 * Counters per model version for the server's Prometheus metrics and the
 * dashboard: requests, rows, errors and a latency histogram, cumulative
 * since the host started.
 */
import type { Route } from './prediction-logger.js';
import { histogramQuantile, LATENCY_BOUNDS_MS, latencyBucket } from './version-window.js';

/** One scoring of one request by one version. */
export interface PredictionObservation {
  readonly model: string;
  /** `name@version`. */
  readonly modelVersion: string;
  readonly route: Route;
  readonly rows: number;
  readonly latencyMs: number;
  /** False when the model failed (a server-side error), not for rejected input. */
  readonly ok: boolean;
}

export interface VersionStats {
  readonly model: string;
  readonly modelVersion: string;
  readonly requests: number;
  readonly rows: number;
  readonly errors: number;
  readonly latencyMsSum: number;
  readonly latencyP99Ms: number;
  /** Cumulative counts per upper bound (`le`, ms), as a Prometheus histogram. */
  readonly latencyBuckets: readonly { readonly leMs: number; readonly count: number }[];
}

interface Counters {
  model: string;
  requests: number;
  rows: number;
  errors: number;
  latencyMsSum: number;
  latency: Uint32Array;
}

export class ServingStats {
  readonly #byVersion = new Map<string, Counters>();

  record(o: PredictionObservation): void {
    let c = this.#byVersion.get(o.modelVersion);
    if (c === undefined) {
      c = {
        model: o.model,
        requests: 0,
        rows: 0,
        errors: 0,
        latencyMsSum: 0,
        latency: new Uint32Array(LATENCY_BOUNDS_MS.length),
      };
      this.#byVersion.set(o.modelVersion, c);
    }
    c.requests++;
    c.rows += o.rows;
    if (!o.ok) c.errors++;
    c.latencyMsSum += o.latencyMs;
    c.latency[latencyBucket(o.latencyMs)]!++;
  }

  snapshot(): VersionStats[] {
    return [...this.#byVersion].map(([modelVersion, c]) => {
      let cumulative = 0;
      return {
        model: c.model,
        modelVersion,
        requests: c.requests,
        rows: c.rows,
        errors: c.errors,
        latencyMsSum: c.latencyMsSum,
        latencyP99Ms: histogramQuantile(c.latency, 0.99),
        latencyBuckets: Array.from(c.latency, (count, i) => {
          cumulative += count;
          return { leMs: LATENCY_BOUNDS_MS[i]!, count: cumulative };
        }),
      };
    });
  }
}
