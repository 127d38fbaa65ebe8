/**
 * Vectorised kernels over categorical values: dictionary codes (-1 missing),
 * or one category (or null) for every row. Strings are compared through the
 * dictionaries, once per distinct value, never once per row.
 */

import type { Numbers } from './numbers.js';

export interface CategoryCodes {
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

/** One category per row, or one category (null: missing) for every row. */
export type Categories = CategoryCodes | string | null;

/**
 * Per row, 1 where `a` and `b` hold the same category, 0 where they differ,
 * NaN where either is missing. A literal absent from a dictionary matches no row.
 */
export function categoriesEqual(a: Categories, b: Categories, rowCount: number): Numbers {
  if (a === null || b === null) return Number.NaN;
  if (typeof a === 'string') return typeof b === 'string' ? Number(a === b) : equalsLiteral(b, a);
  if (typeof b === 'string') return equalsLiteral(a, b);
  const shared = shareDictionary([a, b]);
  const [left, right] = shared.lookups as [Int32Array, Int32Array];
  const out = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const x = a.codes[i]!;
    const y = b.codes[i]!;
    out[i] = x < 0 || y < 0 ? Number.NaN : left[x] === right[y] ? 1 : 0;
  }
  return out;
}

/** The literal is looked up once per dictionary entry, not once per row. */
function equalsLiteral(a: CategoryCodes, literal: string): Float64Array {
  const out = new Float64Array(a.codes.length);
  if (a.codes.length < a.dictionary.length) {
    // Fewer rows than categories (single-row serving): compare per row.
    for (let i = 0; i < out.length; i++) {
      const code = a.codes[i]!;
      out[i] = code < 0 ? Number.NaN : a.dictionary[code] === literal ? 1 : 0;
    }
    return out;
  }
  const matches = new Uint8Array(a.dictionary.length);
  for (let c = 0; c < matches.length; c++) matches[c] = a.dictionary[c] === literal ? 1 : 0;
  for (let i = 0; i < out.length; i++) {
    const code = a.codes[i]!;
    out[i] = code < 0 ? Number.NaN : matches[code]!;
  }
  return out;
}

/** Per row, 1 where `a` is missing, else 0. */
export function categoriesMissing(a: Categories): Numbers {
  if (a === null) return 1;
  if (typeof a === 'string') return 0;
  const out = new Float64Array(a.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = a.codes[i]! < 0 ? 1 : 0;
  return out;
}

/** Per row, the first of `values` that is not missing. */
export function coalesceCategories(values: readonly Categories[], rowCount: number): Categories {
  if (values.every((v) => typeof v !== 'object' || v === null)) {
    return values.find((v) => v !== null) ?? null;
  }
  const shared = shareDictionary(values);
  const codes = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    let code = -1;
    for (let v = 0; v < values.length && code < 0; v++) code = shared.codeAt(v, i);
    codes[i] = code;
  }
  return { codes, dictionary: shared.dictionary };
}

/** Per row, `a` where `condition` is true, else `b` (also where it is missing). */
export function selectCategories(
  condition: Numbers,
  a: Categories,
  b: Categories,
  rowCount: number,
): Categories {
  if (typeof condition === 'number') return condition === 1 ? a : b;
  const shared = shareDictionary([a, b]);
  const codes = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    codes[i] = shared.codeAt(condition[i] === 1 ? 0 : 1, i);
  }
  return { codes, dictionary: shared.dictionary };
}

/** `a` as codes over `rowCount` rows. */
export function toCodes(a: Categories, rowCount: number): CategoryCodes {
  if (a === null) return { codes: new Int32Array(rowCount).fill(-1), dictionary: [] };
  if (typeof a === 'string') return { codes: new Int32Array(rowCount), dictionary: [a] };
  return a;
}

interface SharedDictionary {
  readonly dictionary: string[];
  /** Per value, its own codes mapped to shared ones (one entry for a literal). */
  readonly lookups: readonly Int32Array[];
  /** The code of `values[value]` at `row` in the shared dictionary, -1 if missing. */
  codeAt(value: number, row: number): number;
}

/**
 * Re-codes several categorical values into one dictionary: a lookup table per
 * value maps its own codes to shared ones (a dictionary listing a string
 * twice maps both codes to one).
 */
function shareDictionary(values: readonly Categories[]): SharedDictionary {
  const dictionary: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = dictionary.length;
      ids.set(s, id);
      dictionary.push(s);
    }
    return id;
  };
  const lookups = values.map((v) =>
    v === null
      ? new Int32Array(0)
      : Int32Array.from(typeof v === 'string' ? [v] : v.dictionary, idOf),
  );
  const codeAt = (value: number, row: number): number => {
    const v = values[value]!;
    if (v === null) return -1;
    if (typeof v === 'string') return lookups[value]![0]!;
    const code = v.codes[row]!;
    return code < 0 ? -1 : lookups[value]![code]!;
  };
  return { dictionary, lookups, codeAt };
}
