/**
 * The drift statistics against reference values. Unless a comment says
 * "by hand", each was computed with scipy 1.17.1 / numpy 2.4.6, e.g.
 * `scipy.stats.chi2.sf(3.84, 1)`; the samples `A` and `B` are
 * `np.round(np.random.default_rng(7).normal(0, 1, 40), 3)` and then
 * `np.round(rng.normal(0.5, 1.5, 30), 3)` from the same generator.
 */
import { describe, expect, it } from 'vitest';
import {
  chiSquareHomogeneity,
  chiSquareSf,
  compareDistributions,
  jensenShannon,
  kolmogorovSf,
  ksBinned,
  ksSamples,
  logGamma,
  PSI_EPSILON,
  psi,
  regularizedGammaP,
  regularizedGammaQ,
  wassersteinBinned,
  wassersteinSamples,
} from './drift.js';

const A = [
  0.001, 0.299, -0.274, -0.891, -0.455, -0.992, 0.06, 1.34, -0.492, -0.62, 0.49, 0.357, 0.105,
  -0.93, -0.029, 0.695, -1.344, -0.458, -1.901, -1.29, -1.842, -0.235, -1.267, 0.271, 0.157, -0.187,
  -2.517, -0.539, -0.049, 0.113, -1.53, -0.478, -0.979, -0.809, 1.061, -0.808, -0.033, 0.884,
  -0.584, -0.112,
];
const B = [
  0.666, 0.596, -1.338, 0.614, 2.538, -1.821, 1.789, 0.679, -0.462, 3.501, 1.643, -1.299, 0.612,
  1.365, 0.217, 1.524, 0.4, 1.501, 2.658, -0.513, 0.805, -0.195, 0.691, -1.281, -0.369, 0.206,
  1.848, 2.218, -1.485, -0.692,
];

