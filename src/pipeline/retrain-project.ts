/**
 * `flywheel retrain`: step 8 closes the loop. The policy (`feedback.retrain`)
 * says when: after N new labels, on a firing alert, on a schedule, or by
 * hand. A retrain checks the labels first (a positive rate far from the
 * champion's, or a flood of conflicts, holds it with an alert), joins the
 * labelled predictions of its window into a new snapshot version, runs steps
 * 1–5 on it (`flywheel run --snapshot`), gates the blessed challenger against
 * the champion on the most recent labelled predictions (a paired bootstrap
 * of the business cost per decision, both scored through the serving path),
 * and hands a challenger that wins to the canary controller of step 6,
 * which promotes or rolls it back.
 */

import { FlywheelError } from '../errors.js';
import { pairedBootstrap } from '../evaluate/index.js';
import { durationSeconds } from '../features/index.js';
import { applyOutcome } from '../monitor/index.js';
import { type ModelBundle, ModelRegistry } from '../registry/index.js';
import { createScorer } from '../serve/index.js';
import { feedbackSettings, type LoadedSpec, type Spec } from '../spec/index.js';
import type { LabelledPrediction, Stores } from '../store/index.js';
import { buildFeedbackSnapshot } from './feedback-snapshot.js';
import { actorName } from './project-data.js';
import { runProject } from './run-project.js';
import { loadCheckedSpec, openProjectStore } from './train-project.js';

export type RetrainOutcome =
  /** Not due under the policy (only with `ifDue`). */
  | 'not_due'
  /** Held before training: label quality, too few labels, or a canary still running. */
  | 'held'
  /** The challenger failed the framing's acceptance (not blessed). */
  | 'not_blessed'
  /** Blessed, but not better than the champion on the recent labels. */
  | 'refused'
  /** Blessed and better: started as a canary. */
  | 'canary';

export interface GateResult {
  readonly rows: number;
  readonly championCost: number;
  readonly challengerCost: number;
  /** Challenger − champion, cost per decision, with its paired bootstrap interval. */
  readonly difference: {
    readonly estimate: number;
    readonly lower: number;
    readonly upper: number;
  };
  /** Share of paired resamples in which the challenger's cost is lower. */
  readonly probabilityBetter: number;
  readonly minProbability: number;
  readonly passed: boolean;
  readonly champion: string;
  readonly challenger: string;
}

export interface RetrainResult {
  readonly model: string;
  /** Why this retrain ran: `manual`, `labels`, `schedule` or `alert:<rule>`. */
  readonly trigger: string;
  readonly asOf: string;
  readonly outcome: RetrainOutcome;
  readonly reason: string;
  readonly labelQuality?: LabelQuality;
  readonly snapshot?: {
    readonly id: string;
    readonly rows: number;
    readonly feedbackRows: number;
    readonly baseRows: number;
    readonly created: boolean;
    readonly excluded: { withoutConsent: number; pastRetention: number; unscorable: number };
  };
  readonly run?: {
    readonly runId: string;
    readonly version: number | null;
    readonly blessed: boolean;
    readonly reportPath: string;
  };
  readonly gate?: GateResult;
  readonly canary?: { readonly version: number; readonly weight: number };
}

export interface LabelQuality {
  readonly labels: number;
  readonly positiveRate: number | null;
  readonly expectedRate: number | null;
  readonly conflicts: number;
  readonly conflictRate: number | null;
  readonly passed: boolean;
  readonly problems: readonly string[];
}

export interface RetrainOptions {
  readonly store?: string;
  /** The retrain's "now" (default: the current time); a replay passes its clock. */
  readonly now?: Date;
  /** Only retrain when the policy says it is due (otherwise: by hand, now). */
  readonly ifDue?: boolean;
  readonly seed?: number;
  readonly actor?: string;
  readonly onStage?: (stage: string) => void;
  /** Where the challenger's run report goes. */
  readonly reportPath?: string;
}

