/**
 * `flywheel baseline` and `flywheel train`: load the project's data, train
 * the baselines (and, for `train`, climb the model ladder), and record every
 * model as a run in the store — parent run for the command, one child run
 * per rung with its validation metrics and its model file as an artefact.
 */
import path from 'node:path';
import type { Column, DataDescription, Frame } from '../data/index.js';
import { type LoadedDataset, rowsOf, takeRows } from '../data/index.js';
import { FlywheelError, toFlywheelError } from '../errors.js';
import {
  climbLadder,
  type FitProgress,
  type FittedModel,
  ladderRungs,
  type Rung,
  type RungRecord,
} from '../models/index.js';
import { type LoadedSpec, lintSpec, loadSpec, specError } from '../spec/index.js';
import { openStore, RunTracker, resolveStoreLocation, type Stores } from '../store/index.js';
import { type DataStage, type DataStageOptions, loadSnapshotData } from './project-data.js';

export interface TrainEvents {
  onLoadProgress?: (rows: number, total: number) => void;
  onRungStart?: (rung: Rung, index: number, total: number) => void;
  onProgress?: (rung: Rung, progress: FitProgress) => void;
  onRungDone?: (record: RungRecord) => void;
}

export interface TrainOptions extends TrainEvents, DataStageOptions {
  /** Only the baselines (prior, rules, linear). */
  readonly baselinesOnly?: boolean;
  /** Store location overriding the spec and FLYWHEEL_STORE. */
  readonly store?: string;
  readonly seed?: number;
}

export interface TrainReport {
  readonly runId: string;
  readonly kind: 'baseline' | 'train' | 'run';
  readonly spec: { readonly name: string; readonly task: string; readonly hash: string };
  readonly rows: { readonly train: number; readonly validation: number };
  readonly rungs: readonly (RungRecord & { readonly runId: string; readonly artifact: string })[];
  readonly chosen: string;
  readonly metric: string;
}

/** The target values at `rows`. */
export function takeTarget(target: Column, rows: Int32Array): Column {
  if (target.type === 'categorical')
    return { ...target, codes: Int32Array.from(rows, (r) => target.codes[r]!) };
  return { type: target.type, values: Float64Array.from(rows, (r) => target.values[r]!) };
}

function part(data: LoadedDataset, split: 'train' | 'validation' | 'test') {
  const rows = rowsOf(data, split);
  return { frame: takeRows(data.features, rows), target: takeTarget(data.target, rows) };
}

/** A loaded spec and its dataset, split into train / validation / test parts. */
export interface ProjectData {
  readonly loaded: LoadedSpec;
  readonly data: LoadedDataset;
  /** Rows, columns, missing rates and base rate per split (for the report). */
  readonly description: DataDescription;
  /** The snapshot the data was read from, and the data checks' findings. */
  readonly stage: DataStage;
  readonly train: { readonly frame: Frame; readonly target: Column };
  readonly validation: { readonly frame: Frame; readonly target: Column };
  readonly test: {
    readonly frame: Frame;
    readonly target: Column;
    readonly eventTime: Float64Array;
  };
}

/** Loads a spec and refuses one that is not falsifiable. */
export function loadCheckedSpec(target: string): LoadedSpec {
  const loaded = loadSpec(target);
  const issues = lintSpec(loaded);
  if (issues.some((i) => i.severity === 'error')) throw specError(issues, 'SPEC_NOT_FALSIFIABLE');
  return loaded;
}

export interface ProjectDataOptions extends DataStageOptions {
  readonly onLoadProgress?: (rows: number, total: number) => void;
}

/**
 * Prepares and checks the project's data, freezes it as a snapshot (or opens
 * `options.snapshot`), and loads the snapshot split into parts. Blocking data
 * findings stop here with exit 3.
 */
export async function loadProjectData(
  loaded: LoadedSpec,
  stores: Stores,
  options: ProjectDataOptions = {},
): Promise<ProjectData> {
  const { stage, data, description } = await loadSnapshotData(loaded, stores, options);
  for (const name of loaded.spec.evaluation?.slices ?? []) {
    const column = data.features.columns.get(name);
    if (column?.type !== 'categorical') {
      const categorical = data.features.schema
        .filter((f) => f.type === 'categorical')
        .map((f) => f.name);
      throw new FlywheelError(
        'SPEC_INVALID',
        `evaluation.slices: "${name}" is ${column ? `a ${column.type} feature` : 'not a feature'}; slices need a categorical feature (${categorical.join(', ') || 'none'})`,
      );
    }
  }
  const testRows = rowsOf(data, 'test');
  return {
    loaded,
    data,
    description,
    stage,
    train: part(data, 'train'),
    validation: part(data, 'validation'),
    test: {
      ...part(data, 'test'),
      eventTime: Float64Array.from(testRows, (r) => data.eventTime[r]!),
    },
  };
}

/**
 * Opens the store: `store` (a `--store` flag) wins over FLYWHEEL_STORE, which
 * wins over the spec's `store:`; the default is `.flywheel/` beside the spec,
 * or in the current folder when there is no spec.
 */
