/**
 * The entity and event time a served row is logged under, read from the
 * model's entity and event-time columns, so a label can later find its
 * prediction by them. The event time is read as the online features read
 * it (an ISO-8601 string without an offset is UTC; a number is epoch ms).
 */
import { entityKeyText, eventTimeMs } from '../features/index.js';

const fieldOf = (row: unknown, column: string): unknown =>
  row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[column] : undefined;

/**
 * The row's entity key as text; undefined when the model has no entity
 * column or the row no usable value (a non-empty string up to 256
 * characters, or a finite number).
 *
 * @example
 * loggedEntity({ customer: 42, x: 1 }, 'customer'); // '42'
 */
export function loggedEntity(row: unknown, column: string | undefined): string | undefined {
  return column === undefined ? undefined : entityKeyText(fieldOf(row, column));
}

/**
 * The row's event time as ISO-8601 UTC with milliseconds; undefined when
 * the model has no event-time column or the row no readable time.
 *
 * @example
 * loggedEventTime({ seen_at: '2025-01-31 12:00' }, 'seen_at'); // '2025-01-31T12:00:00.000Z'
 */
export function loggedEventTime(row: unknown, column: string | undefined): string | undefined {
  if (column === undefined) return undefined;
  const ms = eventTimeMs(fieldOf(row, column));
  if (ms === undefined) return undefined;
  const time = new Date(ms);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
