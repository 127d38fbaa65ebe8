import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { VALID_SPEC } from '../../test/fixtures/spec-text.js';
import { breakEvenThreshold, trivialPolicyCosts } from './decision.js';
import { lintSpec } from './lint.js';
import { parseSpec } from './load.js';

const lint = (text: string) => lintSpec(parseSpec(text, 'flywheel.yaml', {}));
const errors = (text: string) => lint(text).filter((i) => i.severity === 'error');

describe('falsifiability lint', () => {
  it('passes the valid spec', () => {
    expect(errors(VALID_SPEC)).toEqual([]);
  });

  it('refuses a framing with no minimum stated', () => {
    const text = VALID_SPEC.replace('    roc_auc: { min: 0.7 }\n', '').replace(
      '  metrics:\n',
      '  metrics: {}\n',
    );
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('no minimum stated');
  });

  it('refuses a framing with no cost for errors', () => {
    const found = errors(VALID_SPEC.replace('  costs: { tp: 5, fp: 5, fn: 50, tn: 0 }\n', ''));
    expect(found[0]!.message).toContain('no cost for errors');
  });

  it('refuses costs that leave no trade-off', () => {
    const found = errors(VALID_SPEC.replace('fp: 5,', 'fp: 0,'));
    expect(found[0]).toMatchObject({ field: 'business.costs', line: 24 });
    expect(found[0]!.message).toContain('no trade-off');
  });

  it('refuses a metric that does not exist for the task, with a suggestion', () => {
    const rmse = errors(VALID_SPEC.replace('roc_auc: { min: 0.7 }', 'rmse: { max: 3 }'));
    expect(rmse[0]!.message).toContain('does not exist for a binary task');
    const typo = errors(VALID_SPEC.replace('roc_auc: { min: 0.7 }', 'roc_acu: { min: 0.7 }'));
    expect(typo[0]).toMatchObject({ field: 'acceptance.metrics.roc_acu', line: 28, column: 5 });
    expect(typo[0]!.message).toContain('did you mean "roc_auc"');
  });

  it('refuses a bound outside the range, on the wrong side, or met by chance', () => {
    expect(errors(VALID_SPEC.replace('min: 0.7', 'min: 1.2'))[0]!.message).toContain('outside');
    expect(errors(VALID_SPEC.replace('min: 0.7', 'max: 0.9'))[0]!.message).toContain('set a min');
    expect(errors(VALID_SPEC.replace('min: 0.7', 'min: 0.5'))[0]!.message).toContain('cannot fail');
    const logLoss = errors(VALID_SPEC.replace('roc_auc: { min: 0.7 }', 'log_loss: { min: 0.1 }'));
    expect(logLoss[0]!.message).toContain('set a max');
  });

  it('refuses a random split when an event time exists, unless forced', () => {
    const random = VALID_SPEC.replace(/split:\n(.*\n){4}/, 'split:\n  method: random\n');
    expect(errors(random)[0]!.message).toContain('trains on the future');
    expect(errors(random.replace('method: random', 'method: random\n  force: true'))).toEqual([]);
  });

  it('refuses overlapping or empty time windows', () => {
    const overlap = errors(
      VALID_SPEC.replace('validation: { from: 2024-01-01', 'validation: { from: 2023-12-01'),
    );
    expect(overlap[0]!.message).toContain('overlap');
    const empty = errors(VALID_SPEC.replace('until: 2024-02-01 }', 'until: 2023-12-01 }'));
    expect(empty.some((i) => i.message.includes('is empty'))).toBe(true);
  });

  it('refuses the target listed as a feature', () => {
    const found = errors(
      VALID_SPEC.replace('exclude: [customer_id]', 'include: [churned, tenure]'),
    );
    expect(found[0]!.message).toContain('leakage');
  });

  it('points an expression syntax error at its column in the file', () => {
    const found = errors(VALID_SPEC.replace("positive: churned = 'yes'", 'positive: churned >'));
    expect(found[0]!.field).toBe('target.positive');
    expect(found[0]!.line).toBe(6);
    expect(found[0]!.column).toBeGreaterThan(13);
  });

  it('requires regression and multiclass costs', () => {
    const reg = VALID_SPEC.replace('task: binary', 'task: regression')
      .replace("  positive: churned = 'yes'\n", '')
      .replace('roc_auc: { min: 0.7 }', 'mae: { max: 3 }');
    expect(
      errors(reg)
        .map((i) => i.message)
        .join('\n'),
    ).toContain('under_cost_per_unit');
    const ok = reg.replace(
      '  costs: { tp: 5, fp: 5, fn: 50, tn: 0 }\n',
      '  under_cost_per_unit: 2\n',
    );
    expect(errors(ok)).toEqual([]);
  });
});

