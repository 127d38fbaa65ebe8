/**
 * `flywheel evaluate [--model REF]`: evaluates a model already in the store
 * on the project's test split, beside the baselines trained with it, gates
 * it, records the verdict on a new `evaluate` run and writes the report.
 * REF is a run id: a rung run (that model), or a train/run run (its chosen
 * model); without REF, the chosen model of the latest finished train or run.
 */
import { FlywheelError } from '../errors.js';
import { type FittedModel, loadModel, type RungRecord } from '../models/index.js';
import { type Run, RunTracker, type Stores } from '../store/index.js';
import { evaluateAndRecord, type RunOptions, type RunResult } from './run-project.js';
import {
  loadCheckedSpec,
  loadProjectData,
  openProjectStore,
  type TrainReport,
} from './train-project.js';

export interface EvaluateOptions extends RunOptions {
  /** Run id of the model (a rung run) or of a train/run run. */
  readonly model?: string;
}

async function latestTraining(tracker: RunTracker): Promise<Run> {
  const candidates = [
    ...(await tracker.listRuns({ kind: 'run', status: 'FINISHED', limit: 1 })),
    ...(await tracker.listRuns({ kind: 'train', status: 'FINISHED', limit: 1 })),
  ].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const latest = candidates[0];
  if (!latest) {
    throw new FlywheelError('NOT_FOUND', 'no finished train or run in the store to evaluate', {
      hint: 'Run `flywheel train` or `flywheel run` first, or pass --model RUN_ID.',
    });
  }
  return latest;
}

async function loadRung(
  stores: Stores,
  tracker: RunTracker,
  run: Run,
): Promise<{ record: RungRecord & { artifact: string }; model: FittedModel }> {
  const artifact = (await tracker.listArtifacts(run.id)).find((a) => a.name === 'model.json');
  if (!artifact) throw new FlywheelError('NOT_FOUND', `run ${run.id} has no model.json artefact`);
  const model = loadModel(
    JSON.parse(Buffer.from(await stores.artifacts.get(artifact.sha256)).toString('utf8')),
  );
  const metrics = new Map((await tracker.listMetrics(run.id)).map((m) => [m.key, m.value]));
  const { rung, kind, ...params } = run.params as { rung: string; kind: string } & Record<
    string,
    unknown
  >;
  const auc = metrics.get('validation_roc_auc');
  return {
    model,
    record: {
      name: rung,
      kind,
      params,
      score: metrics.get('validation_cost_per_decision') ?? Number.NaN,
      ...(auc === undefined ? {} : { auc }),
      trainSeconds: metrics.get('train_seconds') ?? Number.NaN,
      bytes: metrics.get('model_bytes') ?? 0,
      latencyP50Us: metrics.get('latency_p50_us') ?? Number.NaN,
      latencyP99Us: metrics.get('latency_p99_us') ?? Number.NaN,
      decision: (run.tags['decision'] as RungRecord['decision']) ?? 'baseline',
      reason: run.tags['reason'] ?? '',
      artifact: artifact.sha256,
    },
  };
}

/**
 * Evaluates a stored model on the project's test split.
 *
 * @example
 * const result = await evaluateProject('examples/flights', { model: runId });
 */
export async function evaluateProject(
  target = '.',
  options: EvaluateOptions = {},
): Promise<RunResult> {
  const loaded = loadCheckedSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  try {
    const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts });
    const ref =
      options.model === undefined
        ? await latestTraining(tracker)
        : await tracker.getRun(options.model);
    const isRung = ref.kind.endsWith('.rung');
    const parent = isRung
      ? ref.parentRunId
        ? await tracker.getRun(ref.parentRunId)
        : undefined
      : ref;
    // The model is scored on the rows it was trained and tested with: the
    // run's snapshot, unless the caller names another.
    const snapshot = options.snapshot ?? ref.snapshotId ?? parent?.snapshotId ?? undefined;
    const project = await loadProjectData(loaded, stores, {
      ...options,
      ...(snapshot ? { snapshot } : {}),
    });
    const siblings = parent
      ? await tracker.listRuns({ parentRunId: parent.id, limit: 1000 })
      : [ref];
    const chosenName = isRung ? String(ref.params['rung']) : parent?.tags['chosen'];
    if (!chosenName) throw new FlywheelError('NOT_FOUND', `run ${ref.id} names no chosen model`);
    options.onStage?.('loading models');
    const models = new Map<string, FittedModel>();
    const rungs: (RungRecord & { artifact: string })[] = [];
    for (const run of siblings.sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
      if (!run.kind.endsWith('.rung')) continue;
      const name = String(run.params['rung']);
      if (name !== chosenName && run.tags['decision'] !== 'baseline') continue;
      const { record, model } = await loadRung(stores, tracker, run);
      models.set(name, model);
      rungs.push(record);
    }
    if (!models.has(chosenName))
      throw new FlywheelError(
        'NOT_FOUND',
        `the model "${chosenName}" of run ${ref.id} is not in the store`,
      );
    if (project.loaded.hash !== (parent ?? ref).specHash) {
      options.onStage?.('note: the spec changed since this model was trained');
    }
    const evaluation = await tracker.startRun({
      kind: 'evaluate',
      ...(parent ? { parentRunId: parent.id } : {}),
      specHash: project.loaded.hash,
      params: { model: chosenName, ref: ref.id },
      tags: { project: project.loaded.spec.name },
    });
    try {
      const evaluated = await evaluateAndRecord({
        project,
        stores,
        tracker,
        runId: evaluation.id,
        rungs,
        chosen: chosenName,
        models,
        options,
      });
      await tracker.finishRun(evaluation.id, 'FINISHED');
      const train: TrainReport = {
        runId: parent?.id ?? ref.id,
        kind: 'train',
        spec: {
          name: project.loaded.spec.name,
          task: project.loaded.spec.task,
          hash: project.loaded.hash,
        },
        rows: {
          train: project.train.frame.rowCount,
          validation: project.validation.frame.rowCount,
        },
        rungs: rungs.map((r) => ({ ...r, runId: '' })),
        chosen: chosenName,
        metric: `validation cost per decision (${project.loaded.spec.business.currency})`,
      };
      return { ...evaluated, train };
    } catch (err) {
      await tracker
        .finishRun(evaluation.id, 'FAILED', String((err as Error).message).slice(0, 2000))
        .catch(() => {});
      throw err;
    }
  } finally {
    await stores.close();
  }
}
