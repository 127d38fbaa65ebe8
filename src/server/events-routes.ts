/**
 * The online feature routes: `POST /v1/events` takes a batch of events for
 * one event table (checked against it, stored once by id; a batch with any
 * invalid event stores nothing), and `GET /v1/features/freshness` shows the
 * age of each table's newest event against the spec's bound.
 */
import type { FastifyInstance } from 'fastify';
import { FlywheelError } from '../errors.js';
import type { EventProblem, FreshnessEntry, IngestReport } from '../features/index.js';
import type { ServerContext } from './context.js';
import { HttpError } from './server-error.js';

/** Most events in one request. */
export const MAX_EVENTS_PER_REQUEST = 10_000;

function parseBody(body: unknown): { table: string; events: readonly unknown[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      'INVALID_INPUT',
      'the body must be {"table": "<event table>", "events": [ … ]}',
    );
  }
  const { table, events } = body as { table?: unknown; events?: unknown };
  const fields = [];
  if (typeof table !== 'string' || table.length === 0 || table.length > 128) {
    fields.push({ field: 'table', message: 'must name an event table (a non-empty string)' });
  }
  if (!Array.isArray(events) || events.length === 0) {
    fields.push({ field: 'events', message: 'must be a non-empty array of events' });
  }
  if (fields.length > 0) throw new HttpError('INVALID_INPUT', 'invalid events request', { fields });
  if ((events as unknown[]).length > MAX_EVENTS_PER_REQUEST) {
    throw new HttpError(
      'TOO_MANY_ROWS',
      `${(events as unknown[]).length} events; at most ${MAX_EVENTS_PER_REQUEST} per request`,
    );
  }
  return { table: table as string, events: events as unknown[] };
}

const reportBody = (r: IngestReport) => ({
  table: r.table,
  received: r.received,
  added: r.added,
  duplicates: r.duplicates,
  conflicts: r.conflicts,
  conflict_ids: r.conflictIds,
  late: r.late,
  newest: r.newest ?? null,
});

export const freshnessBody = (entries: readonly FreshnessEntry[]) =>
  entries.map((e) => ({
    table: e.table,
    features: e.features,
    newest: e.newest ?? null,
    age_seconds: Number.isFinite(e.ageMs) ? e.ageMs / 1000 : null,
    bound_seconds: e.boundMs === undefined ? null : e.boundMs / 1000,
    stale: e.stale,
  }));

export function eventsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/events', { config: { action: 'ingest' } }, async (request) => {
    const features = ctx.features;
    if (features === undefined) {
      throw new HttpError('NOT_FOUND', 'this server has no online feature store');
    }
    const { table, events } = parseBody(request.body);
    try {
      const report = await features.ingest(table, events);
      ctx.metrics.featureEvents.inc({ table, outcome: 'added' }, report.added);
      ctx.metrics.featureEvents.inc({ table, outcome: 'duplicate' }, report.duplicates);
      ctx.metrics.featureEvents.inc({ table, outcome: 'conflict' }, report.conflicts);
      ctx.metrics.featureEvents.inc({ table, outcome: 'late' }, report.late);
      return { ...reportBody(report), request_id: request.id };
    } catch (err) {
      if (err instanceof FlywheelError && err.code === 'EVENTS_INVALID') {
        const problems = (err.details['problems'] ?? []) as EventProblem[];
        const invalid = Number(err.details['invalidEvents'] ?? problems.length);
        ctx.metrics.featureEvents.inc({ table, outcome: 'invalid' }, invalid);
        throw new HttpError('INVALID_INPUT', err.message, { fields: problems });
      }
      if (err instanceof FlywheelError && err.code === 'NOT_FOUND') {
        throw new HttpError(
          'NOT_FOUND',
          'no event table of that name feeds an online feature here',
        );
      }
      if (err instanceof FlywheelError && err.httpStatus < 500) throw err;
      request.log.error({ err }, 'storing events failed');
      throw new HttpError('UNAVAILABLE', 'the events could not be stored; retry shortly', {
        headers: { 'retry-after': '1' },
      });
    }
  });

  app.get('/v1/features/freshness', { config: { action: 'read' } }, async () => {
    const features = ctx.features;
    if (features === undefined) {
      throw new HttpError('NOT_FOUND', 'this server has no online feature store');
    }
    return { tables: freshnessBody(await features.freshness()) };
  });
}
