/**
 * The HTTP server (fastify) over a ModelHost: the `/v1` predict route, the
 * Open Inference Protocol v2 routes, health, metrics and deployment admin,
 * behind bearer-token access control, with strict JSON bodies, body and row
 * limits, request and inference timeouts, request ids and one error shape.
 */
import { isIP } from 'node:net';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import { FlywheelError } from '../errors.js';
import type { OnlineFeatures } from '../features/index.js';
import type { ModelHost } from '../serve/index.js';
import type { Stores } from '../store/index.js';
import {
  defaultRoleAllows,
  type RoleAllows,
  type TokenVerifier,
  useAccessControl,
} from './access.js';
import { adminRoutes } from './admin-routes.js';
import { type ClusterInfo, clusterRoutes } from './cluster-routes.js';
import type { ServerContext } from './context.js';
import { type DashboardOptions, dashboardRoutes } from './dashboard-routes.js';
import type { DeploymentControl } from './deployment-control.js';
import type { ServerEventSink } from './events.js';
import { eventsRoutes } from './events-routes.js';
import { feedbackRoutes } from './feedback-routes.js';
import { healthRoutes } from './health-routes.js';
import { useStrictJsonBodies } from './json-body.js';
import { createMetrics } from './metrics.js';
import { oipRoutes } from './oip-routes.js';
import { versionOf } from './oip-tensors.js';
import { predictRoutes } from './predict-routes.js';
import { readRoutes } from './read-routes.js';
import { requestId } from './request-id.js';
import { describeError, HttpError } from './server-error.js';

export interface ServerOptions {
  readonly host: ModelHost;
  /** Bearer-token verification, or 'off' (then only a loopback address may be bound). */
  readonly auth: TokenVerifier | 'off';
  /** Which role may do what (default: the built-in role table). */
  readonly allows?: RoleAllows;
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Most rows in one request (default 1,000). */
  readonly maxRows?: number;
  /** Time allowed to receive a whole request (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Time allowed for one call into the model host (default 2 s). */
  readonly inferenceTimeoutMs?: number;
  /** Where the dashboard's built files are (default: the package's web/dist); false: no dashboard. */
  readonly dashboard?: DashboardOptions | false;
  /** The store behind the read API (runs, models, monitoring, alerts, audit) the dashboard uses. */
  readonly stores?: Stores;
  /** The online feature store: `/v1/events`, freshness routes and metrics. */
  readonly features?: OnlineFeatures;
  /**
   * Where the read API's monitoring windows end (default: now). Browsing a
   * replay, such as the demo's, sets it to the end of the replayed time.
   */
  readonly monitorAsOf?: Date;
  /** The registry's deployment operations, for the admin routes. */
  readonly registry?: DeploymentControl;
  /** Throws when the store cannot be reached (used by readiness). */
  readonly probe?: () => Promise<unknown>;
  /** Serve `/metrics` without a token. */
  readonly metricsPublic?: boolean;
  /** Bad tokens per client address per minute before 429 (default 20). */
  readonly maxAuthFailures?: number;
  readonly logger?: FastifyServerOptions['logger'];
  /** The Flywheel version shown in `/v2` and `/v1/health`. */
  readonly version?: string;
  /** This replica and its leadership: `GET /v1/cluster` and the `flywheel_leader` gauge. */
  readonly cluster?: ClusterInfo;
  /** An event feed: stored labels are handed to it, and its counts reach /metrics. */
  readonly events?: ServerEventSink;
}

export interface ListenOptions {
  readonly port?: number;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
}

export interface FlywheelServer {
  readonly app: FastifyInstance;
  /** Binds and starts serving; returns the base URL. */
  listen(options?: ListenOptions): Promise<string>;
  /** Stops accepting, drains in-flight requests, then closes the host (flushing its log). */
  close(): Promise<void>;
}

const MODEL_ROUTES = new Set(['/v1/models/:name/predict', '/v2/models/:name/infer']);

