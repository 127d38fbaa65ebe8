/** Durations in the spec (`30m`, `2h`, `7d`, `1.5h`) as numbers of milliseconds. */
import { FlywheelError } from '../errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds in a duration: a positive number and a unit (s, m, h, d).
 * Rounded to whole microseconds, the resolution of a DuckDB timestamp; a day
 * is always 24 hours.
 *
 * @example
 * parseDuration('1.5h') // 5400000
 */
export function parseDuration(text: string, where = 'window'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text);
  if (!m) {
    throw new FlywheelError(
      'SPEC_INVALID',
      `${where}: ${JSON.stringify(text)} is not a duration; write a number and a unit (s, m, h, d), such as 30m, 2h, 7d or 1.5h`,
    );
  }
  const micros = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] * 1000);
  if (micros <= 0) {
    throw new FlywheelError(
      'SPEC_INVALID',
      `${where}: ${JSON.stringify(text)} is an empty window; a duration must be at least 1 microsecond`,
    );
  }
  return micros / 1000;
}

/** Seconds in a duration (see parseDuration). */
export function durationSeconds(text: string, where?: string): number {
  return parseDuration(text, where) / 1000;
}

/** Whole microseconds in a duration, the unit the SQL works in. */
export function durationMicros(text: string, where?: string): number {
  return Math.round(parseDuration(text, where) * 1000);
}
