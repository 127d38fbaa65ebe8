/**
 * Prometheus metrics of one server, on a registry of its own (never the
 * global one, so two servers in one process do not collide): requests by
 * model, version, route and status; latency by model version; prediction
 * errors; whether this replica leads; and the process metrics.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FreshnessEntry, OnlineFeatures } from '../features/index.js';
import type { LeaderElection } from '../serve/index.js';
import type { ServerEventSink } from './events.js';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'model' | 'version' | 'route' | 'code'>;
  readonly duration: Histogram<'model' | 'version'>;
  readonly predictionErrors: Counter<'model' | 'code'>;
  /** Events posted to /v1/events by table and outcome (added, duplicate, conflict, late, invalid). */
  readonly featureEvents: Counter<'table' | 'outcome'>;
}

/**
 * @example
 * const metrics = createMetrics();
 * metrics.requests.inc({ model: 'churn', version: '3', route: '/v1/models/:name/predict', code: '200' });
 * await metrics.registry.metrics();
 */
export function createMetrics(
  features?: OnlineFeatures,
  leadership?: Pick<LeaderElection, 'isLeader'>,
  events?: Pick<ServerEventSink, 'stats'>,
): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (features !== undefined) freshnessGauges(registry, features);
  new Gauge({
    name: 'flywheel_leader',
    help: '1 while this replica leads the canary controller and monitoring loop (holds the lock), else 0',
    registers: [registry],
    collect() {
      this.set(leadership?.isLeader() ? 1 : 0);
    },
  });
  if (events !== undefined) {
    new Gauge({
      name: 'flywheel_events_published',
      help: 'Events (predictions, labels, alias moves) published to NATS since start, by outcome (published, failed)',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        const { published, failed } = events.stats();
        this.set({ outcome: 'published' }, published);
        this.set({ outcome: 'failed' }, failed);
      },
    });
  }
  return {
    registry,
    requests: new Counter({
      name: 'flywheel_requests_total',
      help: 'HTTP requests by model, model version, route and status code',
      labelNames: ['model', 'version', 'route', 'code'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'flywheel_request_duration_seconds',
      help: 'Prediction request latency by model and model version',
      labelNames: ['model', 'version'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    predictionErrors: new Counter({
      name: 'flywheel_prediction_errors_total',
      help: 'Predictions that failed on the server side (timeout, log unavailable, internal)',
      labelNames: ['model', 'code'] as const,
      registers: [registry],
    }),
    featureEvents: new Counter({
      name: 'flywheel_feature_events_total',
      help: 'Events posted for online features, by event table and outcome (added, duplicate, conflict, late, invalid)',
      labelNames: ['table', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

/**
 * Freshness per event table, read from the online store at scrape time: the
 * age of the newest event and whether it passes the spec's bound. The three
 * gauges share one read per scrape.
 */
function freshnessGauges(registry: Registry, features: OnlineFeatures): void {
  let read: { at: number; entries: Promise<FreshnessEntry[]> } | undefined;
  const entries = () => {
    const now = Date.now();
    if (read === undefined || now - read.at > 250) {
      read = { at: now, entries: features.freshness(now) };
    }
    return read.entries;
  };
  const gauge = (name: string, help: string, value: (e: FreshnessEntry) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['table'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const e of await entries()) {
          const v = value(e);
          if (v !== undefined) this.set({ table: e.table }, v);
        }
      },
    });
  gauge(
    'flywheel_feature_freshness_seconds',
    'Age of the newest event of each event table behind online features (+Inf with no event)',
    (e) => e.ageMs / 1000,
  );
  gauge(
    'flywheel_feature_stale',
    '1 when the newest event of the table is older than its freshness bound (events.<table>.freshness)',
    (e) => (e.stale ? 1 : 0),
  );
  gauge(
    'flywheel_feature_freshness_bound_seconds',
    'The freshness bound of each event table, from the spec',
    (e) => (e.boundMs === undefined ? undefined : e.boundMs / 1000),
  );
}
