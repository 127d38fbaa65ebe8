/** What every route of one server shares: the host, its limits, its metrics and its state. */
import type { OnlineFeatures } from '../features/index.js';
import type { ModelHost } from '../serve/index.js';
import type { DeploymentControl } from './deployment-control.js';
import type { ServerMetrics } from './metrics.js';

export interface ServerContext {
  readonly host: ModelHost;
  readonly metrics: ServerMetrics;
  readonly maxRows: number;
  readonly inferenceTimeoutMs: number;
  readonly metricsPublic: boolean;
  readonly deployments: DeploymentControl | undefined;
  /** The online feature store behind `/v1/events`, if the server has one. */
  readonly features: OnlineFeatures | undefined;
  /** Throws when the store cannot be reached. */
  readonly probe: (() => Promise<unknown>) | undefined;
  readonly version: string;
  /** True once shutdown began: readiness answers 503. */
  closing: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Model versions that answered this request (for metrics). */
    servedVersion: string | undefined;
  }
}
