/**
 * Label ingestion (step 8): outcomes arrive keyed by prediction id, or by
 * model, entity and event time, by HTTP (`POST /v1/feedback`) or from a file
 * (`flywheel feedback ingest`). Each is checked, turned into the model's
 * label (binary: the spec's `positive` expression on the raw outcome), and
 * stored once per (prediction, source): the same label again changes
 * nothing, a different one is flagged as a conflict and the first is kept, a
 * label for a prediction the log does not know is kept as an orphan with its
 * reason, and late labels are counted.
 */
import { FlywheelError } from '../errors.js';
import { entityKeyText, eventTimeMs } from '../features/index.js';
import {
  assertModelName,
  type ModelBundle,
  ModelRegistry,
  parseModelRef,
} from '../registry/index.js';
import { type ColumnData, evaluate, parseExpression } from '../spec/index.js';
import type { LabelWrite, Stores } from '../store/index.js';

/**
 * One label as a client sends it: keyed by `prediction_id`, or by `model`,
 * `entity` and `event_time` (exactly one of the two).
 */
export interface LabelInput {
  readonly prediction_id?: unknown;
  /** The model name (any version's predictions match); with `entity` and `event_time`. */
  readonly model?: unknown;
  /** The entity the prediction was about: the value of the spec's entity column. */
  readonly entity?: unknown;
  /** The prediction's event time (ISO-8601; no offset means UTC): the spec's event_time column. */
  readonly event_time?: unknown;
  /** The outcome: the target column's value (e.g. a delay of 37), or true/false, or 1/0. */
  readonly label: unknown;
  /** When the outcome was observed (ISO-8601); default: now. */
  readonly observed_at?: unknown;
}

export interface LabelProblem {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

export interface FeedbackReport {
  readonly received: number;
  readonly added: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** Labels for predictions the log does not know: kept as orphans, not used. */
  readonly unknown: number;
  /** Labels whose outcome the model's target cannot read (kept as issues, not used). */
  readonly invalid: number;
  /** Labels observed more than `lateAfterMs` after their prediction (stored and used). */
  readonly late: number;
  readonly positives: number;
  /**
   * Labels keyed by entity and event time that matched several predictions
   * (e.g. the entity scored twice for the same time): each went to the newest.
   */
  readonly ambiguous: number;
}

/** A report of nothing: the start of a running total. */
export function emptyFeedbackReport(): FeedbackReport {
  return {
    received: 0,
    added: 0,
    duplicates: 0,
    conflicts: 0,
    unknown: 0,
    invalid: 0,
    late: 0,
    positives: 0,
    ambiguous: 0,
  };
}

/** Adds the report's counts into `totals`, field by field (other fields of `totals` untouched). */
export function addFeedbackReport(
  totals: { -readonly [K in keyof FeedbackReport]: number },
  report: FeedbackReport,
): void {
  for (const k of Object.keys(emptyFeedbackReport()) as (keyof FeedbackReport)[]) {
    totals[k] += report[k];
  }
}

export interface IngestFeedbackOptions {
  /** Who sent the labels (one label per prediction and source); default `api`. */
  readonly source?: string;
  /** A label observed longer than this after its prediction is late (default 7 days). */
  readonly lateAfterMs?: number;
  readonly now?: Date;
  /** Called with the labels of the batch once they are committed (e.g. to publish feedback events). */
  readonly onStored?: (labels: readonly (LabelWrite & { readonly modelVersion: string })[]) => void;
}

const SOURCE = /^[A-Za-z0-9_.:-]{1,64}$/;
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const DAY = 86_400_000;

/** The label of a raw outcome for `bundle`, or a reason it has none. */
export function labelOf(bundle: ModelBundle, raw: unknown): number | string {
  if (bundle.task === 'regression') {
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : 'must be a finite number';
  }
  if (bundle.task !== 'binary') return 'labels for multiclass models are not supported yet';
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  const positive = bundle.target?.positive;
  if (positive === undefined) {
    if (raw === 1 || raw === 0) return raw;
    return 'must be true/false or 1/0';
  }
  let column: ColumnData;
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    column = { type: 'numeric', values: Float64Array.of(raw) };
  } else if (typeof raw === 'string' && raw.length <= 256) {
    column = { type: 'categorical', codes: Int32Array.of(0), dictionary: [raw] };
  } else {
    return 'must be the outcome (a number or a string), or true/false';
  }
  try {
    const [value] = evaluate(
      parseExpression(positive),
      new Map([[bundle.target!.column, column]]),
      1,
    );
    return Number.isNaN(value!) ? 'is missing' : value! > 0 ? 1 : 0;
  } catch {
    return `does not fit the target "${bundle.target!.column}" (positive: ${positive})`;
  }
}

