import { describe, expect, it } from 'vitest';
import { createRng } from '../../random.js';
import {
  binColumn,
  fitCategoricalBins,
  fitNumericBins,
  numericBin,
  quantileBounds,
} from './binning.js';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const options = { maxBins: 255, minDataInBin: 3 };

describe('numeric binning', () => {
  it('gives each distinct value its own bin when they fit, with bounds halfway between', () => {
    const values = Float64Array.of(3, 1, 2, 2, Number.NaN, 1);
    const mapper = fitNumericBins(values, all(values.length), options, createRng(1));
    expect([...mapper.upperBounds]).toEqual([1.5, 2.5]);
    expect(mapper.numBins).toBe(4); // three values + missing
    expect(mapper.missingBin).toBe(3);
    const out = new Uint8Array(values.length);
    binColumn(mapper, { type: 'numeric', values }, all(values.length), out, 1, 0);
    expect([...out]).toEqual([2, 0, 1, 1, 3, 0]);
  });

  it('always keeps a bin for missing values, even when none were seen', () => {
    const mapper = fitNumericBins(Float64Array.of(1, 2), all(2), options, createRng(1));
    expect(mapper.missingBin).toBe(mapper.numBins - 1);
  });

  it('cuts many distinct values into equal-count quantile bins', () => {
    const n = 10_000;
    const values = Float64Array.from({ length: n }, (_, i) => i);
    const mapper = fitNumericBins(values, all(n), { maxBins: 10, minDataInBin: 3 }, createRng(1));
    expect(mapper.upperBounds.length).toBe(9);
    const counts = new Array(10).fill(0);
    for (const v of values) counts[numericBin(mapper.upperBounds, v)]++;
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThanOrEqual(2);
  });

  it('gives a value frequent enough to fill a bin a bin of its own', () => {
    const sorted = Float64Array.from([
      ...Array(500).fill(0),
      ...Array.from({ length: 500 }, (_, i) => i + 1),
    ]);
    const bounds = quantileBounds(sorted, 10);
    expect(numericBin(bounds, 0)).toBe(0);
    expect(numericBin(bounds, 1)).toBe(1);
  });

  it('never puts more than max_bins value bins', () => {
    const rng = createRng(5);
    const values = Float64Array.from({ length: 50_000 }, () => rng() ** 3);
    const mapper = fitNumericBins(values, all(values.length), options, createRng(1));
    expect(mapper.upperBounds.length).toBeLessThanOrEqual(254);
    expect(mapper.upperBounds.length).toBeGreaterThan(200);
  });
});

describe('categorical binning', () => {
  it('bins frequent categories by code, rare ones together in "other", then missing', () => {
    // code 0: 5 rows, code 1: 1 row (rare), code 2: 4 rows, code 3: never; 2 missing
    const codes = Int32Array.of(0, 0, 0, 0, 0, 1, 2, 2, 2, 2, -1, -1);
    const mapper = fitCategoricalBins(codes, 4, all(codes.length), options);
    expect(mapper.otherBin).toBe(2);
    expect(mapper.missingBin).toBe(3);
    expect([...mapper.binOfCode]).toEqual([0, 2, 1, 2]);
    const out = new Uint8Array(codes.length);
    const column = { type: 'categorical' as const, codes, dictionary: ['a', 'b', 'c', 'd'] };
    binColumn(mapper, column, all(codes.length), out, 1, 0);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 2, 1, 1, 1, 1, 3, 3]);
  });

  it('keeps the most frequent categories when there are more than the bins', () => {
    const codes = Int32Array.from({ length: 100 }, (_, i) =>
      i < 40 ? 0 : i < 70 ? 1 : i < 90 ? 2 : 3,
    );
    const mapper = fitCategoricalBins(codes, 4, all(codes.length), { maxBins: 3, minDataInBin: 1 });
    expect([...mapper.binOfCode]).toEqual([0, 1, 2, 2]);
  });
});