describe('special functions', () => {
  it('ln Γ matches scipy.special.gammaln', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247, 12);
    expect(logGamma(10.3)).toBeCloseTo(13.482036786138359, 11);
    expect(logGamma(1e-3)).toBeCloseTo(6.907178885383853, 11);
    expect(logGamma(171.5)).toBeCloseTo(709.1431630309283, 9);
  });

  it('the regularised incomplete gamma functions match scipy.special.gammainc(c)', () => {
    expect(regularizedGammaQ(0.5, 0.1)).toBeCloseTo(0.6547208460185768, 12);
    expect(regularizedGammaP(3.5, 2.0)).toBeCloseTo(0.22022259152428406, 12);
    expect(regularizedGammaQ(10, 15)).toBeCloseTo(0.06985366069940986, 12);
    expect(regularizedGammaP(100, 90)).toBeCloseTo(0.15822098918643007, 11);
    expect(regularizedGammaQ(2, 0)).toBe(1);
    expect(regularizedGammaQ(2, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('the chi-square survival function matches scipy.stats.chi2.sf', () => {
    expect(chiSquareSf(3.84, 1)).toBeCloseTo(0.05004352124870519, 12);
    expect(chiSquareSf(10, 3)).toBeCloseTo(0.01856613546304325, 12);
    expect(chiSquareSf(0.5, 7)).toBeCloseTo(0.9994464813904249, 12);
    expect(chiSquareSf(100, 50)).toBeCloseTo(3.454931382984871e-5, 14);
    expect(chiSquareSf(1e-3, 2)).toBeCloseTo(0.9995001249791693, 12);
    expect(chiSquareSf(2000, 1900)).toBeCloseTo(0.054206673889018606, 10);
  });

  it('the Kolmogorov survival function matches scipy.special.kolmogorov', () => {
    const cases: [number, number][] = [
      [0.2, 0.999999999999495],
      [0.5, 0.9639452436648751],
      [1.0, 0.26999967167735456],
      [1.36, 0.049485876755377876],
      [1.63, 0.009846364888486529],
      [2.5, 7.453306344157342e-6],
    ];
    for (const [x, sf] of cases) expect(kolmogorovSf(x)).toBeCloseTo(sf, 12);
    expect(kolmogorovSf(0)).toBe(1);
  });
});

describe('distances on binned counts', () => {
  it('PSI is Σ (p − q)·ln(p/q)', () => {
    // By hand: 0.1·ln(0.5/0.4) + 0.1·ln(0.6/0.5).
    expect(psi([50, 50], [40, 60])).toBeCloseTo(0.04054651081081643, 14);
    expect(psi([7, 3], [70, 30])).toBeCloseTo(0, 14);
  });

  it('PSI replaces an empty share by the epsilon, without renormalising', () => {
    // numpy: p, q = [.25,.25,.5,0], [.2,.3,.4,.1]; zeros → 1e-4; Σ (p−q)·ln(p/q).
    expect(PSI_EPSILON).toBe(1e-4);
    expect(psi([25, 25, 50, 0], [20, 30, 40, 10])).toBeCloseTo(0.7326723629071448, 12);
    expect(psi([1, 0], [1, 0])).toBe(0);
  });

  it('Jensen–Shannon distance matches scipy jensenshannon(p, q, base=2)', () => {
    expect(jensenShannon([10, 20, 30, 40], [40, 30, 20, 10])).toBeCloseTo(0.3918681606471551, 12);
    expect(jensenShannon([1, 2, 3], [3, 2, 1.5])).toBeCloseTo(0.2982272728735327, 12);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
    expect(jensenShannon([3, 1], [30, 10])).toBe(0);
  });

  it('binned Wasserstein matches scipy wasserstein_distance with bin weights', () => {
    // wasserstein_distance([1,2,3], [1,2,3], [300,500,200], [100,500,400])
    expect(wassersteinBinned([300, 500, 200], [100, 500, 400], [1, 2, 3])).toBeCloseTo(0.4, 14);
    expect(wassersteinBinned([1, 0], [0, 1], [0, 5])).toBe(5);
  });

  it('rejects counts over different bins', () => {
    expect(() => psi([1, 2], [1, 2, 3])).toThrow(/different bins \(2 and 3\)/);
  });
});

describe('tests on samples', () => {
  it('Wasserstein between samples matches scipy.stats.wasserstein_distance', () => {
    expect(wassersteinSamples(A, B)).toBeCloseTo(0.9497833333333334, 12);
    expect(wassersteinSamples([1, 1, 2, 3, 3, 3], [1, 2, 2, 2, 4])).toBeCloseTo(
      0.6333333333333333,
      12,
    );
    expect(wassersteinSamples([0, 1, 3], [5, 6, 8])).toBe(5);
  });

  it('KS matches ks_2samp statistic and kolmogorov(√(nm/(n+m))·D)', () => {
    const r = ksSamples(A, B);
    expect(r.statistic).toBeCloseTo(0.475, 14);
    expect(r.pValue).toBeCloseTo(0.000873880337552489, 12);
    expect(ksSamples([1, 1, 2, 3, 3, 3], [1, 2, 2, 2, 4]).statistic).toBeCloseTo(0.3, 14);
    expect(ksSamples([1, 2, 3, 4], [5, 6, 7, 8]).statistic).toBe(1);
    expect(ksSamples([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('binned KS equals sample KS when every value has its own bin', () => {
    // The tie example above, counted on the values 1, 2, 3, 4.
    const binned = ksBinned([2, 1, 3, 0], [1, 3, 0, 1]);
    const samples = ksSamples([1, 1, 2, 3, 3, 3], [1, 2, 2, 2, 4]);
    expect(binned.statistic).toBeCloseTo(samples.statistic, 14);
    expect(binned.pValue).toBeCloseTo(samples.pValue, 14);
  });
});

describe('chi-square test of homogeneity', () => {
  it('matches chi2_contingency(table, correction=False)', () => {
    const r = chiSquareHomogeneity([120, 80, 0, 50], [100, 110, 5, 35]);
    expect(r.statistic).toBeCloseTo(14.202082746974387, 11);
    expect(r.df).toBe(3);
    expect(r.pValue).toBeCloseTo(0.002642597790069103, 12);
    const two = chiSquareHomogeneity([10, 20], [20, 10]);
    expect(two.statistic).toBeCloseTo(6.666666666666667, 12);
    expect(two.pValue).toBeCloseTo(0.009823274507519235, 12);
  });

  it('drops bins empty on both sides and has nothing to test with one bin', () => {
    expect(chiSquareHomogeneity([10, 0, 20], [20, 0, 10]).df).toBe(1);
    expect(chiSquareHomogeneity([10, 0], [20, 0])).toEqual({ statistic: 0, df: 0, pValue: 1 });
  });
});

describe('compareDistributions', () => {
  const points = [1, 2, 3, 4];

  it('uses normed Wasserstein above small_sample rows for numerics', () => {
    const reference = { counts: [1000, 1000, 1000, 1000], points, std: 1.118 };
    const same = compareDistributions(reference, { counts: [500, 500, 500, 500] }, 'numeric');
    expect(same).toMatchObject({ method: 'wasserstein', statistic: 0, drifted: false });
    const shifted = compareDistributions(reference, { counts: [0, 1000, 1000, 2000] }, 'numeric');
    // By hand: |¼ − 0|·1 + |½ − ¼|·1 + |¾ − ½|·1 = 0.75, over std 1.118.
    expect(shifted.method).toBe('wasserstein');
    expect(shifted.statistic).toBeCloseTo(0.75 / 1.118, 12);
    expect(shifted).toMatchObject({ threshold: 0.1, drifted: true, referenceRows: 4000 });
    expect(shifted.psi).toBeCloseTo(psi(reference.counts, [0, 1000, 1000, 2000]), 14);
    expect(shifted.psiDrifted).toBe(true);
  });

  it('uses KS at or below small_sample rows for numerics, drifting below p_value', () => {
    const reference = { counts: [100, 100, 100, 100], points, std: 1.118 };
    const r = compareDistributions(reference, { counts: [40, 40, 40, 280] }, 'numeric');
    expect(r.method).toBe('ks');
    expect(r.pValue).toBeLessThan(0.05);
    expect(r).toMatchObject({ threshold: 0.05, drifted: true });
    const quiet = compareDistributions(reference, { counts: [26, 24, 25, 25] }, 'numeric');
    expect(quiet).toMatchObject({ method: 'ks', drifted: false });
  });

  it('uses Jensen–Shannon above and chi-square below small_sample for categoricals', () => {
    const large = compareDistributions(
      { counts: [700, 400] },
      { counts: [300, 800] },
      'categorical',
    );
    expect(large.method).toBe('jensen_shannon');
    expect(large.statistic).toBeCloseTo(jensenShannon([700, 400], [300, 800]), 14);
    expect(large.drifted).toBe(true);
    const small = compareDistributions({ counts: [10, 20] }, { counts: [20, 10] }, 'categorical');
    expect(small).toMatchObject({ method: 'chi_square', drifted: true, threshold: 0.05 });
    expect(small.pValue).toBeCloseTo(0.009823274507519235, 12);
  });

  it('takes the spec thresholds and floors the reference std as Evidently does', () => {
    const reference = { counts: [2000, 2000], points: [0, 1e-6], std: 0 };
    const r = compareDistributions(reference, { counts: [0, 2000] }, 'numeric', {
      wasserstein: 0.6,
    });
    // By hand: W = ½ · 1e-6, over the 0.001 floor = 0.0005.
    expect(r.statistic).toBeCloseTo(0.0005, 14);
    expect(r).toMatchObject({ threshold: 0.6, drifted: false });
    expect(() => compareDistributions({ counts: [1, 2] }, { counts: [2, 1] }, 'numeric')).toThrow(
      /bin points/,
    );
  });
});
