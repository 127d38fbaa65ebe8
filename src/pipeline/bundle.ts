/**
 * Builds the model bundle of a run's chosen model: the model file, what a
 * request must carry (the raw inputs, with the categories seen in training),
 * the derived features to compute from them, the decision policy, the costs,
 * the reference profile and the lineage. The registry stores it as one
 * immutable document; the server and batch scoring read nothing else.
 */
import { type ColumnType, takeRows } from '../data/index.js';
import type { DecisionPolicy, GateVerdict } from '../evaluate/index.js';
import { onlineDefinitions } from '../features/index.js';
import type { FittedModel } from '../models/index.js';
import { permutationImportance, projectMonitorSettings, scoreReference } from '../monitor/index.js';
import { BUNDLE_FORMAT, type BundleInput, type ModelBundle } from '../registry/index.js';
import { breakEvenThreshold, parseExpression, referencedColumns } from '../spec/index.js';
import type { ProjectData } from './train-project.js';

export interface BundleSources {
  readonly project: ProjectData;
  readonly rung: string;
  readonly model: FittedModel;
  readonly policy: DecisionPolicy | undefined;
  readonly verdict: GateVerdict;
  readonly runId: string;
  readonly rungRunId: string;
}

/** Test rows in a bundle, for the smoke check's train/serve comparison. */
const SAMPLE_ROWS = 8;

/**
 * A few evenly spaced test rows rebuilt as JSON requests, with the trained
 * model's scores. Only possible when every input is a feature column or the
 * event time (the snapshot keeps nothing else); undefined otherwise.
 */
function sampleRequests(
  s: BundleSources,
  inputs: readonly BundleInput[],
): ModelBundle['samples'] | undefined {
  const { frame, eventTime } = s.project.test;
  const spec = s.project.loaded.spec;
  const n = frame.rowCount;
  if (n === 0 || s.project.loaded.spec.task === 'multiclass') return undefined;
  const count = Math.min(SAMPLE_ROWS, n);
  const rows = Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
  const requests: Record<string, unknown>[] = Array.from({ length: count }, () => ({}));
  for (const input of inputs) {
    const column = frame.columns.get(input.name);
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      let value: unknown;
      if (column?.type === 'categorical') {
        const code = column.codes[r]!;
        value = code < 0 ? null : column.dictionary[code];
      } else if (column) {
        const v = column.values[r]!;
        value = Number.isNaN(v)
          ? null
          : column.type === 'timestamp'
            ? new Date(v).toISOString()
            : v;
      } else if (input.name === spec.event_time) {
        const v = eventTime[r]!;
        value = Number.isNaN(v) ? null : new Date(v).toISOString();
      } else {
        return undefined;
      }
      requests[i]![input.name] = value;
    }
  }
  const scores = s.model.predict(takeRows(frame, rows));
  return { rows: requests, scores: Array.from(scores) };
}

/**
 * What monitoring compares live traffic with: the test scores' distribution
 * and rates (binary), and each feature's permutation importance (binary and
 * regression), measured on the test rows.
 */
function monitoringReference(
  s: BundleSources,
  decision: ModelBundle['decision'],
): Pick<ModelBundle, 'referenceScores' | 'importance'> {
  const task = s.project.loaded.spec.task;
  const { frame, target } = s.project.test;
  if (frame.rowCount === 0 || task === 'multiclass' || target.type !== 'numeric') return {};
  const labels = target.values;
  const importance = permutationImportance(s.model, frame, labels, task);
  if (task !== 'binary') return { importance };
  const scores = s.model.predict(frame);
  const threshold = decision.kind === 'none' ? 0.5 : decision.threshold;
  const decisions = Array.from(scores, (p) => p >= threshold);
  return { importance, referenceScores: scoreReference(scores, decisions, labels) };
}

/**
 * The bundle for a run's chosen model.
 *
 * @example
 * const bundle = buildBundle({ project, rung: 'gbdt', model, policy, verdict, runId, rungRunId });
 * await new ModelRegistry(stores).register(bundle, { actor: 'ann' });
 */