describe('decision arithmetic', () => {
  it('gives C_FP / (C_FP + C_FN) when correct decisions are free', () => {
    expect(breakEvenThreshold({ tp: 0, fp: 1, fn: 4, tn: 0 })).toBeCloseTo(0.2, 12);
  });

  it('generalises to TP and TN values', () => {
    // act: 0.25*20 + 0.75*20 = 20 vs wait: 0.25*80 = 20 → indifferent at p = 0.25
    expect(breakEvenThreshold({ tp: 20, fp: 20, fn: 80, tn: 0 })).toBeCloseTo(0.25, 12);
    // a gain on TP (negative cost) lowers the threshold
    expect(breakEvenThreshold({ tp: -10, fp: 5, fn: 0, tn: 0 })).toBeCloseTo(5 / 15, 12);
  });

  it('is undefined when one policy always wins', () => {
    expect(breakEvenThreshold({ tp: 0, fp: 0, fn: 10, tn: 0 })).toBeUndefined();
    expect(breakEvenThreshold({ tp: 10, fp: 5, fn: 5, tn: 0 })).toBeUndefined();
  });

  it('costs the trivial policies', () => {
    const c = trivialPolicyCosts(100, 20, { tp: 20, fp: 20, fn: 80, tn: 0 });
    expect(c.baseRate).toBe(0.2);
    expect(c.alwaysNegative.total).toBe(1600);
    expect(c.alwaysPositive.perDecision).toBe(20);
  });
});

describe('lint: step 3 data work', () => {
  const validObject = () => parse(VALID_SPEC) as Record<string, unknown>;
  const pit = {
    features: {
      point_in_time: {
        recent: { events: 'departure', key: 'city', aggregate: 'count', window: '2h' },
      },
    },
    events: { departures: { source: 'customers', key: 'city', time: 'signup' } },
  };

  it('refuses a point-in-time feature over an event table that does not exist', () => {
    const issues = lintSpec(parseSpec(stringify({ ...validObject(), ...pit }), 'f.yaml', {}));
    const issue = issues.find((i) => i.field === 'features.point_in_time.recent.events');
    expect(issue?.severity).toBe('error');
    expect(issue?.message).toContain('did you mean "departures"');
  });

  it('refuses hash without a salt, and retention without an event time', () => {
    const spec = validObject();
    delete (spec as Record<string, unknown>)['event_time'];
    const issues = lintSpec(
      parseSpec(
        stringify({
          ...spec,
          split: { method: 'random' },
          governance: { pii: { city: { policy: 'hash' } }, retention_days: 30 },
          features: { exclude: ['customer_id'] },
        }),
        'f.yaml',
        {},
      ),
    );
    expect(issues.find((i) => i.field === 'governance.pii.city.policy')?.severity).toBe('error');
    expect(issues.find((i) => i.field === 'governance.retention_days')?.severity).toBe('error');
  });

  it('warns about an acknowledgement that names no check', () => {
    const issues = lintSpec(
      parseSpec(
        stringify({ ...validObject(), checks: { acknowledge: { 'leak:city': 'because' } } }),
        'f.yaml',
        {},
      ),
    );
    expect(issues.find((i) => i.field === 'checks.acknowledge.leak:city')?.severity).toBe(
      'warning',
    );
  });
});
