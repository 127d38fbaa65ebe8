/**
 * The body of `POST /v1/models/:name/predict`: `{ rows: [{…}, …],
 * routing_key? }` or `{ row: {…} }`. Only the shape is checked here; each
 * row's fields are checked by the model host against the model's schema.
 * Messages name fields, never values.
 */
import { HttpError } from './server-error.js';

export type Row = Readonly<Record<string, unknown>>;

export interface PredictInput {
  readonly rows: readonly Row[];
  readonly routingKey?: string;
}

const BODY_KEYS = new Set(['rows', 'row', 'routing_key']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a routing key: a string of 1 to 256 characters. */
export function checkRoutingKey(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new HttpError('INVALID_INPUT', `\`${field}\` must be a string of 1 to 256 characters`, {
      fields: [{ field, message: 'must be a string of 1 to 256 characters' }],
    });
  }
  return value;
}

/** Refuses more rows than a request may carry (422). */
export function checkRowCount(count: number, maxRows: number): void {
  if (count === 0) {
    throw new HttpError('INVALID_INPUT', 'the request has no rows', {
      fields: [{ field: 'rows', message: 'must hold at least one row' }],
    });
  }
  if (count > maxRows) {
    throw new HttpError(
      'TOO_MANY_ROWS',
      `the request has ${count} rows; at most ${maxRows} are allowed per request`,
    );
  }
}

/**
 * Reads a predict body.
 *
 * @example
 * parsePredictBody({ row: { tenure: 4 } }, 1000); // { rows: [{ tenure: 4 }] }
 */
export function parsePredictBody(body: unknown, maxRows: number): PredictInput {
  if (!isPlainObject(body)) {
    throw new HttpError(
      'INVALID_INPUT',
      'the body must be a JSON object with `rows` (an array of objects) or `row` (an object)',
    );
  }
  const unknown = Object.keys(body).filter((k) => !BODY_KEYS.has(k));
  if (unknown.length > 0) {
    throw new HttpError(
      'INVALID_INPUT',
      `the body has ${unknown.length} unknown field(s); valid fields: rows, row, routing_key`,
    );
  }
  if ((body['rows'] === undefined) === (body['row'] === undefined)) {
    throw new HttpError(
      'INVALID_INPUT',
      'give exactly one of `rows` (an array) or `row` (an object)',
      {
        fields: [{ field: 'rows', message: 'exactly one of `rows` or `row` is required' }],
      },
    );
  }
  const routingKey = checkRoutingKey(body['routing_key'], 'routing_key');
  let rows: unknown[];
  if (body['row'] !== undefined) {
    rows = [body['row']];
  } else if (Array.isArray(body['rows'])) {
    rows = body['rows'];
  } else {
    throw new HttpError('INVALID_INPUT', '`rows` must be an array of objects', {
      fields: [{ field: 'rows', message: 'must be an array of objects' }],
    });
  }
  checkRowCount(rows.length, maxRows);
  const problems = rows.flatMap((row, i) =>
    isPlainObject(row) ? [] : [{ row: i, field: '(row)', message: 'must be a JSON object' }],
  );
  if (problems.length > 0) {
    throw new HttpError('INVALID_INPUT', `${problems.length} row(s) are not JSON objects`, {
      fields: problems.slice(0, 100),
    });
  }
  return { rows: rows as Row[], ...(routingKey === undefined ? {} : { routingKey }) };
}
