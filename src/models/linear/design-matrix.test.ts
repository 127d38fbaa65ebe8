import { describe, expect, it } from 'vitest';
import { type Column, makeFrame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import { alignFrame, schemaOf } from '../align.js';
import { toDense } from './compact-matrix.js';
import { buildDesign, fitDesign, parseDesignSpec, rareThreshold } from './design-matrix.js';

const num = (values: number[]): Column => ({ type: 'numeric', values: Float64Array.from(values) });
const cat = (codes: number[], dictionary: string[]): Column => ({
  type: 'categorical',
  codes: Int32Array.from(codes),
  dictionary,
});
const frameOf = (columns: Record<string, Column>) => makeFrame(new Map(Object.entries(columns)));

/** Dense rows of a design, as arrays (for readable expectations). */
function rowsOf(X: ReturnType<typeof buildDesign>): number[][] {
  const dense = toDense(X);
  return Array.from({ length: X.rows }, (_, i) => [
    ...dense.subarray(i * X.cols, (i + 1) * X.cols),
  ]);
}

describe('design matrix: numerics', () => {
  const train = frameOf({
    x: num([1, 2, 3, 4, Number.NaN]),
    k: num([7, 7, Number.NaN, 7, 7]),
    c: num([5, 5, 5, 5, 5]),
    z: num([0, 10, 20, 30, 40]),
  });
  const schema = schemaOf(train);
  const spec = fitDesign(alignFrame(train, schema), schema);

  it('standardises, adds indicators only where training had missing values, drops constants', () => {
    expect(spec.names).toEqual(['x', 'z', 'x[missing]', 'k[missing]']);
    expect(spec.denseCols).toBe(2); // indicators live in the sparse block
    const sd = Math.sqrt(1.25);
    const X = buildDesign(spec, alignFrame(train, schema));
    expect(X.activeCols).toBe(2);
    const rows = rowsOf(X);
    expect(rows[0]![0]).toBeCloseTo(-1.5 / sd, 14);
    expect(rows[3]![0]).toBeCloseTo(1.5 / sd, 14);
    // The missing x is imputed with the training mean (0 standardised) and flagged.
    expect([rows[4]![0], rows[4]![2]]).toEqual([0, 1]);
    expect(rows.map((r) => r[2])).toEqual([0, 0, 0, 0, 1]);
    expect(rows.map((r) => r[3])).toEqual([0, 0, 1, 0, 0]);
    expect(rows.reduce((sum, r) => sum + r[1]!, 0)).toBeCloseTo(0, 12);
  });

  it('treats ±Infinity as missing, and imputes missing values of a feature complete in training', () => {
    const test = frameOf({
      x: num([Number.POSITIVE_INFINITY]),
      k: num([7]),
      c: num([99]),
      z: num([Number.NaN]),
    });
    expect(rowsOf(buildDesign(spec, alignFrame(test, schema)))).toEqual([[0, 0, 1, 0]]);
  });
});

describe('design matrix: categoricals', () => {
  // a: 12 rows, b: 15, c: 3, d: 0, e: 1, missing: 2
  const codes = [...Array(12).fill(0), ...Array(15).fill(1), 2, 2, 2, 4, -1, -1];
  const train = frameOf({ city: cat(codes, ['a', 'b', 'c', 'd', 'e']) });
  const schema = schemaOf(train);
  const spec = fitDesign(alignFrame(train, schema), schema, { minFrequency: 10 });

  it('one-hot encodes frequent levels and buckets rare ones', () => {
    expect(spec.names).toEqual(['city=a', 'city=b', 'city[rare]', 'city[missing]']);
    expect(spec.denseCols).toBe(0);
    const rows = rowsOf(buildDesign(spec, alignFrame(train, schema)));
    expect(rows[0]).toEqual([1, 0, 0, 0]);
    expect(rows[12]).toEqual([0, 1, 0, 0]);
    expect(rows[27]).toEqual([0, 0, 1, 0]); // c is rare
    expect(rows[30]).toEqual([0, 0, 1, 0]); // e is rare
    expect(rows[31]).toEqual([0, 0, 0, 1]); // missing
  });

  it('sends unseen categories and levels absent from training to the rare column', () => {
    // A serving-time dictionary in another order, with a category never seen in training.
    const test = frameOf({ city: cat([0, 1, 2, 3, -1], ['b', 'zurich', 'a', 'd']) });
    expect(rowsOf(buildDesign(spec, alignFrame(test, schema)))).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  it('encodes unseen and missing values as all zeros when training had no rare level or missing value', () => {
    const clean = frameOf({ city: cat([0, 1, 0, 1], ['a', 'b']) });
    const s = schemaOf(clean);
    const cleanSpec = fitDesign(alignFrame(clean, s), s, { minFrequency: 1 });
    expect(cleanSpec.names).toEqual(['city=a', 'city=b']);
    const test = frameOf({ city: cat([0, -1, 1], ['x', 'a']) });
    expect(rowsOf(buildDesign(cleanSpec, alignFrame(test, s)))).toEqual([
      [0, 0],
      [0, 0],
      [1, 0],
    ]);
  });

  it('puts the dense block before the one-hot columns', () => {
    const mixed = frameOf({
      city: cat([0, 0, 1, 1], ['a', 'b']),
      x: num([1, 2, 3, 4]),
    });
    const s = schemaOf(mixed);
    const mixedSpec = fitDesign(alignFrame(mixed, s), s, { minFrequency: 1 });
    expect(mixedSpec.names).toEqual(['x', 'city=a', 'city=b']);
    const X = buildDesign(mixedSpec, alignFrame(mixed, s), 1, 3);
    expect(X.rows).toBe(2);
    expect([...X.active]).toEqual([1, 2]);
  });
});

describe('design matrix: options and files', () => {
  it('defaults the rare threshold to max(10 rows, 0.1% of rows)', () => {
    expect(rareThreshold(100, undefined)).toBe(10);
    expect(rareThreshold(1_000_000, undefined)).toBe(1000);
    expect(rareThreshold(200, 0.05)).toBe(10);
    expect(rareThreshold(200, 3)).toBe(3);
  });

  it('survives JSON and rejects a corrupt spec', () => {
    const train = frameOf({ x: num([1, 2, Number.NaN]), city: cat([0, 1, 1], ['a', 'b']) });
    const s = schemaOf(train);
    const spec = fitDesign(alignFrame(train, s), s);
    expect(parseDesignSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(() => parseDesignSpec({ ...spec, version: 2 })).toThrow(FlywheelError);
  });
});