export function openProjectStore(loaded: LoadedSpec | undefined, store?: string): Promise<Stores> {
  const env = store === undefined ? process.env : { ...process.env, FLYWHEEL_STORE: store };
  const specStore = loaded?.spec.store;
  return openStore(
    resolveStoreLocation({
      specDir: loaded?.dir ?? path.resolve('.'),
      ...(specStore === undefined ? {} : { specStore }),
      env,
    }),
  );
}

export interface LadderRun {
  readonly report: TrainReport;
  readonly models: ReadonlyMap<string, FittedModel>;
}

/**
 * Climbs the ladder on loaded data and records a parent run with one child
 * run per rung (metrics, decision, model artefact). The parent run is left
 * RUNNING for the caller to finish (it may add evaluation to it).
 */
export async function trainAndRecord(
  project: ProjectData,
  tracker: RunTracker,
  options: TrainOptions & { kind: string },
): Promise<LadderRun & { parentId: string }> {
  const { loaded, data, train, validation } = project;
  const { spec } = loaded;
  const rungs = ladderRungs(spec).filter((r) => !options.baselinesOnly || r.baseline);
  const seed = options.seed ?? spec.models?.seed ?? 42;
  await tracker.reapOrphanedRuns();
  const parent = await tracker.startRun({
    kind: options.kind,
    specHash: loaded.hash,
    snapshotId: project.stage.snapshot.id,
    seed,
    params: { rungs: rungs.map((r) => r.name), minGain: spec.models?.min_gain ?? 0.01 },
    tags: { project: spec.name, task: spec.task },
  });
  try {
    const result = await climbLadder({
      spec,
      train,
      validation,
      seed,
      rungs,
      ...(data.prepared.classes ? { classes: data.prepared.classes } : {}),
      ...(options.onRungStart ? { onRungStart: options.onRungStart } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onRungDone ? { onRungDone: options.onRungDone } : {}),
    });
    const recorded: (RungRecord & { runId: string; artifact: string })[] = [];
    for (const record of result.rungs) {
      recorded.push(
        await recordRung(
          tracker,
          parent.id,
          loaded.hash,
          seed,
          options.kind,
          record,
          result.models.get(record.name),
          project.stage.snapshot.id,
        ),
      );
    }
    await tracker.setTags(parent.id, { chosen: result.chosen });
    const report: TrainReport = {
      runId: parent.id,
      kind: options.kind === 'baseline' ? 'baseline' : options.kind === 'run' ? 'run' : 'train',
      spec: { name: spec.name, task: spec.task, hash: loaded.hash },
      rows: { train: train.frame.rowCount, validation: validation.frame.rowCount },
      rungs: recorded,
      chosen: result.chosen,
      metric: `validation cost per decision (${spec.business.currency})`,
    };
    return { report, models: result.models, parentId: parent.id };
  } catch (err) {
    const error = toFlywheelError(err);
    await tracker
      .finishRun(parent.id, 'FAILED', `${error.code}: ${error.message}`.slice(0, 2000))
      .catch(() => {});
    throw err instanceof FlywheelError ? err : error;
  }
}

async function recordRung(
  tracker: RunTracker,
  parentId: string,
  specHash: string,
  seed: number,
  kind: string,
  record: RungRecord,
  model: FittedModel | undefined,
  snapshotId: string,
): Promise<RungRecord & { runId: string; artifact: string }> {
  const child = await tracker.startRun({
    kind: `${kind}.rung`,
    parentRunId: parentId,
    specHash,
    snapshotId,
    seed,
    params: { rung: record.name, kind: record.kind, ...record.params },
    tags: { decision: record.decision },
  });
  let artifact = '';
  if (model) {
    const metrics: Record<string, number> = {
      validation_cost_per_decision: record.score,
      train_seconds: record.trainSeconds,
      latency_p50_us: record.latencyP50Us,
      latency_p99_us: record.latencyP99Us,
      model_bytes: record.bytes,
    };
    if (record.auc !== undefined) metrics['validation_roc_auc'] = record.auc;
    await tracker.logMetrics(
      child.id,
      Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
    );
    const file = Buffer.from(JSON.stringify(model.toFile()));
    const ref = await tracker.logArtifact(child.id, 'model.json', file, {
      mediaType: MODEL_MEDIA_TYPE,
    });
    artifact = ref.sha256;
  }
  await tracker.setTags(child.id, { reason: record.reason.slice(0, 500) });
  await tracker.finishRun(child.id, 'FINISHED');
  return { ...record, runId: child.id, artifact };
}

export const MODEL_MEDIA_TYPE = 'application/vnd.flywheel.model+json';

/**
 * Trains a project's baselines (and the ladder) and records the runs.
 *
 * @example
 * const report = await trainProject('examples/flights', { baselinesOnly: true });
 * console.log(report.chosen);
 */
export async function trainProject(target = '.', options: TrainOptions = {}): Promise<TrainReport> {
  const loaded = loadCheckedSpec(target);
  const stores = await openProjectStore(loaded, options.store);
  try {
    const project = await loadProjectData(loaded, stores, options);
    const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts });
    const { report, parentId } = await trainAndRecord(project, tracker, {
      ...options,
      kind: options.baselinesOnly ? 'baseline' : 'train',
    });
    await tracker.finishRun(parentId, 'FINISHED');
    return report;
  } finally {
    await stores.close();
  }
}
