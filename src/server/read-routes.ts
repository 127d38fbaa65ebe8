/**
 * The read-only API the dashboard (and anyone with a viewer token) uses:
 * who am I, runs and their reports, models with their versions, lineage and
 * deployments, alias history, monitoring windows, alerts and the audit log.
 * Every route needs the `read` right; none changes anything.
 */
import type { FastifyInstance } from 'fastify';
import { FlywheelError } from '../errors.js';
import type { FreshnessInput } from '../monitor/index.js';
import { monitorModel, toAlert } from '../monitor/index.js';
import { ModelRegistry } from '../registry/index.js';
import type { Stores } from '../store/index.js';
import type { ServerContext } from './context.js';
import { HttpError } from './server-error.js';

export interface ReadRoutesOptions {
  readonly stores: Stores;
  readonly auth: 'on' | 'off';
  /** Where monitoring windows end (default: now). */
  readonly monitorAsOf?: Date;
}

const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const WINDOW = /^\d+(\.\d+)?[smhd]$/;

function limitOf(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new HttpError('INVALID_INPUT', 'invalid query', {
      fields: [{ field: 'limit', message: 'must be a positive integer' }],
    });
  }
  return Math.min(n, max);
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new HttpError('NOT_FOUND', 'no model of that name');
  return name;
}

/** Latest value of each metric of a run. */
async function latestMetrics(stores: Stores, runId: string): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const m of await stores.metadata.listMetrics(runId)) {
    if (m.value !== null) metrics[m.key] = m.value;
  }
  return metrics;
}

export function readRoutes(app: FastifyInstance, ctx: ServerContext, options: ReadRoutesOptions) {
  const { stores } = options;
  const registry = new ModelRegistry(stores);
  const read = { config: { action: 'read' as const } };

  app.get('/v1/me', read, async (request) => ({
    principal: request.principal ?? null,
    auth: options.auth,
  }));

  app.get<{ Querystring: { limit?: string } }>('/v1/runs', read, async (request) => {
    const limit = limitOf(request.query.limit, 100, 1000);
    const runs = (await stores.metadata.listRuns({ limit: limit * 4 }))
      .filter((r) => r.parentRunId === null)
      .slice(0, limit);
    return {
      runs: await Promise.all(
        runs.map(async (r) => {
          const artifacts = await stores.metadata.listRunArtifacts(r.id);
          return {
            id: r.id,
            kind: r.kind,
            status: r.status,
            project: r.tags['project'] ?? null,
            startedAt: r.startedAt,
            endedAt: r.endedAt,
            snapshotId: r.snapshotId,
            parentRunId: r.parentRunId,
            metrics: await latestMetrics(stores, r.id),
            hasReport: artifacts.some((a) => a.name === 'report.html'),
          };
        }),
      ),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/runs/:id/report', read, async (request, reply) => {
    const id = request.params.id;
    if (!NAME.test(id)) throw new HttpError('NOT_FOUND', 'no report for that run');
    const artifact = (await stores.metadata.listRunArtifacts(id)).find(
      (a) => a.name === 'report.html',
    );
    if (artifact === undefined) throw new HttpError('NOT_FOUND', 'no report for that run');
    const html = await stores.artifacts.get(artifact.sha256);
    return reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; sandbox allow-scripts",
      )
      .send(html);
  });

  // GET /v1/models is the deployment admin's (admin-routes.ts).
  app.get<{ Params: { name: string } }>('/v1/models/:name', read, async (request) => {
    const name = checkName(request.params.name);
    const versions = await registry.listVersions(name);
    if (versions.length === 0) throw new HttpError('NOT_FOUND', 'no model of that name');
    const deployment = await registry.deployment(name);
    return {
      name,
      aliases: await registry.aliases(name),
      versions: versions.map((v) => ({
        version: v.version,
        rung: v.rung,
        blessed: v.blessed,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
        runId: v.runId,
        snapshotId: v.snapshotId,
        specHash: v.specHash,
        bundleSha256: v.bundleSha256,
      })),
      deployment: {
        champion: deployment.champion?.version ?? null,
        canary:
          deployment.canary === undefined
            ? null
            : {
                version: deployment.canary.version.version,
                weight: deployment.canary.weight,
                shadow: deployment.canary.shadow,
                startedAt: deployment.canary.startedAt,
              },
      },
    };
  });

  app.get<{ Params: { name: string } }>('/v1/models/:name/history', read, async (request) => {
    const name = checkName(request.params.name);
    const moves = await registry.aliasHistory(name);
    return {
      moves: moves
        .map((m) => ({
          at: m.at,
          alias: m.alias,
          action: m.action,
          fromVersion: m.fromVersion,
          toVersion: m.toVersion,
          actor: m.actor,
          reason: m.reason,
        }))
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)),
    };
  });

  app.get<{ Params: { name: string }; Querystring: { window?: string; count?: string } }>(
    '/v1/monitoring/:name',
    read,
    async (request) => {
      const name = checkName(request.params.name);
      const window = request.query.window;
      if (window !== undefined && !WINDOW.test(window)) {
        throw new HttpError('INVALID_INPUT', 'invalid query', {
          fields: [{ field: 'window', message: 'must be a duration such as 5m, 1h or 1d' }],
        });
      }
      const count = limitOf(request.query.count, 24, 500);
      const freshness: FreshnessInput[] | undefined =
        ctx.features === undefined ? undefined : await ctx.features.freshness();
      try {
        return await monitorModel(stores, name, {
          ...(window === undefined ? {} : { window }),
          ...(options.monitorAsOf === undefined ? {} : { now: options.monitorAsOf }),
          count,
          evaluate: false,
          ...(freshness === undefined ? {} : { freshness }),
        });
      } catch (err) {
        if (err instanceof FlywheelError && err.code === 'NOT_FOUND') {
          throw new HttpError('NOT_FOUND', 'that model has no champion to monitor');
        }
        throw err;
      }
    },
  );

  app.get<{ Querystring: { state?: string; limit?: string } }>(
    '/v1/alerts',
    read,
    async (request) => {
      const state = request.query.state ?? 'all';
      if (!['firing', 'resolved', 'all'].includes(state)) {
        throw new HttpError('INVALID_INPUT', 'invalid query', {
          fields: [{ field: 'state', message: 'must be firing, resolved or all' }],
        });
      }
      const alerts = await stores.metadata.listAlerts({
        ...(state === 'all' ? {} : { state: state as 'firing' | 'resolved' }),
        limit: limitOf(request.query.limit, 500, 5000),
      });
      return { alerts: alerts.map(toAlert) };
    },
  );

  app.get<{ Querystring: { limit?: string } }>('/v1/audit', read, async (request) => {
    const entries = await stores.metadata.listAudit({
      limit: limitOf(request.query.limit, 200, 5000),
    });
    return {
      entries: entries.map((e) => ({
        id: e.id,
        at: e.at,
        actor: e.actor,
        action: e.action,
        objectType: e.objectType,
        objectId: e.objectId,
        details: e.details,
      })),
    };
  });
}
