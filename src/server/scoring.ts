/**
 * One call into the model host, as both predict routes make it: unknown or
 * unready models answer 404 / 503 before any work, the inference timeout
 * aborts the call with a 504, field errors become a 400 that names fields
 * (never values), and a host that cannot commit the prediction log is a 503:
 * an answer is only sent for predictions that were logged.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { FlywheelError } from '../errors.js';
import {
  type FieldError,
  InferenceTimeoutError,
  type ModelHost,
  type ScoredRow,
} from '../serve/index.js';
import type { ServerContext } from './context.js';
import type { ServerMetrics } from './metrics.js';
import type { Row } from './predict-input.js';
import { type FieldProblem, HttpError } from './server-error.js';

const SAFE_FIELD = /^[\p{L}\p{N}_.\-() ]{1,128}$/u;

export interface ScoreCall {
  readonly host: ModelHost;
  readonly metrics: ServerMetrics;
  readonly log: FastifyBaseLogger;
  readonly timeoutMs: number;
}

/** Throws a 404 or 503 unless `name` is served and ready. */
export function checkServed(host: ModelHost, name: string): void {
  if (!host.names().includes(name)) {
    throw new HttpError('NOT_FOUND', 'no model of that name is served here');
  }
  if (!host.ready(name)) {
    throw new HttpError('NOT_READY', 'the model is not ready to serve yet; retry shortly', {
      headers: { 'retry-after': '1' },
    });
  }
}

function fieldProblems(errors: readonly FieldError[]): FieldProblem[] {
  return errors.slice(0, 100).map((e) => ({
    row: e.row,
    field: SAFE_FIELD.test(e.field) ? e.field : '(unnamed field)',
    message: e.message.slice(0, 300),
  }));
}

/**
 * Scores rows through the host.
 *
 * @example
 * const rows = await score(call, 'churn', [{ tenure: 4 }], { requestId: 'r1' });
 */
export async function score(
  call: ScoreCall,
  name: string,
  rows: readonly Row[],
  options: { requestId: string; routingKey?: string | undefined },
): Promise<readonly ScoredRow[]> {
  checkServed(call.host, name);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new HttpError('INFERENCE_TIMEOUT', `inference took longer than ${call.timeoutMs} ms`));
    }, call.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      call.host.predict(name, {
        rows,
        requestId: options.requestId,
        signal: abort.signal,
        ...(options.routingKey === undefined ? {} : { routingKey: options.routingKey }),
      }),
      timeout,
    ]);
    if (!outcome.ok) {
      throw new HttpError(
        'INVALID_INPUT',
        `${outcome.errors.length} problem(s) with the input rows`,
        { fields: fieldProblems(outcome.errors) },
      );
    }
    return outcome.rows;
  } catch (err) {
    throw hostFailure(call, name, err);
  } finally {
    clearTimeout(timer);
  }
}

function hostFailure(call: ScoreCall, name: string, thrown: unknown): unknown {
  const err =
    thrown instanceof InferenceTimeoutError
      ? new HttpError('INFERENCE_TIMEOUT', `inference took longer than ${call.timeoutMs} ms`)
      : thrown;
  if (err instanceof HttpError) {
    if (err.status >= 500) call.metrics.predictionErrors.inc({ model: name, code: err.code });
    return err;
  }
  if (err instanceof FlywheelError && err.httpStatus < 500) {
    return err.code === 'NOT_FOUND'
      ? new HttpError('NOT_FOUND', 'no model of that name is served here')
      : err;
  }
  call.log.error({ err }, 'prediction failed');
  if (err instanceof FlywheelError && err.code === 'INTERNAL') {
    call.metrics.predictionErrors.inc({ model: name, code: 'INTERNAL' });
    return err;
  }
  // The host threw while scoring or committing the log (the store, most
  // likely): nothing was answered, so the client may retry.
  call.metrics.predictionErrors.inc({ model: name, code: 'UNAVAILABLE' });
  return new HttpError(
    'UNAVAILABLE',
    'the prediction could not be made and logged, so it was not served; retry shortly',
    { headers: { 'retry-after': '1' } },
  );
}

/**
 * Scores a parsed request for a route: the call built from the server
 * context, the served version(s) noted on the request for metrics and logs.
 */
export async function scoreRequest(
  ctx: ServerContext,
  request: FastifyRequest,
  name: string,
  input: { readonly rows: readonly Row[]; readonly routingKey?: string | undefined },
): Promise<readonly ScoredRow[]> {
  const rows = await score(
    { host: ctx.host, metrics: ctx.metrics, log: request.log, timeoutMs: ctx.inferenceTimeoutMs },
    name,
    input.rows,
    { requestId: request.id, routingKey: input.routingKey },
  );
  request.servedVersion = [...new Set(rows.map((r) => r.modelVersion))].join(',');
  return rows;
}
