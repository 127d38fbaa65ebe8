/**
 * `flywheel run`: steps 1–5 in one command. Check the spec → load and split
 * → baselines → model ladder → evaluate on test (intervals, decision policy,
 * slices) → gate against the framing → record the run, its artefacts and the
 * verdict (a blessing or its refusal) → write the HTML report.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rowsOf, takeRows } from '../data/index.js';
import {
  evaluateModel,
  type GateVerdict,
  judgeAcceptance,
  type Labels,
  type ModelEvaluation,
  metricContextFromSpec,
  policyContext,
  type ScoredModel,
  type SliceReport,
  sliceMetrics,
} from '../evaluate/index.js';
import type { Finding } from '../findings.js';
import type { FittedModel, RungRecord } from '../models/index.js';
import { createRng, sampleIndices } from '../random.js';
import { ModelRegistry } from '../registry/index.js';
import { renderReport } from '../report/index.js';
import { smokeCheck } from '../serve/index.js';
import { breakEvenThreshold, type Spec } from '../spec/index.js';
import { RunTracker, type Stores } from '../store/index.js';
import { type BundleSources, buildBundle } from './bundle.js';
import { type LearningCurve, learningCurve } from './learning-curve.js';
import { checkLabelIssues } from './out-of-fold.js';
import { actorName, type DataStageOptions } from './project-data.js';
import { buildReportInput } from './report-input.js';
import { learningCurveFindings, noLiftFindings } from './signal.js';
import {
  loadCheckedSpec,
  loadProjectData,
  openProjectStore,
  type ProjectData,
  type TrainEvents,
  type TrainReport,
  takeTarget,
  trainAndRecord,
} from './train-project.js';

export interface RunOptions extends TrainEvents, DataStageOptions {
  readonly store?: string;
  readonly seed?: number;
  /** Where to write the report (default `<project>/reports/<run id>.html`). */
  readonly reportPath?: string;
}

export interface RunResult {
  readonly runId: string;
  readonly train: TrainReport;
  readonly verdict: GateVerdict;
  readonly evaluation: ModelEvaluation;
  readonly baselines: readonly ModelEvaluation[];
  readonly slices: readonly SliceReport[];
  readonly reportPath: string;
  readonly blessed: boolean;
  /** The model version this run registered (absent for `flywheel evaluate`). */
  readonly registered?: Registered;
  /** Step 3: the snapshot trained on, the data findings, the learning curve. */
  readonly dataChecks?: DataChecks;
}

function labelsOf(target: ProjectData['test']['target']): Labels {
  return target.type === 'categorical' ? target.codes : target.values;
}

/** The validation part of a binary evaluation (threshold choice), when there is one. */
function validationOf(project: ProjectData, model: FittedModel) {
  const v = project.validation;
  if (project.loaded.spec.task !== 'binary' || v.target.type === 'categorical') return undefined;
  return { predictions: model.predict(v.frame), labels: v.target.values };
}

/**
 * Runs steps 1–5 on a project and writes the report. The returned verdict
 * says whether the chosen model is blessed; a refusal is recorded too.
 *
 * @example
 * const result = await runProject('examples/flights');
 * if (!result.verdict.passed) process.exitCode = 4;
 */
export async function runProject(target = '.', options: RunOptions = {}): Promise<RunResult> {
  const loaded = loadCheckedSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  try {
    const project = await loadProjectData(loaded, stores, options);
    const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts });
    const signal = await checkSignal(project, options);
    options.onStage?.('training');
    const {
      report: train,
      models,
      parentId,
    } = await trainAndRecord(project, tracker, { ...options, kind: 'run' });
    try {
      const dataChecks = dataChecksOf(
        project,
        [...signal.findings, ...noLiftFindings(train.rungs)],
        signal.curve,
      );
      await tracker.logArtifact(
        parentId,
        'data-checks.json',
        Buffer.from(JSON.stringify(dataChecks, null, 2)),
        { mediaType: 'application/json' },
      );
      const evaluated = await evaluateAndRecord({
        dataChecks,
        register: true,
        project,
        stores,
        tracker,
        runId: parentId,
        rungs: train.rungs,
        chosen: train.chosen,
        models,
        options,
      });
      await tracker.finishRun(parentId, 'FINISHED');
      return { ...evaluated, train };
    } catch (err) {
      await tracker
        .finishRun(parentId, 'FAILED', String((err as Error).message).slice(0, 2000))
        .catch(() => {});
      throw err;
    }
  } finally {
    await stores.close();
  }
}