const given = (value: unknown) => value !== undefined && value !== null;

/** The event time of a label in ms, read as the server reads a row's (no offset: UTC). */
function labelTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = eventTimeMs(value);
  return ms === undefined || Number.isNaN(new Date(ms).getTime()) ? undefined : ms;
}

const isModelName = (name: unknown) => {
  try {
    assertModelName(name);
    return true;
  } catch {
    return false;
  }
};

/** Checks the shape of a batch: every problem named by row and field, never echoing a value. */
export function checkLabels(items: readonly unknown[]): LabelProblem[] {
  const problems: LabelProblem[] = [];
  items.forEach((item, row) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ row, field: '(label)', message: 'must be an object' });
      return;
    }
    const l = item as Record<string, unknown>;
    const byKey = given(l['model']) || given(l['entity']) || given(l['event_time']);
    if (given(l['prediction_id']) && byKey) {
      problems.push({
        row,
        field: '(label)',
        message: 'give one key: prediction_id, or model, entity and event_time (not both)',
      });
    } else if (byKey) {
      if (!isModelName(l['model'])) {
        problems.push({
          row,
          field: 'model',
          message: given(l['model'])
            ? 'must be a model name (letters, digits, _ or -; no version)'
            : 'is missing (a label keyed by entity and event time names its model)',
        });
      }
      if (entityKeyText(l['entity']) === undefined) {
        problems.push({
          row,
          field: 'entity',
          message: given(l['entity'])
            ? 'must be the entity key: a string of 1 to 256 characters, or a number'
            : 'is missing',
        });
      }
      if (labelTimeMs(l['event_time']) === undefined) {
        problems.push({
          row,
          field: 'event_time',
          message: given(l['event_time']) ? 'must be an ISO-8601 timestamp' : 'is missing',
        });
      }
    } else if (typeof l['prediction_id'] !== 'string' || !ID.test(l['prediction_id'])) {
      problems.push({
        row,
        field: 'prediction_id',
        message: given(l['prediction_id'])
          ? 'must be a prediction id from the predict answer'
          : 'is missing: give prediction_id, or model, entity and event_time',
      });
    }
    if (l['label'] === undefined || l['label'] === null) {
      problems.push({ row, field: 'label', message: 'is missing' });
    }
    const at = l['observed_at'];
    if (at !== undefined && (typeof at !== 'string' || Number.isNaN(Date.parse(at)))) {
      problems.push({ row, field: 'observed_at', message: 'must be an ISO-8601 timestamp' });
    }
  });
  return problems;
}

/** A checked label keyed by entity and event time, as the store looks it up. */
interface LabelKey {
  readonly model: string;
  readonly entity: string;
  readonly eventTime: string;
}

function keyOf(l: LabelInput): LabelKey | undefined {
  if (!given(l.model)) return undefined;
  return {
    model: l.model as string,
    entity: entityKeyText(l.entity)!,
    eventTime: new Date(labelTimeMs(l.event_time)!).toISOString(),
  };
}

/**
 * Ingests a batch of labels. A batch with a malformed label (shape) stores
 * nothing (FEEDBACK_INVALID is raised as `EVENTS_INVALID`'s sibling, a 400);
 * a well-formed label that cannot be used (unknown prediction, an outcome
 * the target cannot read) is recorded as an issue, not dropped. A label
 * keyed by entity and event time goes to the logged prediction of its model
 * (any version, shadow entries aside) for that entity at that instant; when
 * several match, to the newest (counted as `ambiguous`).
 *
 * @example
 * const report = await ingestFeedback(stores, [{ prediction_id: id, label: 37 }], { source: 'ops' });
 * await ingestFeedback(stores, [{ model: 'churn', entity: 'c42', event_time: '2025-01-31T12:00:00Z', label: 1 }]);
 */