const ms = (text: string, where: string) => durationSeconds(text, where) * 1000;
/** Fewer holdout rows than this and the gate cannot judge. */
const MIN_GATE_ROWS = 100;

/**
 * When the last retrain that got as far as training happened (on the
 * retrain's clock), else when the model first served. A held retrain
 * does not count: it is tried again when next due.
 */
async function lastRetrainAt(stores: Stores, name: string): Promise<Date | undefined> {
  // Held retrains are audited as `model.retrain.held`: the newest `model.retrain` is the last that trained.
  const [last] = await stores.metadata.listAudit({
    action: 'model.retrain',
    objectType: 'model',
    objectId: name,
    limit: 1,
  });
  const asOf = (last?.details as { asOf?: string } | undefined)?.asOf;
  if (asOf !== undefined) return new Date(asOf);
  // Never retrained: count from the model's first served prediction.
  const versions = (await new ModelRegistry(stores).listVersions(name)).map(
    (v) => `${name}@${v.version}`,
  );
  const [first] = await stores.metadata.listPredictions({ modelVersions: versions, limit: 1 });
  return first === undefined ? undefined : new Date(first.at);
}

/**
 * Why a retrain is due now under the spec's policy, or undefined.
 *
 * @example
 * const trigger = await retrainTrigger(stores, spec, new Date()); // 'labels' | 'schedule' | 'alert:…'
 */
export async function retrainTrigger(
  stores: Stores,
  spec: Spec,
  now: Date,
  model = spec.name,
): Promise<string | undefined> {
  const policy = feedbackSettings(spec).retrain;
  if ((await stores.metadata.findCanary(model)) !== undefined) return undefined;
  const last = (await lastRetrainAt(stores, model)) ?? new Date(0);
  if (
    policy.cooldown !== undefined &&
    now.getTime() - last.getTime() < ms(policy.cooldown, 'feedback.retrain.cooldown')
  ) {
    return undefined;
  }
  if (policy.on_alerts.length > 0) {
    const firing = await stores.metadata.listAlerts({ model, state: 'firing', limit: 1000 });
    // The earliest alert that fired since the last retrain (ties by rule and subject).
    const hit = firing
      .filter((a) => policy.on_alerts.includes(a.rule) && Date.parse(a.firstAt) > last.getTime())
      .sort(
        (a, b) =>
          a.firstAt.localeCompare(b.firstAt) ||
          a.rule.localeCompare(b.rule) ||
          a.subject.localeCompare(b.subject),
      )[0];
    if (hit !== undefined) return `alert:${hit.rule}${hit.subject ? `:${hit.subject}` : ''}`;
  }
  if (policy.after_labels !== undefined) {
    // Labels received since the last retrain (on the labels' clock), for any version's predictions.
    const versions = (await new ModelRegistry(stores).listVersions(model)).map(
      (v) => `${model}@${v.version}`,
    );
    const counts = await stores.metadata.feedbackCounts({
      modelVersions: versions,
      since: last,
      until: new Date(now.getTime() + 1), // received by now, inclusive
    });
    if (counts.labels >= policy.after_labels) return 'labels';
  }
  if (
    policy.every !== undefined &&
    now.getTime() - last.getTime() >= ms(policy.every, 'feedback.retrain.every')
  ) {
    return 'schedule';
  }
  return undefined;
}

/**
 * The labels of the window, checked before a retrain uses them: their
 * positive rate against the champion's test rate, and the share of
 * conflicting labels.
 */
