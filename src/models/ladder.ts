/**
 * The model ladder (step 4): baselines first (prior, the spec's rules, a
 * linear model), then rungs in order of cost (a small GBDT, a larger one).
 * Every model is scored on the validation split with the spec's business
 * cost; Flywheel climbs only while a rung beats the best so far by the
 * configured minimum gain and fits the latency budget, and it records for
 * every rung its score, its cost, and why it stopped or moved on.
 */
import { type Column, type Frame, takeRows } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { binaryCost, multiclassCost, regressionCost, rocAuc } from '../evaluate/index.js';
import { breakEvenThreshold, type Spec, type Task } from '../spec/index.js';
import type { FitProgress, FittedModel } from './estimator.js';
import { createEstimator } from './model-registry.js';

export interface Rung {
  readonly name: string;
  readonly kind: string;
  readonly params: Record<string, unknown>;
  /** Baselines are always trained and never stop the climb. */
  readonly baseline: boolean;
}

export const RUNG_NAMES = ['prior', 'rules', 'linear', 'gbdt_small', 'gbdt'] as const;

/** The rungs for a spec: its `models.ladder` names, or all of them in order. */
export function ladderRungs(spec: Spec): Rung[] {
  const names = spec.models?.ladder ?? [...RUNG_NAMES];
  const rungs: Rung[] = [];
  for (const name of names) {
    switch (name) {
      case 'prior':
        rungs.push({ name, kind: 'prior', params: {}, baseline: true });
        break;
      case 'rules':
        for (const rule of spec.baselines?.rules ?? []) {
          rungs.push({
            name: `rule:${rule.name}`,
            kind: 'rule',
            params: { expression: rule.expression, name: rule.name },
            baseline: true,
          });
        }
        break;
      case 'linear':
        rungs.push({
          name,
          kind: spec.task === 'regression' ? 'ridge' : 'logistic',
          params: {},
          baseline: true,
        });
        break;
      case 'gbdt_small':
        rungs.push({
          name,
          kind: 'gbdt',
          params: { n_estimators: 50, num_leaves: 15, learning_rate: 0.1 },
          baseline: false,
        });
        break;
      case 'gbdt':
        rungs.push({
          name,
          kind: 'gbdt',
          params: {
            n_estimators: 300,
            num_leaves: 31,
            learning_rate: 0.1,
            early_stopping_rounds: 30,
          },
          baseline: false,
        });
        break;
      default:
        throw new FlywheelError(
          'SPEC_INVALID',
          `models.ladder: unknown rung "${name}"; rungs are: ${RUNG_NAMES.join(', ')}`,
        );
    }
  }
  return rungs;
}

export interface RungRecord {
  readonly name: string;
  readonly kind: string;
  readonly params: Record<string, unknown>;
  /** Business cost per decision on validation (lower is better). */
  readonly score: number;
  /** Binary: ROC AUC on validation. */
  readonly auc?: number;
  readonly trainSeconds: number;
  readonly bytes: number;
  readonly latencyP50Us: number;
  readonly latencyP99Us: number;
  readonly decision: 'baseline' | 'moved up' | 'stopped' | 'rejected' | 'not tried';
  readonly reason: string;
}

export interface LadderResult {
  readonly rungs: readonly RungRecord[];
  /** Name of the chosen rung (the best score among accepted rungs). */
  readonly chosen: string;
  readonly models: ReadonlyMap<string, FittedModel>;
}

export interface LadderInput {
  readonly spec: Spec;
  readonly train: { readonly frame: Frame; readonly target: Column };
  readonly validation: { readonly frame: Frame; readonly target: Column };
  readonly classes?: readonly string[];
  readonly seed?: number;
  readonly rungs?: readonly Rung[];
  readonly onRungStart?: (rung: Rung, index: number, total: number) => void;
  readonly onProgress?: (rung: Rung, progress: FitProgress) => void;
  readonly onRungDone?: (record: RungRecord) => void;
}

/**
 * The spec's business cost per decision of `model` on labelled rows. Binary
 * rungs act at the break-even threshold of the costs, not at a threshold
 * tuned on these same validation rows: tuning per rung would flatter every
 * rung on the data that ranks them (evaluation tunes on validation and
 * reports on test instead).
 */
export function businessScore(
  spec: Spec,
  task: Task,
  predictions: Float64Array,
  target: Column,
  k = 1,
): number {
  const b = spec.business;
  if (task === 'binary' && target.type !== 'categorical') {
    const costs = b.costs ?? { tp: 0, fp: 1, fn: 1, tn: 0 };
    return binaryCost(predictions, target.values, costs, breakEvenThreshold(costs) ?? 0.5)
      .perDecision;
  }
  if (task === 'regression' && target.type !== 'categorical') {
    return regressionCost(
      predictions,
      target.values,
      b.under_cost_per_unit ?? 0,
      b.over_cost_per_unit ?? 0,
    ).perDecision;
  }
  if (target.type === 'categorical')
    return multiclassCost(predictions, target.codes, k, b.misclassification_cost ?? 1).perDecision;
  throw new FlywheelError('TARGET_INVALID', `cannot score a ${task} task on this target`);
}