export async function ingestFeedback(
  stores: Pick<Stores, 'metadata' | 'artifacts'>,
  items: readonly unknown[],
  options: IngestFeedbackOptions = {},
): Promise<FeedbackReport> {
  const source = options.source ?? 'api';
  if (!SOURCE.test(source)) {
    throw new FlywheelError('USAGE', 'a feedback source is 1 to 64 letters, digits or _.:-');
  }
  const problems = checkLabels(items);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new FlywheelError(
      'EVENTS_INVALID',
      `${problems.length} problem(s) with the labels; nothing was stored. First: label ${first.row}, ${first.field}: ${first.message}`,
      { details: { problems: problems.slice(0, 100) } },
    );
  }
  const labels = items as readonly LabelInput[];
  const now = options.now ?? new Date();
  const lateAfter = options.lateAfterMs ?? 7 * DAY;
  const keys = labels.map(keyOf);
  const predictions = await findLabelled(stores, labels, keys);
  const registry = new ModelRegistry(stores);
  const bundles = new Map<string, Promise<ModelBundle>>();
  const bundleOf = (modelVersion: string) => {
    let b = bundles.get(modelVersion);
    if (b === undefined) {
      const ref = parseModelRef(modelVersion);
      b = (
        'version' in ref
          ? registry.getVersion(ref.name, ref.version)
          : registry.resolve(modelVersion)
      ).then((v) => registry.loadBundle(v));
      bundles.set(modelVersion, b);
    }
    return b;
  };
  const writes: LabelWrite[] = [];
  /** The model version of each write's prediction, for listeners. */
  const versions: string[] = [];
  const issues: {
    kind: 'unknown_prediction' | 'invalid_label';
    predictionId: string;
    source: string;
    raw: unknown;
    reason: string;
  }[] = [];
  let late = 0;
  let positives = 0;
  let ambiguous = 0;
  for (const [i, l] of labels.entries()) {
    const key = keys[i];
    const matches = predictions[i]!;
    const prediction = matches[0];
    if (prediction === undefined) {
      issues.push({
        kind: 'unknown_prediction',
        // An orphan keyed by entity and event time is filed under `model:entity@time`.
        predictionId:
          key === undefined
            ? String(l.prediction_id)
            : `${key.model}:${key.entity}@${key.eventTime}`,
        source,
        raw: l.label,
        reason:
          key === undefined
            ? 'no prediction with this id in the log (expired, purged, or never made)'
            : `no prediction of ${key.model} for this entity at this event time in the log (expired, purged, never made, or logged without entity and event time)`,
      });
      continue;
    }
    if (matches.length > 1) ambiguous++;
    const label = labelOf(await bundleOf(prediction.modelVersion), l.label);
    if (typeof label === 'string') {
      issues.push({
        kind: 'invalid_label',
        predictionId: prediction.id,
        source,
        raw: l.label,
        reason: `the label ${label}`,
      });
      continue;
    }
    const observedAt = typeof l.observed_at === 'string' ? new Date(l.observed_at) : now;
    if (observedAt.getTime() - Date.parse(prediction.at) > lateAfter) late++;
    if (label > 0) positives++;
    writes.push({ predictionId: prediction.id, source, label, raw: l.label, observedAt });
    versions.push(prediction.modelVersion);
  }
  // Labels and issues commit together: a failure leaves neither, and a retry is safe.
  const outcome = await stores.metadata.transaction(async (tx) => {
    const written = await tx.writeLabels(writes, now);
    if (issues.length > 0) await tx.recordFeedbackIssues(issues, now);
    return written;
  });
  try {
    if (writes.length > 0) {
      options.onStored?.(writes.map((w, i) => ({ ...w, modelVersion: versions[i]! })));
    }
  } catch {
    // A listener's failure never undoes stored labels.
  }
  return {
    received: labels.length,
    added: outcome.added,
    duplicates: outcome.duplicates,
    conflicts: outcome.conflicts.length,
    unknown: issues.filter((i) => i.kind === 'unknown_prediction').length,
    invalid: issues.filter((i) => i.kind === 'invalid_label').length,
    late,
    positives,
    ambiguous,
  };
}

/**
 * The logged predictions each label may belong to, newest first: the one
 * with its id, or those of its model for its entity and event time.
 */
async function findLabelled(
  stores: Pick<Stores, 'metadata'>,
  labels: readonly LabelInput[],
  keys: readonly (LabelKey | undefined)[],
): Promise<(readonly { id: string; at: string; modelVersion: string }[])[]> {
  const ids = labels.flatMap((l, i) => (keys[i] === undefined ? [String(l.prediction_id)] : []));
  const keyed = keys.filter((k) => k !== undefined);
  const byId =
    ids.length === 0
      ? new Map<string, { at: string; modelVersion: string }>()
      : await stores.metadata.findPredictions(ids);
  const byKey = await stores.metadata.findPredictionsByKey(keyed);
  let k = 0;
  return labels.map((l, i) => {
    if (keys[i] !== undefined) return byKey[k++]!;
    const id = String(l.prediction_id);
    const found = byId.get(id);
    return found === undefined ? [] : [{ id, at: found.at, modelVersion: found.modelVersion }];
  });
}
