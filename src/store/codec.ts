/**
 * Value encoding shared by both engines: JSON as text, instants as ISO-8601
 * UTC strings, NaN as NULL (SQLite cannot store NaN).
 */
import { FlywheelError } from '../errors.js';

/** Serialises `value` for a JSON column; `field` names it in the error. */
export function encodeJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (err) {
    throw new FlywheelError('USAGE', `${field} is not JSON-serialisable`, { cause: err });
  }
  return text ?? 'null';
}

export function decodeJson<T = unknown>(text: string | null): T {
  return (text === null ? null : JSON.parse(text)) as T;
}

/** Normalises an instant to ISO-8601 UTC with milliseconds; `undefined` means now. */
export function encodeTime(at: string | Date | undefined, field: string): string {
  const date = at === undefined ? new Date() : at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) {
    throw new FlywheelError('USAGE', `${field} is not a valid date`, {
      hint: 'use an ISO-8601 timestamp such as 2025-01-31T12:00:00Z',
    });
  }
  return date.toISOString();
}

export function encodeFloat(value: number | null | undefined): number | null {
  return value === null || value === undefined || Number.isNaN(value) ? null : value;
}

/** Checks a positive integer limit and caps it. */
export function clampLimit(limit: number | undefined, fallback: number, max = 100_000): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new FlywheelError('USAGE', 'limit must be a positive integer');
  }
  return Math.min(limit, max);
}

/**
 * An id as it may appear in a message: itself when it is a plain token,
 * otherwise a placeholder, so hostile input is never echoed back.
 */
export function displayId(id: string): string {
  return /^[A-Za-z0-9_.:@-]{1,128}$/.test(id) ? id : '(invalid id)';
}