export async function checkLabelQuality(
  stores: Stores,
  spec: Spec,
  labelled: readonly LabelledPrediction[],
  expectedRate: number | null,
): Promise<LabelQuality> {
  const settings = feedbackSettings(spec).label_quality;
  const n = labelled.length;
  const positives = labelled.reduce((s, l) => s + (l.label > 0 ? 1 : 0), 0);
  const positiveRate = spec.task === 'binary' && n > 0 ? positives / n : null;
  const ids = new Set(labelled.map((l) => l.id));
  const issues = await stores.metadata.listFeedbackIssues({ kind: 'conflict', limit: 10_000 });
  const conflicts = issues.filter((i) => ids.has(i.predictionId)).length;
  const conflictRate = n > 0 ? conflicts / n : null;
  const problems: string[] = [];
  if (n >= settings.min_labels) {
    if (positiveRate !== null && expectedRate !== null && expectedRate > 0) {
      const shift = Math.abs(positiveRate - expectedRate) / expectedRate;
      if (shift > settings.max_rate_shift) {
        problems.push(
          `the labels' positive rate ${(positiveRate * 100).toFixed(1)}% is ${(shift * 100).toFixed(0)}% away from the champion's ${(expectedRate * 100).toFixed(1)}% (limit ${(settings.max_rate_shift * 100).toFixed(0)}%)`,
        );
      }
    }
    if (conflictRate !== null && conflictRate > settings.max_conflict_rate) {
      problems.push(
        `${conflicts} of ${n} labels (${(conflictRate * 100).toFixed(1)}%) had a conflicting second label (limit ${(settings.max_conflict_rate * 100).toFixed(1)}%)`,
      );
    }
  }
  return {
    labels: n,
    positiveRate,
    expectedRate,
    conflicts,
    conflictRate,
    passed: problems.length === 0,
    problems,
  };
}

/** Scores the holdout's served inputs with a bundle, as the server would. */
function scoreServed(bundle: ModelBundle, rows: readonly LabelledPrediction[]): Float64Array {
  const scored = createScorer(bundle).score(rows.map((r) => r.inputs));
  if (!scored.ok) {
    const first = scored.errors[0];
    throw new FlywheelError(
      'DATA_UNREADABLE',
      `${bundle.name} cannot score the logged inputs of the gate's rows${first ? `: row ${first.row}, ${first.field}: ${first.message}` : ''}`,
    );
  }
  return Float64Array.from(scored.rows, (r) => r.score);
}

/**
 * The gate: challenger against champion on the same recent labelled
 * predictions, each with its own threshold, a paired bootstrap of the cost
 * per decision.
 */
export function gateChallenger(
  spec: Spec,
  champion: ModelBundle & { readonly ref: string },
  challenger: ModelBundle & { readonly ref: string },
  rows: readonly LabelledPrediction[],
  options: { seed?: number } = {},
): GateResult {
  const policy = feedbackSettings(spec).retrain;
  const labels = Float64Array.from(rows, (r) => r.label);
  const thresholdOf = (b: ModelBundle) =>
    b.decision.kind === 'threshold' ? b.decision.threshold : 0.5;
  const comparison = pairedBootstrap(
    'cost_per_decision',
    'binary',
    {
      name: challenger.ref,
      predictions: scoreServed(challenger, rows),
      context: { threshold: thresholdOf(challenger) },
    },
    {
      name: champion.ref,
      predictions: scoreServed(champion, rows),
      context: { threshold: thresholdOf(champion) },
    },
    labels,
    { ...(spec.business.costs ? { costs: spec.business.costs } : {}) },
    {
      seed: options.seed ?? spec.models?.seed ?? 42,
      resamples: spec.evaluation?.resamples ?? 200,
      confidence: spec.acceptance.confidence ?? 0.95,
    },
  );
  const probabilityBetter = comparison.probabilityABetter;
  const estimate = comparison.estimateA - comparison.estimateB;
  return {
    rows: rows.length,
    championCost: comparison.estimateB,
    challengerCost: comparison.estimateA,
    difference: {
      estimate,
      lower: comparison.difference.lower,
      upper: comparison.difference.upper,
    },
    probabilityBetter,
    minProbability: policy.min_probability,
    passed: estimate < 0 && probabilityBetter >= policy.min_probability,
    champion: champion.ref,
    challenger: challenger.ref,
  };
}

