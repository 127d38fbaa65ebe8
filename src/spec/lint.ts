/**
 * The falsifiability lint: a framing must be able to fail. It refuses a spec
 * with no minimum stated, no cost for errors, a metric that does not exist
 * for the task, a bound outside the metric's range or one that chance alone
 * clears, and splits that leak the future.
 */
import { breakEvenThreshold } from './decision.js';
import { checkExpressions } from './expressions.js';
import { dotted, type LoadedSpec, type SpecIssue } from './load.js';
import type { SpecPath } from './locate.js';
import { metricInfo, metricsForTask } from './metrics-catalog.js';
import type { Spec } from './schema.js';
import { didYouMean } from './suggest.js';

/**
 * Every falsifiability and consistency problem in a loaded spec.
 *
 * @example
 * const issues = lintSpec(loadSpec('.'));
 * if (issues.some((i) => i.severity === 'error')) process.exit(2);
 */
export function lintSpec(loaded: LoadedSpec): SpecIssue[] {
  const { spec, locator } = loaded;
  const issues: SpecIssue[] = [];
  const report: Report = (severity, p, message, key, kind) => {
    const pos = key === undefined ? locator.valueAt(p) : locator.keyAt(p, key);
    const field = dotted(key === undefined ? p : [...p, key]);
    issues.push({
      severity,
      file: locator.file,
      ...pos,
      field,
      message,
      ...(kind ? { kind } : {}),
    });
  };
  lintAcceptance(spec, report);
  lintCosts(spec, report);
  lintTarget(spec, report);
  lintSplit(spec, report);
  lintDataWork(spec, report);
  issues.push(...checkExpressions(loaded));
  return issues;
}

type Report = (
  severity: SpecIssue['severity'],
  p: SpecPath,
  message: string,
  key?: string,
  kind?: 'setup',
) => void;

/** Check families a `checks.acknowledge` key may name (`family.name` or `family.name:column`). */
const CHECK_FAMILIES = ['quality', 'leakage', 'features', 'governance', 'signal'];