export interface EvaluateInput {
  readonly project: ProjectData;
  readonly stores: Stores;
  readonly tracker: RunTracker;
  /** The run the evaluation, verdict and report are recorded on. */
  readonly runId: string;
  readonly rungs: readonly (RungRecord & { readonly artifact: string; readonly runId?: string })[];
  readonly chosen: string;
  readonly models: ReadonlyMap<string, FittedModel>;
  readonly options: RunOptions;
  /** Step 3's snapshot, findings and learning curve, for the report. */
  readonly dataChecks?: DataChecks;
  /** Register the chosen model as a version (`flywheel run`; not when re-evaluating). */
  readonly register?: boolean;
}

/** What the run report and the `data-checks.json` artefact say about the data. */
export interface DataChecks {
  readonly snapshot: {
    readonly id: string;
    readonly rows: number;
    readonly size: number;
    readonly createdAt: string;
    readonly sources: readonly {
      name: string;
      files: readonly { path: string; sha256: string }[];
    }[];
    readonly features: readonly { name: string; version: string }[];
    readonly governance?: {
      dropped: string[];
      hashed: string[];
      counts: { total: number; kept: number; withoutConsent: number; pastRetention: number };
    };
  };
  readonly findings: readonly Finding[];
  readonly learningCurve?: LearningCurve;
}

/** Label issues are looked for on at most this many training rows (a seeded sample). */
const LABEL_CHECK_ROWS = 200_000;

/**
 * The signal checks that need models: a learning curve (what more data
 * would buy) and likely mislabelled rows (confident learning on
 * out-of-fold predictions), each switchable in `checks`.
 */
async function checkSignal(
  project: ProjectData,
  options: RunOptions,
): Promise<{ findings: Finding[]; curve?: LearningCurve }> {
  const spec = project.loaded.spec;
  const seed = options.seed ?? spec.models?.seed ?? 42;
  const findings: Finding[] = [];
  let curve: LearningCurve | undefined;
  if (spec.checks?.learning_curve !== false) {
    options.onStage?.('learning curve');
    curve = await learningCurve(project.train, project.validation, {
      spec,
      seed,
      ...(project.data.prepared.classes ? { classes: project.data.prepared.classes } : {}),
    });
    findings.push(...learningCurveFindings(curve));
  }
  if (spec.checks?.label_issues !== false && spec.task !== 'regression') {
    options.onStage?.('label issues');
    const trainRows = rowsOf(project.data, 'train');
    const sample =
      trainRows.length > LABEL_CHECK_ROWS
        ? sampleIndices(trainRows.length, LABEL_CHECK_ROWS, createRng(seed))
        : undefined;
    const part = sample
      ? {
          frame: takeRows(project.train.frame, sample),
          target: takeTarget(project.train.target, sample),
        }
      : project.train;
    const rows = sample ? Int32Array.from(sample, (i) => trainRows[i]!) : trainRows;
    const checked = await checkLabelIssues(part, {
      rows,
      threshold: spec.checks?.label_issues_max ?? 0.05,
      seed,
    });
    findings.push(...checked.findings);
  }
  return { findings, ...(curve ? { curve } : {}) };
}

