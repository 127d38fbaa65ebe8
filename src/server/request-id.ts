/**
 * Request ids: a caller's `x-request-id` is kept when it is short and plain
 * (so logs correlate across services), otherwise a fresh UUID is used.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: its sane `x-request-id` header or a new UUID.
 *
 * @example
 * requestId({ headers: { 'x-request-id': 'abc-1' } } as IncomingMessage); // 'abc-1'
 */
export function requestId(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}
