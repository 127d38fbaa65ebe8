/**
 * Arriving events, checked against their table's schema and normalised: the
 * entity key as text, the time in milliseconds, each aggregated column a
 * number or null, and an id (the table's id column, or a hash of the
 * event's key, time and values when the table declares none).
 */
import { createHash } from 'node:crypto';
import type { OnlineEventTable } from './online-definitions.js';

/** An event's aggregated columns by name. */
export type EventValues = Readonly<Record<string, number | null>>;

/** An event as the online store keeps it. */
export interface OnlineEvent {
  readonly id: string;
  /** The entity key as text (a numeric key 7 and "7" are the same entity). */
  readonly key: string;
  /** When the event became known, in ms since the epoch. */
  readonly time: number;
  /** The table's aggregated columns (null when missing). */
  readonly values: EventValues;
}

/** A problem with one event of a batch, by index and field (never echoing the value). */
export interface EventProblem {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

const MAX_KEY_LENGTH = 256;
const MAX_ID_LENGTH = 256;

/** A time as JSON carries it: an ISO-8601 string (UTC unless it has an offset), a Date, or epoch milliseconds. */
export function eventTimeMs(value: unknown): number | undefined {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    // Without an offset a time is UTC, as DuckDB and the offline join read it.
    const iso = value.trim().replace(' ', 'T');
    ms = Date.parse(
      /T.*(Z|[+-]\d{2}(:?\d{2})?)$/i.test(iso) || !iso.includes('T') ? iso : `${iso}Z`,
    );
  } else return undefined;
  return Number.isFinite(ms) ? ms : undefined;
}

/** An entity key as text, or undefined when it is not a usable key. */
export function entityKeyText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value.length > 0 && value.length <= MAX_KEY_LENGTH ? value : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/** The id of an event whose table declares no id column: a hash of what it says. */
export function contentId(key: string, time: number, values: EventValues): string {
  const sorted = Object.keys(values)
    .sort()
    .map((k) => [k, values[k]]);
  return createHash('sha256')
    .update(JSON.stringify([key, time, sorted]))
    .digest('hex')
    .slice(0, 32);
}

/** Whether two events with the same id say the same thing. */
export function sameEvent(a: OnlineEvent, b: OnlineEvent): boolean {
  if (a.key !== b.key || a.time !== b.time) return false;
  const keys = new Set([...Object.keys(a.values), ...Object.keys(b.values)]);
  for (const k of keys) if ((a.values[k] ?? null) !== (b.values[k] ?? null)) return false;
  return true;
}

function parseOne(
  table: OnlineEventTable,
  raw: unknown,
  row: number,
  problems: EventProblem[],
): OnlineEvent | undefined {
  const problem = (field: string, message: string) => {
    problems.push({ row, field, message });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problem('(event)', 'must be an object of column values');
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  const before = problems.length;
  const key = entityKeyText(fields[table.key]);
  if (key === undefined) {
    problem(
      table.key,
      fields[table.key] === undefined || fields[table.key] === null
        ? 'the entity key is missing'
        : `the entity key must be a string (1 to ${MAX_KEY_LENGTH} characters) or a number`,
    );
  }
  const time = eventTimeMs(fields[table.time]);
  if (time === undefined) {
    problem(
      table.time,
      fields[table.time] === undefined || fields[table.time] === null
        ? 'the event time is missing'
        : 'the event time must be an ISO-8601 timestamp or epoch milliseconds',
    );
  }
  const values: Record<string, number | null> = {};
  for (const column of table.columns) {
    const v = fields[column];
    if (v === undefined || v === null) values[column] = null;
    else if (typeof v === 'number' && Number.isFinite(v)) values[column] = v;
    else {
      problem(column, 'must be a finite number or null');
      values[column] = null;
    }
  }
  let id: string | undefined;
  if (table.id !== undefined) {
    const v = fields[table.id];
    if (
      (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH) ||
      (typeof v === 'number' && Number.isSafeInteger(v))
    ) {
      id = String(v);
    } else {
      problem(
        table.id,
        v === undefined || v === null
          ? 'the event id is missing'
          : `the event id must be a string (1 to ${MAX_ID_LENGTH} characters) or an integer`,
      );
    }
  }
  if (problems.length > before || key === undefined || time === undefined) return undefined;
  return { id: id ?? contentId(key, time, values), key, time, values };
}

/**
 * Checks a batch of raw events against `table`; every problem is reported,
 * by index and field.
 *
 * @example
 * const { events, problems } = parseEvents(table, [{ origin: 'SFO', departed_at: '2001-03-01T08:05:00Z', delay: 5 }]);
 */
export function parseEvents(
  table: OnlineEventTable,
  raw: readonly unknown[],
): { events: OnlineEvent[]; problems: EventProblem[] } {
  const events: OnlineEvent[] = [];
  const problems: EventProblem[] = [];
  raw.forEach((r, i) => {
    const e = parseOne(table, r, i, problems);
    if (e !== undefined) events.push(e);
  });
  return { events, problems };
}
