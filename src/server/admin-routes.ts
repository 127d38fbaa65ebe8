/**
 * Deployment admin routes: list models, show a deployment, promote, roll
 * back, start and end a canary (`outcome`: aborted by default, or
 * promoted / rolled_back). Reading needs `read`; changing needs `deploy`. Bodies accept only their documented fields (no mass assignment)
 * and every change carries a reason.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CANARY_OUTCOMES, type CanaryOutcome } from '../registry/index.js';
import type { ServerContext } from './context.js';
import type { ChangeRequest, DeploymentControl } from './deployment-control.js';
import { isPlainObject } from './predict-input.js';
import { type FieldProblem, HttpError } from './server-error.js';

const VERSION = /^v?([1-9][0-9]{0,8})$/;

type Body = Record<string, unknown>;

function readBody(body: unknown, allowed: readonly string[]): Body {
  const value = body === undefined || body === null ? {} : body;
  if (!isPlainObject(value)) throw new HttpError('INVALID_INPUT', 'the body must be a JSON object');
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new HttpError(
      'INVALID_INPUT',
      `the body has ${unknown.length} unknown field(s); valid fields: ${allowed.join(', ')}`,
    );
  }
  return value;
}

function fail(field: string, message: string): never {
  const fields: FieldProblem[] = [{ field, message }];
  throw new HttpError('INVALID_INPUT', `\`${field}\` ${message}`, { fields });
}

function change(request: FastifyRequest, body: Body): ChangeRequest {
  const reason = body['reason'];
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 1000) {
    fail('reason', 'is required: a non-empty string of at most 1000 characters');
  }
  const { id, name } = request.principal!;
  return {
    actor: name === undefined || name === id ? id : `${name} [${id}]`,
    reason: reason.trim(),
  };
}

function version(body: Body): number {
  const v = body['version'];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  const m = typeof v === 'string' ? VERSION.exec(v) : null;
  if (m) return Number(m[1]);
  return fail('version', 'is required: a version number (3 or "v3")');
}

function weight(body: Body): number {
  const w = body['weight'];
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) {
    fail('weight', 'must be a percentage from 0 to 100');
  }
  return w;
}

function outcome(body: Body): CanaryOutcome {
  const o = body['outcome'] ?? 'aborted';
  if (!(CANARY_OUTCOMES as readonly unknown[]).includes(o)) {
    fail('outcome', `must be one of ${CANARY_OUTCOMES.join(', ')}`);
  }
  return o as CanaryOutcome;
}

function shadow(body: Body): boolean {
  const s = body['shadow'];
  if (s === undefined) return false;
  if (typeof s !== 'boolean') fail('shadow', 'must be true or false');
  return s;
}

export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const control = (): DeploymentControl => {
    if (ctx.deployments === undefined) {
      throw new HttpError('NOT_IMPLEMENTED', 'deployment admin is not enabled on this server');
    }
    return ctx.deployments;
  };
  const read = { config: { action: 'read' as const } };
  const deploy = { config: { action: 'deploy' as const } };
  type Named = { Params: { name: string } };

  app.get('/v1/models', read, async () => ({
    // `versions` is how many there are, so also the latest version's number.
    models: (await control().listModels()).map((m) => ({ ...m, latestVersion: m.versions })),
  }));
  app.get<Named>('/v1/models/:name/deployment', read, async (request) => {
    const deployment = await control().deployment(request.params.name);
    if (deployment === undefined) {
      throw new HttpError('NOT_FOUND', 'no model of that name is registered');
    }
    return deployment;
  });
  app.post<Named>('/v1/models/:name/promote', deploy, async (request) => {
    const body = readBody(request.body, ['version', 'reason']);
    return control().promote(request.params.name, {
      version: version(body),
      ...change(request, body),
    });
  });
  app.post<Named>('/v1/models/:name/rollback', deploy, async (request) => {
    const body = readBody(request.body, ['reason']);
    return control().rollback(request.params.name, change(request, body));
  });
  app.post<Named>('/v1/models/:name/canary', deploy, async (request) => {
    const body = readBody(request.body, ['version', 'weight', 'shadow', 'reason']);
    return control().startCanary(request.params.name, {
      version: version(body),
      weight: weight(body),
      shadow: shadow(body),
      ...change(request, body),
    });
  });
  app.delete<Named>('/v1/models/:name/canary', deploy, async (request) => {
    const body = readBody(request.body, ['reason', 'outcome']);
    return control().endCanary(request.params.name, {
      outcome: outcome(body),
      ...change(request, body),
    });
  });
}
