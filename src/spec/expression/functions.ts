/**
 * The whitelist of functions an expression may call, each declared once with
 * its arity, signature and description. The type checker, the SQL generator
 * and the evaluator each handle every name here; a name one of them misses
 * does not compile.
 */

/**
 * How a function's argument types decide its result type:
 * - `timestamp-part`: (timestamp) → numeric
 * - `math`: (numeric) → numeric
 * - `extremum`: (T, T, …) → T, where T is numeric or timestamp
 * - `coalesce`: (T, T, …) → T, for any T
 * - `if`: (boolean, T, T) → T, for any T
 * - `is-missing`: (any) → boolean
 */
export type FunctionSignature =
  | 'timestamp-part'
  | 'math'
  | 'extremum'
  | 'coalesce'
  | 'if'
  | 'is-missing';

export interface FunctionSpec {
  readonly signature: FunctionSignature;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** How a call looks, for error messages and docs. */
  readonly usage: string;
  readonly description: string;
}

const VARIADIC = Number.POSITIVE_INFINITY;

/**
 * Every callable function. Timestamp parts are computed in UTC.
 *
 * @example
 * FUNCTIONS.day_of_week.description; // 'day of the week, 0 = Monday … 6 = Sunday (UTC)'
 */
export const FUNCTIONS = {
  minute: fn('timestamp-part', 1, 1, 'minute(timestamp)', 'minute of the hour, 0–59 (UTC)'),
  hour: fn('timestamp-part', 1, 1, 'hour(timestamp)', 'hour of the day, 0–23 (UTC)'),
  day_of_week: fn(
    'timestamp-part',
    1,
    1,
    'day_of_week(timestamp)',
    'day of the week, 0 = Monday … 6 = Sunday (UTC)',
  ),
  day_of_month: fn(
    'timestamp-part',
    1,
    1,
    'day_of_month(timestamp)',
    'day of the month, 1–31 (UTC)',
  ),
  month: fn('timestamp-part', 1, 1, 'month(timestamp)', 'month, 1 = January … 12 = December (UTC)'),
  year: fn('timestamp-part', 1, 1, 'year(timestamp)', 'calendar year (UTC)'),
  abs: fn('math', 1, 1, 'abs(number)', 'absolute value'),
  log: fn('math', 1, 1, 'log(number)', 'natural logarithm; missing when the number is 0 or less'),
  exp: fn('math', 1, 1, 'exp(number)', 'e raised to the number'),
  sqrt: fn('math', 1, 1, 'sqrt(number)', 'square root; missing when the number is negative'),
  floor: fn('math', 1, 1, 'floor(number)', 'largest integer not above the number'),
  ceil: fn('math', 1, 1, 'ceil(number)', 'smallest integer not below the number'),
  round: fn('math', 1, 1, 'round(number)', 'nearest integer, halves rounded away from zero'),
  min: fn('extremum', 1, VARIADIC, 'min(a, b, …)', 'smallest argument, ignoring missing ones'),
  max: fn('extremum', 1, VARIADIC, 'max(a, b, …)', 'largest argument, ignoring missing ones'),
  coalesce: fn('coalesce', 1, VARIADIC, 'coalesce(a, b, …)', 'first argument that is not missing'),
  if: fn('if', 3, 3, 'if(condition, then, else)', '`then` where the condition holds, else `else`'),
  is_missing: fn('is-missing', 1, 1, 'is_missing(value)', 'true where the value is missing'),
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The callable function names, sorted. */
export const FUNCTION_NAMES: readonly FunctionName[] = (
  Object.keys(FUNCTIONS) as FunctionName[]
).sort();

/**
 * The whitelisted function called `name` (case-insensitive), or undefined.
 * Only own names match, so `constructor` or `__proto__` are never functions.
 *
 * @example
 * lookupFunction('HOUR'); // 'hour'
 * lookupFunction('constructor'); // undefined
 */
export function lookupFunction(name: string): FunctionName | undefined {
  const lower = name.toLowerCase();
  return Object.hasOwn(FUNCTIONS, lower) ? (lower as FunctionName) : undefined;
}

function fn(
  signature: FunctionSignature,
  minArgs: number,
  maxArgs: number,
  usage: string,
  description: string,
): FunctionSpec {
  return { signature, minArgs, maxArgs, usage, description };
}
