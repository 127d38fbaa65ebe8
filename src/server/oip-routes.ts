/**
 * The Open Inference Protocol v2 routes: server and model health, model
 * metadata and `infer`. https://github.com/kserve/open-inference-protocol
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { inferResponse, parseInferBody } from './oip-tensors.js';
import { scoreRequest } from './scoring.js';
import { HttpError } from './server-error.js';

export function oipRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v2', { config: { action: 'read' } }, async () => ({
    name: 'flywheel',
    version: ctx.version,
    extensions: [],
  }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = await serverReady(ctx);
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get<{ Params: { name: string } }>(
    '/v2/models/:name',
    { config: { action: 'read' } },
    async (request) => {
      const metadata = ctx.host.metadata(request.params.name);
      if (metadata === undefined)
        throw new HttpError('NOT_FOUND', 'no model of that name is served here');
      return metadata;
    },
  );
  app.get<{ Params: { name: string } }>(
    '/v2/models/:name/ready',
    { config: { action: 'read' } },
    async (request, reply) => {
      const { name } = request.params;
      if (!ctx.host.names().includes(name)) {
        throw new HttpError('NOT_FOUND', 'no model of that name is served here');
      }
      const ready = ctx.host.ready(name);
      return reply.code(ready ? 200 : 503).send({ name, ready });
    },
  );
  app.post<{ Params: { name: string } }>(
    '/v2/models/:name/infer',
    { config: { action: 'predict' } },
    async (request) => {
      const { name } = request.params;
      const input = parseInferBody(request.body, ctx.maxRows);
      const rows = await scoreRequest(ctx, request, name, input);
      return inferResponse(name, rows, input.id ?? request.id);
    },
  );
}

/** Ready: not shutting down, the store answers and every served model is ready. */
export async function serverReady(ctx: ServerContext): Promise<boolean> {
  if (ctx.closing) return false;
  if (ctx.probe !== undefined) {
    try {
      await ctx.probe();
    } catch {
      return false;
    }
  }
  return ctx.host.names().every((name) => ctx.host.ready(name));
}