function dataChecksOf(
  project: ProjectData,
  extra: readonly Finding[],
  curve: LearningCurve | undefined,
): DataChecks {
  const { snapshot, manifest } = project.stage;
  const g = manifest.lineage.governance as DataChecks['snapshot']['governance'] | undefined;
  return {
    snapshot: {
      id: snapshot.id,
      rows: snapshot.rows,
      size: snapshot.size,
      createdAt: snapshot.createdAt,
      sources: manifest.lineage.sources.map((s) => ({
        name: s.name,
        files: s.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      })),
      features: manifest.lineage.features,
      ...(g?.counts ? { governance: g } : {}),
    },
    findings: [...project.stage.findings, ...extra],
    ...(curve ? { learningCurve: curve } : {}),
  };
}

export type Evaluated = Omit<RunResult, 'train'>;

/**
 * Evaluates the chosen model on test (baselines beside it), gates it against
 * the framing, records the verdict (a blessing or its refusal) and writes
 * the report.
 */
export async function evaluateAndRecord(input: EvaluateInput): Promise<Evaluated> {
  const { project, stores, tracker, runId: parentId, options, models } = input;
  const { loaded } = project;
  const spec: Spec = loaded.spec;
  const train = { rungs: input.rungs, chosen: input.chosen };
  options.onStage?.('evaluating on test');
  const seed = options.seed ?? spec.models?.seed ?? 42;
  const bootstrap = { seed, resamples: spec.evaluation?.resamples ?? 200 };
  const context = metricContextFromSpec(spec);
  const labels = labelsOf(project.test.target);
  const task = spec.task;
  // Each model predicts the test rows once; evaluation, gate and slices share them.
  const testPredictions = new Map<string, Float64Array>();
  const predictTest = (name: string): Float64Array => {
    let p = testPredictions.get(name);
    if (!p) {
      p = models.get(name)!.predict(project.test.frame);
      testPredictions.set(name, p);
    }
    return p;
  };
  const chosen = models.get(train.chosen)!;
  const evaluate = (name: string, model: FittedModel, withIntervals: boolean): ModelEvaluation => {
    const validation = validationOf(project, model);
    return evaluateModel({
      task,
      name,
      predictions: predictTest(name),
      labels,
      context,
      eventTime: project.test.eventTime,
      ...(validation ? { validation } : {}),
      bootstrap: withIntervals ? bootstrap : false,
      curves: true,
    });
  };
  const evaluation = evaluate(train.chosen, chosen, true);
  const baselineRungs = train.rungs.filter(
    (r) => r.decision === 'baseline' && r.name !== train.chosen && models.has(r.name),
  );
  const baselineEvaluations = baselineRungs.map((r) =>
    evaluate(r.name, models.get(r.name)!, false),
  );

  options.onStage?.('gating');
  const scored = (name: string, e: ModelEvaluation): ScoredModel => ({
    name,
    predictions: predictTest(name),
    ...(e.decision ? { context: policyContext(e.decision.policy, project.test.eventTime) } : {}),
  });
  const verdict = judgeAcceptance({
    acceptance: spec.acceptance,
    task,
    labels,
    candidate: scored(train.chosen, evaluation),
    baselines: baselineRungs.map((r, i) => scored(r.name, baselineEvaluations[i]!)),
    context,
    bootstrap,
  });

  options.onStage?.('slicing');
  const sliceColumns = spec.evaluation?.slices ?? [];
  const slices =
    sliceColumns.length === 0
      ? []
      : sliceMetrics({
          task,
          predictions: predictTest(train.chosen),
          labels,
          context: {
            ...context,
            ...(evaluation.decision
              ? policyContext(evaluation.decision.policy, project.test.eventTime)
              : {}),
          },
          columns: sliceColumns,
          frame: project.test.frame,
          metrics: [
            task === 'binary' ? 'roc_auc' : task === 'regression' ? 'mae' : 'accuracy',
            'cost_per_decision',
          ],
          minSupport: spec.evaluation?.min_slice_support ?? 100,
          bootstrap: { ...bootstrap, resamples: Math.min(bootstrap.resamples, 100) },
        });

  options.onStage?.('writing the report');
  const description = project.description;
  const reportPath = path.resolve(
    options.reportPath ?? path.join(loaded.dir, 'reports', `${parentId}.html`),
  );
  const html = renderReport(
    buildReportInput({
      spec,
      runId: parentId,
      description,
      ladder: train.rungs as readonly RungRecord[],
      chosen: train.chosen,
      evaluation,
      baselines: baselineEvaluations,
      slices,
      verdict,
      breakEven: spec.business.costs ? breakEvenThreshold(spec.business.costs) : undefined,
      ...(input.dataChecks ? { dataChecks: input.dataChecks } : {}),
    }),
  );
  mkdirSync(path.dirname(reportPath), { recursive: true });
  const tmp = `${reportPath}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, reportPath);

  const verdictJson = Buffer.from(
    JSON.stringify(
      {
        verdict,
        chosen: train.chosen,
        model: train.rungs.find((r) => r.name === train.chosen)?.artifact,
      },
      null,
      2,
    ),
  );
  await tracker.logArtifact(parentId, 'verdict.json', verdictJson, {
    mediaType: 'application/json',
  });
  await tracker.logArtifact(parentId, 'report.html', Buffer.from(html), {
    mediaType: 'text/html',
  });
  const testMetrics: Record<string, number> = {};
  for (const m of evaluation.metrics)
    if (Number.isFinite(m.value)) testMetrics[`test_${m.label}`] = m.value;
  await tracker.logMetrics(parentId, testMetrics);
  const chosenRung = train.rungs.find((r) => r.name === train.chosen);
  await tracker.setTags(parentId, {
    blessed: String(verdict.passed),
    report: reportPath.slice(-400),
  });
  const registered = input.register
    ? await registerChosen({
        project,
        stores,
        rung: train.chosen,
        model: chosen,
        policy: evaluation.decision?.policy,
        verdict,
        runId: parentId,
        rungRunId: chosenRung?.runId ?? parentId,
      })
    : undefined;
  if (registered) {
    await tracker.setTags(parentId, { model_version: `${registered.name}@${registered.version}` });
  }
  await stores.metadata.audit({
    actor: process.env['USER'] ?? 'flywheel',
    action: verdict.passed ? 'bless' : 'refuse_blessing',
    objectType: 'model',
    objectId: chosenRung?.artifact ?? train.chosen,
    details: {
      runId: parentId,
      rung: train.chosen,
      criteria: verdict.criteria.map((c) => ({ name: c.name, passed: c.passed })),
    },
  });
  return {
    runId: parentId,
    verdict,
    evaluation,
    baselines: baselineEvaluations,
    slices,
    reportPath,
    blessed: verdict.passed,
    ...(registered ? { registered } : {}),
    ...(input.dataChecks ? { dataChecks: input.dataChecks } : {}),
  };
}

/** What `flywheel run` registered: the chosen model as a new immutable version. */
export interface Registered {
  readonly name: string;
  readonly version: number;
  readonly blessed: boolean;
  /** Set when this run's model became the champion (the first blessed version of its name). */
  readonly champion: boolean;
}

/**
 * Registers the chosen model as a version. The first blessed version of a
 * model also becomes its champion (after the smoke check); later ones wait
 * for `flywheel models promote` or a canary, so a run never replaces what
 * serves on its own.
 */
async function registerChosen(input: BundleSources & { stores: Stores }): Promise<Registered> {
  const registry = new ModelRegistry(input.stores);
  const actor = actorName();
  const version = await registry.register(buildBundle(input), { actor });
  let champion = false;
  if (version.blessed) {
    const deployment = await registry.deployment(version.name);
    if (deployment.champion === undefined) {
      await registry.moveAlias({
        name: version.name,
        alias: 'champion',
        version: version.version,
        actor,
        reason: 'the first blessed version of this model',
        evidence: { runId: input.runId },
        smokeCheck: async (bundle) => {
          await smokeCheck(bundle);
        },
      });
      champion = true;
    }
  }
  return { name: version.name, version: version.version, blessed: version.blessed, champion };
}