/** Whether `address` is a loopback address (or `localhost`). */
export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  const family = isIP(address);
  if (family === 4) return address.startsWith('127.');
  if (family === 6) return address === '::1' || address.startsWith('::ffff:127.');
  return false;
}

/**
 * Builds the server; nothing is bound until `listen`.
 *
 * @example
 * const server = createServer({ host, auth: tokens });
 * const url = await server.listen({ port: 8080 });
 * // … later
 * await server.close();
 */
export function createServer(options: ServerOptions): FlywheelServer {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const inferenceTimeoutMs = options.inferenceTimeoutMs ?? 2_000;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: requestTimeoutMs + inferenceTimeoutMs + 1_000,
    http: {
      headersTimeout: Math.min(requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    genReqId: requestId,
    return503OnClosing: true,
    frameworkErrors: (err, request, reply) => {
      const { status, headers, body } = describeError(err, request.id);
      void (reply as unknown as FastifyReply).code(status).headers(headers).send(body);
    },
  });
  const ctx: ServerContext = {
    host: options.host,
    metrics: createMetrics(options.features, options.cluster?.leadership, options.events),
    maxRows: options.maxRows ?? 1_000,
    inferenceTimeoutMs,
    metricsPublic: options.metricsPublic ?? false,
    deployments: options.registry,
    features: options.features,
    probe: options.probe,
    version: options.version ?? '0.0.0',
    closing: false,
  };

  app.decorateRequest('servedVersion', undefined);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // While draining, every answer closes its connection, so keep-alive
  // clients move on and close() does not wait for idle sockets.
  app.addHook('onSend', async (_request, reply) => {
    if (ctx.closing) void reply.header('connection', 'close');
  });
  useAccessControl(app, {
    auth: options.auth,
    allows: options.allows ?? defaultRoleAllows,
    ...(options.maxAuthFailures === undefined ? {} : { maxAuthFailures: options.maxAuthFailures }),
  });
  useStrictJsonBodies(app);
  app.setErrorHandler((err, request, reply) => {
    const { status, headers, body } = describeError(err, request.id);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(describeError(new HttpError('NOT_FOUND', 'no such route'), request.id).body),
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const name = (request.params as { name?: unknown } | undefined)?.name;
    const model =
      typeof name !== 'string' ? '' : ctx.host.names().includes(name) ? name : '(unknown)';
    const version = request.servedVersion?.split(',').map(versionOf).join(',') ?? '';
    ctx.metrics.requests.inc({ model, version, route, code: String(reply.statusCode) });
    if (MODEL_ROUTES.has(route) && model !== '(unknown)') {
      ctx.metrics.duration.observe({ model, version }, reply.elapsedTime / 1000);
    }
  });

  predictRoutes(app, ctx);
  eventsRoutes(app, ctx);
  if (options.dashboard !== false) dashboardRoutes(app, options.dashboard ?? {});
  if (options.stores !== undefined) {
    readRoutes(app, ctx, {
      stores: options.stores,
      auth: options.auth === 'off' ? 'off' : 'on',
      ...(options.monitorAsOf === undefined ? {} : { monitorAsOf: options.monitorAsOf }),
    });
    feedbackRoutes(app, options.stores, options.events);
  }
  oipRoutes(app, ctx);
  healthRoutes(app, ctx);
  if (options.cluster !== undefined) clusterRoutes(app, options.cluster);
  adminRoutes(app, ctx);

  let closing: Promise<void> | undefined;
  return {
    app,
    async listen(listen = {}) {
      const host = listen.host ?? '127.0.0.1';
      if (options.auth === 'off' && !isLoopback(host)) {
        throw new FlywheelError(
          'USAGE',
          `refusing to listen on ${host} with auth off: anyone on the network could predict and deploy`,
          { hint: 'bind a loopback address (127.0.0.1) or turn auth on with tokens' },
        );
      }
      await app.listen({ port: listen.port ?? 8080, host });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : listen.port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return `http://${shown}:${port}`;
    },
    close() {
      closing ??= (async () => {
        ctx.closing = true;
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          await options.host.close();
        }
      })();
      return closing;
    },
  };
}