/**
 * Retrains a project's model from its feedback, under the spec's policy.
 *
 * @example
 * const result = await retrainProject('examples/flights', { ifDue: true });
 * if (result.outcome === 'canary') console.log(`canary ${result.canary?.version}`);
 */
export async function retrainProject(
  target = '.',
  options: RetrainOptions = {},
): Promise<RetrainResult> {
  const loaded = loadCheckedSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  try {
    return await retrainWithStores(loaded, stores, target, options);
  } finally {
    await stores.close();
  }
}

export async function retrainWithStores(
  loaded: LoadedSpec,
  stores: Stores,
  target: string,
  options: RetrainOptions,
): Promise<RetrainResult> {
  const { spec } = loaded;
  if (spec.task !== 'binary') {
    throw new FlywheelError(
      'USAGE',
      `retraining from feedback supports binary models; "${spec.name}" is ${spec.task}`,
    );
  }
  const name = spec.name;
  const now = options.now ?? new Date();
  const actor = options.actor ?? actorName();
  const stage = options.onStage ?? (() => {});
  const policy = feedbackSettings(spec).retrain;
  const registry = new ModelRegistry(stores, { now: () => now });
  const base = { model: name, asOf: now.toISOString() };

  let trigger = 'manual';
  if (options.ifDue) {
    stage('checking the retraining policy');
    const due = await retrainTrigger(stores, spec, now, name);
    if (due === undefined) {
      return {
        ...base,
        trigger: 'none',
        outcome: 'not_due',
        reason: 'the policy says no retrain is due',
      };
    }
    trigger = due;
  }
  const finish = async (result: RetrainResult): Promise<RetrainResult> => {
    await stores.metadata.audit({
      actor,
      action: result.outcome === 'held' ? 'model.retrain.held' : 'model.retrain',
      objectType: 'model',
      objectId: name,
      details: {
        asOf: result.asOf,
        trigger: result.trigger,
        outcome: result.outcome,
        reason: result.reason,
        ...(result.snapshot ? { snapshot: result.snapshot.id } : {}),
        ...(result.run ? { runId: result.run.runId, version: result.run.version } : {}),
        ...(result.gate ? { gate: result.gate } : {}),
      },
    });
    return result;
  };

  const deployment = await registry.deployment(name);
  if (deployment.champion === undefined) {
    throw new FlywheelError('USAGE', `model "${name}" has no champion to retrain against`, {
      hint: 'run `flywheel run` first; its first blessed model becomes the champion',
    });
  }
  if (deployment.canary !== undefined) {
    return finish({
      ...base,
      trigger,
      outcome: 'held',
      reason: `${name}@${deployment.canary.version.version} is still a canary; a retrain waits for its promotion or rollback`,
    });
  }
  const champion = await registry.loadBundle(deployment.champion);
  const championRef = `${name}@${deployment.champion.version}`;

  stage('checking label quality');
  const windowMs = ms(policy.window, 'feedback.retrain.window');
  const versions = (await registry.listVersions(name)).map((v) => `${name}@${v.version}`);
  const windowLabels = await stores.metadata.listLabelled({
    modelVersions: versions,
    since: new Date(now.getTime() - windowMs),
    until: now,
  });
  const quality = await checkLabelQuality(
    stores,
    spec,
    windowLabels,
    champion.referenceScores?.baseRate ?? null,
  );
  await applyOutcome(
    stores.metadata,
    name,
    {
      firing: quality.passed
        ? []
        : [
            {
              rule: 'label_quality',
              subject: '',
              severity: 'ticket',
              message: `retraining held: ${quality.problems.join('; ')}`,
              evidence: { ...quality },
            },
          ],
      judged: new Set(['label_quality']),
    },
    [],
    { now },
  );
  if (!quality.passed) {
    return finish({
      ...base,
      trigger,
      outcome: 'held',
      reason: `label quality: ${quality.problems.join('; ')}`,
      labelQuality: quality,
    });
  }
  if (windowLabels.length < policy.min_labels) {
    return finish({
      ...base,
      trigger,
      outcome: 'held',
      reason: `${windowLabels.length} labelled predictions in the window; a retrain needs ${policy.min_labels} (feedback.retrain.min_labels)`,
      labelQuality: quality,
    });
  }

  stage('joining labels to served features');
  const joined = await buildFeedbackSnapshot(loaded, stores, {
    model: name,
    now,
    windowMs,
    holdoutMs: ms(policy.holdout, 'feedback.retrain.holdout'),
    validationMs: ms(policy.validation, 'feedback.retrain.validation'),
    actor,
  });
  const snapshot = {
    id: joined.snapshot.id,
    rows: joined.snapshot.rows,
    feedbackRows: joined.feedbackRows,
    baseRows: joined.baseRows,
    created: joined.created,
    excluded: joined.excluded,
  };
  const tooSmall = joined.splits.find((s) => s.rows === 0);
  if (tooSmall !== undefined || joined.holdout.length < MIN_GATE_ROWS) {
    return finish({
      ...base,
      trigger,
      outcome: 'held',
      reason:
        tooSmall !== undefined
          ? `the joined snapshot has no ${tooSmall.split} rows; widen feedback.retrain.window or wait for labels`
          : `${joined.holdout.length} labelled predictions in the holdout; the gate needs ${MIN_GATE_ROWS}`,
      labelQuality: quality,
      snapshot,
    });
  }

  stage('training the challenger');
  const run = await runProject(target, {
    snapshot: joined.snapshot.id,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.reportPath === undefined ? {} : { reportPath: options.reportPath }),
    actor,
    onStage: (s) => stage(`challenger: ${s}`),
  });
  const version = run.registered?.version ?? null;
  const runSummary = {
    runId: run.runId,
    version,
    blessed: run.blessed,
    reportPath: run.reportPath,
  };
  if (!run.blessed || version === null) {
    const failed = run.verdict.criteria.filter((c) => !c.passed).map((c) => c.name);
    return finish({
      ...base,
      trigger,
      outcome: 'not_blessed',
      reason: `the challenger failed the framing's acceptance (${failed.join(', ') || 'not blessed'})`,
      labelQuality: quality,
      snapshot,
      run: runSummary,
    });
  }

  stage('gating against the champion');
  const challengerVersion = await registry.getVersion(name, version);
  const challenger = await registry.loadBundle(challengerVersion);
  const gate = gateChallenger(
    spec,
    { ...champion, ref: championRef },
    { ...challenger, ref: `${name}@${version}` },
    joined.holdout,
    options.seed === undefined ? {} : { seed: options.seed },
  );
  if (!gate.passed) {
    return finish({
      ...base,
      trigger,
      outcome: 'refused',
      reason: `the challenger is not better than the champion on the ${gate.rows} most recent labelled predictions: cost per decision ${gate.challengerCost.toFixed(3)} vs ${gate.championCost.toFixed(3)}, better in ${(gate.probabilityBetter * 100).toFixed(0)}% of resamples (needs ${(gate.minProbability * 100).toFixed(0)}%)`,
      labelQuality: quality,
      snapshot,
      run: runSummary,
      gate,
    });
  }

  stage('starting the canary');
  const weight = policy.canary_weight ?? spec.deploy?.canary?.weight ?? 20;
  await registry.startCanary({
    name,
    version,
    weight,
    shadow: false,
    actor,
    reason: `retrain (${trigger}): cost per decision ${gate.challengerCost.toFixed(3)} vs the champion's ${gate.championCost.toFixed(3)} on ${gate.rows} recent labelled predictions`,
    evidence: { gate, snapshot: joined.snapshot.id, runId: run.runId },
  });
  return finish({
    ...base,
    trigger,
    outcome: 'canary',
    reason: `${name}@${version} beat ${championRef} on the recent labels and runs as a canary on ${weight}% of traffic`,
    labelQuality: quality,
    snapshot,
    run: runSummary,
    gate,
    canary: { version, weight },
  });
}
