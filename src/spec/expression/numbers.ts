/**
 * Vectorised kernels over numbers, the evaluator's representation of numeric,
 * timestamp and true/false values. NaN is missing; true/false are 1/0.
 * A plain number stands for the same value on every row, so constants never
 * need an array of their own.
 */

/** One value per row, or one value for every row. */
export type Numbers = Float64Array | number;

const MISSING = Number.NaN;

/** `f` applied to every row of `a`. */
export function map1(a: Numbers, f: (x: number) => number): Numbers {
  if (typeof a === 'number') return f(a);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}

/** `f` applied row by row to `a` and `b`. */
export function map2(a: Numbers, b: Numbers, f: (x: number, y: number) => number): Numbers {
  if (typeof a === 'number') {
    if (typeof b === 'number') return f(a, b);
    const out = new Float64Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = f(a, b[i]!);
    return out;
  }
  const out = new Float64Array(a.length);
  if (typeof b === 'number') {
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b);
  } else {
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b[i]!);
  }
  return out;
}

/** Per row, `a` where `condition` is true, else `b` (also where it is missing). */
export function select(condition: Numbers, a: Numbers, b: Numbers, rowCount: number): Numbers {
  if (typeof condition === 'number') return condition === 1 ? a : b;
  const out = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    out[i] = condition[i] === 1 ? at(a, i) : at(b, i);
  }
  return out;
}

/** `a` as an array of `rowCount` values. */
export function toArray(a: Numbers, rowCount: number): Float64Array {
  return typeof a === 'number' ? new Float64Array(rowCount).fill(a) : a;
}

function at(a: Numbers, i: number): number {
  return typeof a === 'number' ? a : a[i]!;
}

const missing = Number.isNaN;

export const ARITHMETIC = {
  '+': (x: number, y: number) => x + y,
  '-': (x: number, y: number) => x - y,
  '*': (x: number, y: number) => x * y,
  // Division and remainder by zero are missing rather than ±Infinity or NaN.
  '/': (x: number, y: number) => (y === 0 ? MISSING : x / y),
  '%': (x: number, y: number) => (y === 0 ? MISSING : x % y),
} as const;

/** Comparisons with a missing side are missing. */
export const COMPARISON = {
  '=': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x === y ? 1 : 0),
  '<>': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x !== y ? 1 : 0),
  '<': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x < y ? 1 : 0),
  '<=': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x <= y ? 1 : 0),
  '>': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x > y ? 1 : 0),
  '>=': (x: number, y: number) => (missing(x) || missing(y) ? MISSING : x >= y ? 1 : 0),
} as const;

/** Kleene logic: false and missing is false, true or missing is true. */
export const LOGIC = {
  and: (x: number, y: number) => (x === 0 || y === 0 ? 0 : missing(x) || missing(y) ? MISSING : 1),
  or: (x: number, y: number) => (x === 1 || y === 1 ? 1 : missing(x) || missing(y) ? MISSING : 0),
  not: (x: number) => (missing(x) ? MISSING : 1 - x),
  isMissing: (x: number) => (missing(x) ? 1 : 0),
} as const;

export const MATH = {
  abs: Math.abs,
  log: (x: number) => (x > 0 ? Math.log(x) : MISSING),
  exp: Math.exp,
  sqrt: (x: number) => (x >= 0 ? Math.sqrt(x) : MISSING),
  floor: Math.floor,
  ceil: Math.ceil,
  // Halves away from zero, as DuckDB rounds; Math.round rounds them up.
  round: (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x)),
} as const;

/** Pairwise steps of n-ary functions; min and max skip missing values. */
export const FOLD = {
  min: (x: number, y: number) => (missing(x) ? y : missing(y) ? x : Math.min(x, y)),
  max: (x: number, y: number) => (missing(x) ? y : missing(y) ? x : Math.max(x, y)),
  coalesce: (x: number, y: number) => (missing(x) ? y : x),
} as const;
