import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../../errors.js';
import { calibratorFromJSON, fitCalibrator } from './calibrator.js';
import { PlattCalibrator } from './platt.js';

const scores = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3];
const labels = [0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1];

describe('Platt scaling', () => {
  it('matches scikit-learn 1.2.1 _sigmoid_calibration (A = −0.711780, B = 0.205023)', () => {
    const platt = PlattCalibrator.fit(scores, labels);
    // sklearn's BFGS stops at gtol 1e-5, hence the tolerance.
    expect(platt.a).toBeCloseTo(0.7117801601350767, 4);
    expect(platt.b).toBeCloseTo(-0.20502278101996574, 4);
  });

  it('solves the smoothed-target likelihood equations', () => {
    const platt = PlattCalibrator.fit(scores, labels);
    const p = platt.apply(scores);
    const hi = (6 + 1) / (6 + 2);
    const lo = 1 / (7 + 2);
    let g0 = 0;
    let g1 = 0;
    labels.forEach((y, i) => {
      const r = (y === 1 ? hi : lo) - p[i]!;
      g0 += r;
      g1 += r * scores[i]!;
    });
    expect(Math.abs(g0)).toBeLessThan(1e-9);
    expect(Math.abs(g1)).toBeLessThan(1e-9);
  });

  it('stays monotone and strictly inside (0, 1) on separable data', () => {
    const s = [-2, -1.5, -1, -0.2, 0.3, 1, 1.2, 2.5];
    const y = [0, 0, 0, 0, 1, 1, 1, 1];
    const platt = PlattCalibrator.fit(s, y);
    expect(platt.a).toBeGreaterThan(0);
    expect(Number.isFinite(platt.a) && Number.isFinite(platt.b)).toBe(true);
    const grid = Array.from({ length: 41 }, (_, i) => -4 + 0.2 * i);
    const p = platt.apply(grid);
    for (let i = 0; i < p.length; i++) {
      expect(p[i]! > 0 && p[i]! < 1).toBe(true);
      if (i > 0) expect(p[i]!).toBeGreaterThan(p[i - 1]!);
    }
    // Smoothing keeps the training points off 0 and 1: the extremes stay near t₋ and t₊.
    const ends = platt.apply([-2, 2.5]);
    expect(ends[0]).toBeGreaterThan(0.01);
    expect(ends[1]).toBeLessThan(0.99);
  });

  it('takes probabilities as input, and survives JSON', () => {
    const probabilities = scores.map((s) => 1 / (1 + Math.exp(-s)));
    const fromP = PlattCalibrator.fit(probabilities, labels, { input: 'probability' });
    const fromS = PlattCalibrator.fit(scores, labels);
    expect(fromP.a).toBeCloseTo(fromS.a, 10);
    const back = calibratorFromJSON(JSON.parse(JSON.stringify(fromP)));
    expect([...back.apply(probabilities)]).toEqual([...fromP.apply(probabilities)]);
    expect(back.method).toBe('platt');
  });

  it('skips unlabelled rows and refuses a single class', () => {
    const a = PlattCalibrator.fit([...scores, 9], [...labels, Number.NaN]);
    const b = PlattCalibrator.fit(scores, labels);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(() => PlattCalibrator.fit([1, 2], [0, 0])).toThrow(/no positives/);
  });
});

describe('calibrators by name', () => {
  it('lists the valid methods for an unknown one', () => {
    expect(() => fitCalibrator('isotonik', scores, labels)).toThrow(/did you mean "isotonic"/);
    expect(() => calibratorFromJSON({ method: 'beta' })).toThrow(FlywheelError);
    expect(fitCalibrator('isotonic', scores, labels).method).toBe('isotonic');
  });
});
