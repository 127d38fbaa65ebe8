/**
 * Liveness, readiness and metrics: `/healthz` (the process answers),
 * `/readyz` (every served model ready, the store reachable, not shutting
 * down), `/v1/health` (the same in detail, for a token that may read) and
 * `/metrics` (Prometheus text).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { serverReady } from './oip-routes.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await serverReady(ctx);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/v1/health', { config: { action: 'read' } }, async (_request, reply) => {
    let store: 'ok' | 'unreachable' | 'unchecked' = 'unchecked';
    if (ctx.probe !== undefined) {
      store = await ctx.probe().then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      );
    }
    const models = ctx.host.names().map((name) => ({ name, ready: ctx.host.ready(name) }));
    const ready = !ctx.closing && store !== 'unreachable' && models.every((m) => m.ready);
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      shuttingDown: ctx.closing,
      store,
      models,
      version: ctx.version,
    });
  });
  app.get(
    '/metrics',
    ctx.metricsPublic ? {} : { config: { action: 'read' } },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );
}