/** Step 3: point-in-time features, governance and acknowledgements that cannot work as written. */
function lintDataWork(spec: Spec, report: Report): void {
  const setup: Report = (severity, p, message, key) => report(severity, p, message, key, 'setup');
  const events = Object.keys(spec.events ?? {});
  for (const [name, f] of Object.entries(spec.features?.point_in_time ?? {})) {
    if (!events.includes(f.events)) {
      setup(
        'error',
        ['features', 'point_in_time', name, 'events'],
        `no event table "${f.events}" under events${didYouMean(f.events, events)}${events.length === 0 ? ' (there are none)' : `; event tables: ${events.join(', ')}`}`,
      );
    }
    if (spec.event_time === undefined) {
      setup(
        'error',
        ['features', 'point_in_time', name],
        "a point-in-time feature is joined as of each row's event time, but the spec declares no event_time",
      );
    }
    if (f.inclusive) {
      setup(
        'warning',
        ['features', 'point_in_time', name, 'inclusive'],
        'inclusive: true also counts events at exactly the prediction time, which leaks when the row itself is an event; the leakage check will report it',
      );
    }
  }
  const gov = spec.governance;
  const hashed = Object.entries(gov?.pii ?? {}).filter(([, p]) => p.policy === 'hash');
  if (hashed.length > 0 && gov?.salt === undefined) {
    setup(
      'error',
      ['governance', 'pii', hashed[0]![0], 'policy'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${ENV} syntax, shown literally
      'hash needs governance.salt: a secret of at least 16 characters from an environment variable, e.g. `salt: ${FLYWHEEL_PII_SALT}`',
    );
  }
  if (gov?.retention_days !== undefined && spec.event_time === undefined) {
    setup(
      'error',
      ['governance', 'retention_days'],
      "retention counts back from each row's event time, but the spec declares no event_time",
    );
  }
  for (const key of Object.keys(spec.checks?.acknowledge ?? {})) {
    const family = key.split('.')[0] ?? '';
    if (!CHECK_FAMILIES.includes(family) || !key.includes('.')) {
      setup(
        'warning',
        ['checks', 'acknowledge'],
        `"${key}" names no check; keys are check ids such as leakage.single_feature_auc:column`,
        key,
      );
    }
  }
}

function lintAcceptance(spec: Spec, report: Report): void {
  const names = Object.keys(spec.acceptance.metrics);
  const valid = metricsForTask(spec.task);
  if (names.length === 0 && !spec.acceptance.lift_over_baseline) {
    report(
      'error',
      ['acceptance', 'metrics'],
      `no minimum stated: name at least one metric with a bound (for ${spec.task}: ${valid.join(', ')}), so the framing can fail`,
    );
  }
  for (const name of names) {
    const bound = spec.acceptance.metrics[name]!;
    const p = ['acceptance', 'metrics'];
    const info = metricInfo(name);
    if (!info) {
      report(
        'error',
        p,
        `unknown metric "${name}"${didYouMean(name, valid)}; metrics for ${spec.task}: ${valid.join(', ')}`,
        name,
      );
      continue;
    }
    if (!info.tasks.includes(spec.task)) {
      report(
        'error',
        p,
        `metric "${name}" does not exist for a ${spec.task} task; metrics for ${spec.task}: ${valid.join(', ')}`,
        name,
      );
      continue;
    }
    const [lo, hi] = info.range;
    const here = [...p, name];
    for (const side of ['min', 'max'] as const) {
      const v = bound[side];
      if (v === undefined) continue;
      if (v < lo || v > hi) {
        report(
          'error',
          [...here, side],
          `${name} ranges over [${lo}, ${hi}]; ${side} ${v} is outside it, so the bound cannot be judged`,
        );
      }
    }
    if (info.better === 'higher' && bound.min === undefined) {
      report(
        'error',
        here,
        `${name} is better when higher: set a min (a max alone is met by a useless model)`,
      );
    }
    if (info.better === 'lower' && bound.max === undefined) {
      report(
        'error',
        here,
        `${name} is better when lower: set a max (a min alone is met by a useless model)`,
      );
    }
    if (
      info.chance !== undefined &&
      info.better === 'higher' &&
      bound.min !== undefined &&
      bound.min <= info.chance
    ) {
      report(
        'error',
        [...here, 'min'],
        `a model that ranks at random scores ${info.chance} on ${name}; min ${bound.min} cannot fail`,
      );
    }
    if (name.endsWith('_at_k') && bound.k === undefined && !spec.business.capacity) {
      report('error', here, `${name} needs k: set k here or business.capacity`);
    }
  }
  const lift = spec.acceptance.lift_over_baseline;
  if (lift) {
    const info = metricInfo(lift.metric);
    if (!info?.tasks.includes(spec.task)) {
      report(
        'error',
        ['acceptance', 'lift_over_baseline', 'metric'],
        `metric "${lift.metric}" does not exist for a ${spec.task} task${didYouMean(lift.metric, valid)}; metrics for ${spec.task}: ${valid.join(', ')}`,
      );
    }
    if (lift.min < 0) {
      report(
        'error',
        ['acceptance', 'lift_over_baseline', 'min'],
        `a negative lift (${lift.min}) accepts a model worse than the best baseline`,
      );
    }
  }
}

function lintCosts(spec: Spec, report: Report): void {
  const b = spec.business;
  if (spec.task === 'binary') {
    if (!b.costs) {
      report(
        'error',
        ['business'],
        'no cost for errors: set business.costs with at least fp and fn (what a false alarm and a miss cost)',
      );
    } else if (breakEvenThreshold(b.costs) === undefined) {
      const alarm = b.costs.fp - b.costs.tn;
      const miss = b.costs.fn - b.costs.tp;
      report(
        'error',
        ['business', 'costs'],
        `the costs leave no trade-off (fp − tn = ${alarm}, fn − tp = ${miss}; both must be > 0), so one trivial policy always wins`,
      );
    }
  } else if (spec.task === 'multiclass') {
    if (!(b.misclassification_cost !== undefined && b.misclassification_cost > 0)) {
      report('error', ['business'], 'no cost for errors: set business.misclassification_cost > 0');
    }
  } else if (!((b.under_cost_per_unit ?? 0) > 0 || (b.over_cost_per_unit ?? 0) > 0)) {
    report(
      'error',
      ['business'],
      'no cost for errors: set business.under_cost_per_unit and/or over_cost_per_unit > 0',
    );
  }
  if (b.capacity && spec.task !== 'binary') {
    report(
      'error',
      ['business', 'capacity'],
      `a capacity applies to binary decisions only, not to a ${spec.task} task`,
    );
  }
  for (const key of [
    'costs',
    'misclassification_cost',
    'under_cost_per_unit',
    'over_cost_per_unit',
  ] as const) {
    const applies =
      key === 'costs'
        ? spec.task === 'binary'
        : key === 'misclassification_cost'
          ? spec.task === 'multiclass'
          : spec.task === 'regression';
    if (b[key] !== undefined && !applies) {
      report(
        'warning',
        ['business'],
        `business.${key} does not apply to a ${spec.task} task and is ignored`,
        key,
      );
    }
  }
}

function lintTarget(spec: Spec, report: Report): void {
  if (spec.task !== 'binary' && spec.target.positive !== undefined) {
    report(
      'error',
      ['target', 'positive'],
      `target.positive defines a binary target, but the task is ${spec.task}`,
    );
  }
  if (spec.task !== 'multiclass' && spec.target.classes !== undefined) {
    report(
      'error',
      ['target', 'classes'],
      `target.classes applies to a multiclass task, but the task is ${spec.task}`,
    );
  }
  const include = new Set(spec.features?.include ?? []);
  for (const [i, name] of (spec.features?.exclude ?? []).entries()) {
    if (include.has(name))
      report(
        'warning',
        ['features', 'exclude', i],
        `"${name}" is both included and excluded; it is excluded`,
      );
  }
  if (include.has(spec.target.column)) {
    report(
      'error',
      ['features', 'include'],
      `the target column "${spec.target.column}" is listed as a feature: that is leakage`,
    );
  }
}

function lintSplit(spec: Spec, report: Report): void {
  const split = spec.split;
  if (split.method === 'random') {
    if (spec.event_time !== undefined && !split.force) {
      report(
        'error',
        ['split', 'method'],
        `a random split with event_time "${spec.event_time}" trains on the future; use method: time, or set force: true to accept the leak`,
      );
    }
    return;
  }
  if (spec.event_time === undefined) {
    report(
      'error',
      ['split', 'method'],
      'a time split needs event_time: name the column that holds when each event happened',
    );
  }
  const parts = ['train', 'validation', 'test'] as const;
  if (split.train.until === undefined)
    report('error', ['split', 'train'], 'train needs an until date');
  if (split.test.from === undefined) report('error', ['split', 'test'], 'test needs a from date');
  for (const part of parts) {
    const { from, until } = split[part];
    if (from !== undefined && until !== undefined && Date.parse(from) >= Date.parse(until)) {
      report(
        'error',
        ['split', part, 'until'],
        `until ${until} is not after from ${from}, so ${part} is empty`,
      );
    }
  }
  for (let i = 0; i + 1 < parts.length; i++) {
    const earlier = split[parts[i]!];
    const later = split[parts[i + 1]!];
    const end = earlier.until;
    const start = later.from;
    if (end === undefined || start === undefined) {
      report(
        'error',
        ['split', parts[i + 1]!],
        `${parts[i]} and ${parts[i + 1]} must be bounded (${parts[i]}.until and ${parts[i + 1]}.from) so they cannot overlap`,
      );
    } else if (Date.parse(start) < Date.parse(end)) {
      report(
        'error',
        ['split', parts[i + 1]!, 'from'],
        `${parts[i + 1]} starts (${start}) before ${parts[i]} ends (${end}): the periods overlap`,
      );
    }
  }
}