export function buildBundle(s: BundleSources): ModelBundle {
  const { spec } = s.project.loaded;
  const prepared = s.project.data.prepared;
  const frame = s.project.data.features;
  const inputTypes = new Map<string, ColumnType>();
  for (const c of prepared.inputColumns) if (c.type) inputTypes.set(c.name, c.type);

  const inputs = new Map<string, BundleInput>();
  const addInput = (name: string, type: ColumnType) => {
    if (inputs.has(name)) return;
    const column = frame.columns.get(name);
    inputs.set(name, {
      name,
      type,
      ...(column?.type === 'categorical' ? { categories: [...column.dictionary] } : {}),
      nullable: true,
    });
  };
  const derivedText = spec.features?.derive ?? {};
  const derived = [];
  for (const f of prepared.features) {
    const expression = derivedText[f.name];
    if (expression === undefined) {
      // A column read as it is, or a point-in-time feature (which a request
      // may give; the server fills it from the online store when it does not).
      addInput(f.name, f.type);
      continue;
    }
    for (const used of referencedColumns(parseExpression(expression))) {
      const type = inputTypes.get(used);
      if (type) addInput(used, type);
    }
    derived.push({ name: f.name, type: f.type, expression });
  }

  // Online features need the entity key and the request time to be accepted.
  const online = onlineDefinitions(spec.features?.point_in_time, spec.events);
  for (const f of online.features) addInput(f.key, inputTypes.get(f.key) ?? 'categorical');
  if (online.features.length > 0 && spec.event_time !== undefined) {
    addInput(spec.event_time, 'timestamp');
  }

  const costs = spec.business.costs;
  const decision: ModelBundle['decision'] =
    spec.task !== 'binary'
      ? { kind: 'none' }
      : s.policy?.kind === 'threshold'
        ? { kind: 'threshold', threshold: s.policy.threshold }
        : s.policy?.kind === 'top_k'
          ? {
              kind: 'top_k',
              k: s.policy.k,
              per: s.policy.per,
              threshold: (costs ? breakEvenThreshold(costs) : undefined) ?? 0.5,
            }
          : {
              kind: 'threshold',
              threshold: (costs ? breakEvenThreshold(costs) : undefined) ?? 0.5,
            };

  const { snapshot, manifest } = s.project.stage;
  const samples = sampleRequests(s, [...inputs.values()]);
  const monitoring = monitoringReference(s, decision);
  return {
    format: BUNDLE_FORMAT,
    name: spec.name,
    task: spec.task,
    rung: s.rung,
    model: s.model.toFile(),
    inputs: [...inputs.values()],
    derived,
    features: prepared.features.map((f) => f.name),
    featureVersions: prepared.pointInTime ?? manifest.lineage.features,
    ...(online.features.length > 0 ? { online } : {}),
    ...(prepared.classes ? { classes: prepared.classes } : {}),
    decision,
    ...(spec.entity ? { entity: spec.entity } : {}),
    ...(spec.event_time ? { eventTime: spec.event_time } : {}),
    ...(spec.governance?.consent ? { consent: spec.governance.consent } : {}),
    ...(costs ? { costs: { tp: costs.tp, fp: costs.fp, fn: costs.fn, tn: costs.tn } } : {}),
    currency: spec.business.currency,
    ...(spec.latency_budget ? { latencyBudget: spec.latency_budget } : {}),
    specHash: s.project.loaded.hash,
    referenceProfile: manifest.profile,
    lineage: { runId: s.runId, rungRunId: s.rungRunId, snapshotId: snapshot.id },
    ...(samples ? { samples } : {}),
    ...monitoring,
    monitoring: projectMonitorSettings(spec),
    target: {
      column: spec.target.column,
      ...(spec.target.positive === undefined ? {} : { positive: spec.target.positive }),
    },
    blessing: { passed: s.verdict.passed, criteria: s.verdict.criteria },
    createdAt: new Date().toISOString(),
  };
}
