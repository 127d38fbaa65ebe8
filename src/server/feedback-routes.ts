/**
 * `POST /v1/feedback`: outcome labels for served predictions, one or a batch
 * (`{"prediction_id", "label", "observed_at"?}`, or keyed by
 * `{"model", "entity", "event_time", …}` instead of the id, or
 * `{"labels": [...]}`), with the role `predictor` or above. A malformed
 * batch stores nothing (400 with fields); labels for unknown predictions are
 * kept as orphans and counted.
 */
import type { FastifyInstance } from 'fastify';
import { FlywheelError } from '../errors.js';
import { ingestFeedback, type LabelProblem } from '../feedback/index.js';
import type { Stores } from '../store/index.js';
import type { ServerEventSink } from './events.js';
import { HttpError } from './server-error.js';

export const MAX_LABELS_PER_REQUEST = 10_000;

export function feedbackRoutes(
  app: FastifyInstance,
  stores: Stores,
  events?: Pick<ServerEventSink, 'feedback'>,
): void {
  app.post<{ Querystring: { source?: string } }>(
    '/v1/feedback',
    { config: { action: 'feedback' } },
    async (request) => {
      const body = request.body as unknown;
      if (body === null || typeof body !== 'object') {
        throw new HttpError('INVALID_INPUT', 'the body must be a label or {"labels": [ … ]}');
      }
      const labels = Array.isArray((body as { labels?: unknown }).labels)
        ? (body as { labels: unknown[] }).labels
        : Array.isArray(body)
          ? null
          : [body];
      if (labels === null || labels.length === 0) {
        throw new HttpError(
          'INVALID_INPUT',
          'the body must be a label or {"labels": [ … ]} with at least one',
        );
      }
      if (labels.length > MAX_LABELS_PER_REQUEST) {
        throw new HttpError(
          'TOO_MANY_ROWS',
          `${labels.length} labels; at most ${MAX_LABELS_PER_REQUEST} per request`,
        );
      }
      const source = request.query.source ?? request.principal?.name ?? 'api';
      try {
        const report = await ingestFeedback(stores, labels, {
          source: /^[A-Za-z0-9_.:-]{1,64}$/.test(source) ? source : 'api',
          ...(events === undefined ? {} : { onStored: (stored) => events.feedback(stored) }),
        });
        return { ...report, request_id: request.id };
      } catch (err) {
        if (err instanceof FlywheelError && err.code === 'EVENTS_INVALID') {
          throw new HttpError('INVALID_INPUT', err.message, {
            fields: (err.details['problems'] ?? []) as LabelProblem[],
          });
        }
        throw err;
      }
    },
  );
}
