/**
 * Decisions: the cost-optimal threshold chosen on validation and reported on
 * test, the top-k policy under a capacity (per batch, day, week, month), and
 * the errors when a capacity cannot apply.
 */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { binaryCost } from './business-cost.js';
import { calculateMetric } from './calculate.js';
import { chooseDecisionPolicy, evaluateDecision } from './decision-policy.js';
import { binarySample } from './fixtures/synthetic.js';
import { periodIds } from './periods.js';
import { topKDecisions } from './top-k-policy.js';

const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
const DAY = 86_400_000;
const utc = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('the cost-optimal threshold', () => {
  const validation = binarySample(1, 4000, 1.2);
  const test = binarySample(2, 4000, 1.2);

  it('is chosen on validation as the cheapest of all thresholds', () => {
    const policy = chooseDecisionPolicy({
      costs,
      validation: { predictions: validation.scores, labels: validation.labels },
    });
    if (policy.kind !== 'threshold') throw new Error('expected a threshold');
    expect(policy.chosenOn).toBe('validation');
    let cheapest = Number.POSITIVE_INFINITY;
    for (const t of validation.scores) {
      cheapest = Math.min(
        cheapest,
        binaryCost(validation.scores, validation.labels, costs, t).perDecision,
      );
    }
    expect(policy.validationPerDecision).toBeCloseTo(cheapest, 12);
  });

  it('is reported on test, against hindsight and the trivial policies', () => {
    const policy = chooseDecisionPolicy({
      costs,
      validation: { predictions: validation.scores, labels: validation.labels },
    });
    if (policy.kind !== 'threshold') throw new Error('expected a threshold');
    const report = evaluateDecision(policy, test.scores, test.labels, costs);
    const onTest = binaryCost(test.scores, test.labels, costs, policy.threshold);
    expect(report.test.total).toBe(onTest.total);
    expect(report.test.counts).toEqual(onTest.counts);
    expect(report.bestInHindsight!.perDecision).toBeLessThanOrEqual(report.test.perDecision);
    expect(report.test.perDecision).toBeLessThan(Math.min(report.actOnNone, report.actOnAll));
    expect(report.actOnNone).toBe(binaryCost(test.scores, test.labels, costs, 2).perDecision);
    expect(report.costCurve.length).toBeLessThanOrEqual(500);
    // the step the chosen threshold takes on test is always among the points
    expect(report.costCurve.some((p) => p.total === report.test.total)).toBe(true);
    expect(
      calculateMetric('cost_per_decision', 'binary', test.scores, test.labels, {
        costs,
        threshold: policy.threshold,
      }).value,
    ).toBe(report.test.perDecision);
  });

  it('falls back to the break-even probability of the costs without validation rows', () => {
    expect(chooseDecisionPolicy({ costs })).toEqual({
      kind: 'threshold',
      threshold: 0.25, // (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)) = 20 / 80
      chosenOn: 'break_even',
    });
  });
});

describe('the top-k policy under a capacity', () => {
  it('acts on the k highest scores of the whole batch', () => {
    const decisions = topKDecisions(Float64Array.of(0.1, 0.9, 0.5, 0.7), {
      maxPositives: 2,
      per: 'batch',
    });
    expect([...decisions]).toEqual([0, 1, 0, 1]);
    expect(chooseDecisionPolicy({ costs, capacity: { maxPositives: 2, per: 'day' } })).toEqual({
      kind: 'top_k',
      k: 2,
      per: 'day',
    });
  });

  it('acts on the k highest scores of each day', () => {
    const scores = Float64Array.of(0.9, 0.8, 0.7, 0.1, 0.2, 0.3);
    const time = Float64Array.of(0, 1000, 2000, DAY, DAY + 5, DAY + 9);
    const decisions = topKDecisions(scores, { maxPositives: 2, per: 'day' }, time);
    expect([...decisions]).toEqual([1, 1, 0, 0, 1, 1]);
  });

  it('breaks ties at the k-th score by row order', () => {
    const decisions = topKDecisions(Float64Array.of(0.5, 0.5, 0.5), {
      maxPositives: 2,
      per: 'batch',
    });
    expect([...decisions]).toEqual([1, 1, 0]);
  });

  it('is what the decision metrics see', () => {
    const report = evaluateDecision(
      { kind: 'top_k', k: 1, per: 'batch' },
      Float64Array.of(0.9, 0.8, 0.1),
      Float64Array.of(0, 1, 1),
      costs,
    );
    expect(report.test.counts).toEqual({ tp: 0, fp: 1, fn: 2, tn: 0 });
    expect(report.bestInHindsight).toBeUndefined();
  });

  it('refuses a capacity larger than the evaluated set', () => {
    const act = () => topKDecisions(Float64Array.of(0.2, 0.4), { maxPositives: 3, per: 'batch' });
    expect(act).toThrow(FlywheelError);
    expect(act).toThrow(/max_positives is 3 per batch, larger than the 2 rows/);
    expect(() =>
      calculateMetric('precision', 'binary', Float64Array.of(0.2), Float64Array.of(1), {
        capacity: { maxPositives: 5, per: 'batch' },
      }),
    ).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('needs event times to count per day, and every one of them', () => {
    expect(() => topKDecisions(Float64Array.of(0.2, 0.4), { maxPositives: 1, per: 'day' })).toThrow(
      /needs the event time/,
    );
    expect(() =>
      topKDecisions(
        Float64Array.of(0.2, 0.4),
        { maxPositives: 1, per: 'week' },
        Float64Array.of(0, Number.NaN),
      ),
    ).toThrow(/row 1 has no event time/);
  });
});

describe('periods', () => {
  it('buckets UTC days, ISO weeks from Monday, and calendar months', () => {
    const times = Float64Array.of(
      utc('2001-04-01'), // a Sunday
      utc('2001-04-01') + DAY - 1,
      utc('2001-04-02'), // the Monday after
      utc('2001-04-08'), // Sunday of that week
      utc('2001-04-30'),
      utc('2001-05-01'),
      utc('2000-02-29'), // a Tuesday
      utc('2000-03-01'), // the next day, same week, another month
    );
    expect([...periodIds(times, 'day', 8).ids]).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
    expect([...periodIds(times, 'week', 8).ids]).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect([...periodIds(times, 'month', 8).ids]).toEqual([0, 0, 0, 0, 0, 1, 2, 3]);
    expect(periodIds(times, 'batch', 8).count).toBe(1);
  });

  it('counts months correctly before 1970 and across years', () => {
    const times = Float64Array.of(
      utc('1969-12-31'),
      utc('1970-01-01'),
      utc('2023-12-31'),
      utc('2024-01-01'),
    );
    expect(periodIds(times, 'month', 4).count).toBe(4);
  });
});
