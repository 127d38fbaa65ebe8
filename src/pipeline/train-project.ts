/**
 * `flywheel baseline` and `flywheel train`: load the project's data, train
 * the baselines (and, for `train`, climb the model ladder), and record every
 * model as a run in the store — parent run for the command, one child run
 * per rung with its validation metrics and its model file as an artefact.
 */

import type { Column } from '../data/index.js';
import {
  DuckSession,
  type LoadedDataset,
  loadDataset,
  prepareDataset,
  rowsOf,
  takeRows,
} from '../data/index.js';
import { FlywheelError, toFlywheelError } from '../errors.js';
import {
  climbLadder,
  type FitProgress,
  ladderRungs,
  type Rung,
  type RungRecord,
} from '../models/index.js';
import { lintSpec, loadSpec, specError } from '../spec/index.js';
import { openStore, RunTracker, resolveStoreLocation, type Stores } from '../store/index.js';

export interface TrainEvents {
  onLoadProgress?: (rows: number, total: number) => void;
  onRungStart?: (rung: Rung, index: number, total: number) => void;
  onProgress?: (rung: Rung, progress: FitProgress) => void;
  onRungDone?: (record: RungRecord) => void;
}

export interface TrainOptions extends TrainEvents {
  /** Only the baselines (prior, rules, linear). */
  readonly baselinesOnly?: boolean;
  /** Store location overriding the spec and FLYWHEEL_STORE. */
  readonly store?: string;
  readonly seed?: number;
}

export interface TrainReport {
  readonly runId: string;
  readonly kind: 'baseline' | 'train';
  readonly spec: { readonly name: string; readonly task: string; readonly hash: string };
  readonly rows: { readonly train: number; readonly validation: number };
  readonly rungs: readonly (RungRecord & { readonly runId: string; readonly artifact: string })[];
  readonly chosen: string;
  readonly metric: string;
}

function takeTarget(target: Column, rows: Int32Array): Column {
  if (target.type === 'categorical')
    return { ...target, codes: Int32Array.from(rows, (r) => target.codes[r]!) };
  return { type: target.type, values: Float64Array.from(rows, (r) => target.values[r]!) };
}

function part(data: LoadedDataset, split: 'train' | 'validation') {
  const rows = rowsOf(data, split);
  return { frame: takeRows(data.features, rows), target: takeTarget(data.target, rows) };
}

/**
 * Trains a project's baselines (and the ladder) and records the runs.
 *
 * @example
 * const report = await trainProject('examples/flights', { baselinesOnly: true });
 * console.log(report.chosen);
 */
export async function trainProject(target = '.', options: TrainOptions = {}): Promise<TrainReport> {
  const loaded = loadSpec(target);
  const issues = lintSpec(loaded);
  if (issues.some((i) => i.severity === 'error')) throw specError(issues, 'SPEC_NOT_FALSIFIABLE');
  const { spec } = loaded;
  const kind = options.baselinesOnly ? 'baseline' : 'train';
  const session = await DuckSession.open();
  let data: LoadedDataset;
  try {
    const prepared = await prepareDataset(session, loaded);
    data = await loadDataset(
      session,
      prepared,
      options.onLoadProgress ? { onProgress: options.onLoadProgress } : {},
    );
  } finally {
    session.close();
  }
  const train = part(data, 'train');
  const validation = part(data, 'validation');
  const rungs = ladderRungs(spec).filter((r) => !options.baselinesOnly || r.baseline);
  const seed = options.seed ?? spec.models?.seed ?? 42;

  const env =
    options.store === undefined ? process.env : { ...process.env, FLYWHEEL_STORE: options.store };
  const stores: Stores = await openStore(
    resolveStoreLocation({
      specDir: loaded.dir,
      ...(spec.store === undefined ? {} : { specStore: spec.store }),
      env,
    }),
  );
  const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts });
  try {
    await tracker.reapOrphanedRuns();
    const parent = await tracker.startRun({
      kind,
      specHash: loaded.hash,
      seed,
      params: { rungs: rungs.map((r) => r.name), minGain: spec.models?.min_gain ?? 0.01 },
      tags: { project: spec.name, task: spec.task },
    });
    const recorded: (RungRecord & { runId: string; artifact: string })[] = [];
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
      for (const record of result.rungs) {
        const model = result.models.get(record.name);
        const child = await tracker.startRun({
          kind: `${kind}.rung`,
          parentRunId: parent.id,
          specHash: loaded.hash,
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
            mediaType: 'application/vnd.flywheel.model+json',
          });
          artifact = ref.sha256;
        }
        await tracker.setTags(child.id, { reason: record.reason.slice(0, 500) });
        await tracker.finishRun(child.id, 'FINISHED');
        recorded.push({ ...record, runId: child.id, artifact });
      }
      await tracker.setTags(parent.id, { chosen: result.chosen });
      await tracker.finishRun(parent.id, 'FINISHED');
      return {
        runId: parent.id,
        kind,
        spec: { name: spec.name, task: spec.task, hash: loaded.hash },
        rows: { train: train.frame.rowCount, validation: validation.frame.rowCount },
        rungs: recorded,
        chosen: result.chosen,
        metric: `validation cost per decision (${spec.business.currency})`,
      };
    } catch (err) {
      const error = toFlywheelError(err);
      await tracker
        .finishRun(parent.id, 'FAILED', `${error.code}: ${error.message}`.slice(0, 2000))
        .catch(() => {});
      throw err instanceof FlywheelError ? err : error;
    }
  } finally {
    await stores.close();
  }
}