/** Single-row prediction latency in microseconds (p50, p99) over sample rows. */
export function singleRowLatency(
  model: FittedModel,
  frame: Frame,
  samples = 200,
): { p50: number; p99: number } {
  const n = Math.min(samples, frame.rowCount);
  const rows = Array.from({ length: n }, (_, i) =>
    takeRows(frame, Int32Array.of(Math.floor((i * frame.rowCount) / n))),
  );
  for (const row of rows.slice(0, 20)) model.predict(row);
  const times: number[] = [];
  for (const row of rows) {
    const t0 = process.hrtime.bigint();
    model.predict(row);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * Trains the baselines and climbs the ladder.
 *
 * @example
 * const result = await climbLadder({ spec, train, validation, seed: 42 });
 * console.log(result.chosen, result.rungs.map((r) => [r.name, r.score, r.decision]));
 */
export async function climbLadder(input: LadderInput): Promise<LadderResult> {
  const { spec } = input;
  const task = spec.task;
  const rungs = input.rungs ?? ladderRungs(spec);
  const minGain = spec.models?.min_gain ?? 0.01;
  const budgetUs = spec.latency_budget
    ? spec.latency_budget.p99_ms * 1000
    : Number.POSITIVE_INFINITY;
  const k = task === 'multiclass' ? (input.classes?.length ?? 1) : 1;
  const records: RungRecord[] = [];
  const models = new Map<string, FittedModel>();
  let best: { name: string; score: number } | undefined;
  let climbing = true;

  for (const [index, rung] of rungs.entries()) {
    if (!climbing && !rung.baseline) {
      records.push({
        name: rung.name,
        kind: rung.kind,
        params: rung.params,
        score: Number.NaN,
        trainSeconds: 0,
        bytes: 0,
        latencyP50Us: Number.NaN,
        latencyP99Us: Number.NaN,
        decision: 'not tried',
        reason: 'the climb stopped at an earlier rung',
      });
      continue;
    }
    input.onRungStart?.(rung, index, rungs.length);
    const t0 = performance.now();
    const model = await createEstimator(rung.kind, rung.params).fit(
      input.train.frame,
      input.train.target,
      {
        task,
        seed: input.seed ?? spec.models?.seed ?? 42,
        ...(input.classes ? { classes: input.classes } : {}),
        validation: input.validation,
        onProgress: (p) => input.onProgress?.(rung, p),
      },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    const predictions = model.predict(input.validation.frame);
    const score = businessScore(spec, task, predictions, input.validation.target, k);
    const auc =
      task === 'binary' && input.validation.target.type !== 'categorical'
        ? rocAuc(predictions, input.validation.target.values)
        : undefined;
    const latency = singleRowLatency(model, input.validation.frame);
    const cost = model.cost();
    let decision: RungRecord['decision'];
    let reason: string;
    const previous = best;
    const gain =
      previous === undefined
        ? Number.POSITIVE_INFINITY
        : (previous.score - score) / Math.max(Math.abs(previous.score), 1e-12);
    if (latency.p99 > budgetUs) {
      decision = rung.baseline ? 'baseline' : 'rejected';
      reason = `p99 latency ${latency.p99.toFixed(1)} µs exceeds the budget of ${budgetUs} µs`;
      if (!rung.baseline) climbing = false;
    } else if (rung.baseline) {
      decision = 'baseline';
      reason =
        previous === undefined
          ? 'first baseline'
          : `${gain >= 0 ? 'gain' : 'loss'} of ${(100 * Math.abs(gain)).toFixed(2)}% over ${previous.name}`;
      if (score < (best?.score ?? Number.POSITIVE_INFINITY)) best = { name: rung.name, score };
    } else if (gain >= minGain) {
      decision = 'moved up';
      reason = `cost per decision ${(100 * gain).toFixed(2)}% below ${previous?.name ?? 'nothing'} (min gain ${(100 * minGain).toFixed(2)}%)`;
      best = { name: rung.name, score };
    } else {
      decision = 'stopped';
      reason = `gain ${(100 * gain).toFixed(2)}% over ${previous?.name} is below the min gain of ${(100 * minGain).toFixed(2)}%: the cheaper model has plateaued`;
      climbing = false;
    }
    const record: RungRecord = {
      name: rung.name,
      kind: rung.kind,
      params: rung.params,
      score,
      ...(auc === undefined ? {} : { auc }),
      trainSeconds,
      bytes: cost.bytes,
      latencyP50Us: latency.p50,
      latencyP99Us: latency.p99,
      decision,
      reason,
    };
    records.push(record);
    models.set(rung.name, model);
    input.onRungDone?.(record);
  }
  if (!best) throw new FlywheelError('INTERNAL', 'the ladder trained no model');
  return { rungs: records, chosen: best.name, models };
}
