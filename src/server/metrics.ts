/**
 * Prometheus metrics of one server, on a registry of its own (never the
 * global one, so two servers in one process do not collide): requests by
 * model, version, route and status; latency by model version; prediction
 * errors; and the process metrics.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'model' | 'version' | 'route' | 'code'>;
  readonly duration: Histogram<'model' | 'version'>;
  readonly predictionErrors: Counter<'model' | 'code'>;
}

/**
 * @example
 * const metrics = createMetrics();
 * metrics.requests.inc({ model: 'churn', version: '3', route: '/v1/models/:name/predict', code: '200' });
 * await metrics.registry.metrics();
 */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  };
}
