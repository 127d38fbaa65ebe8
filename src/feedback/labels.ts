/**
 * Label ingestion (step 8): outcomes arrive keyed by prediction id, by HTTP
 * (`POST /v1/feedback`) or from a file (`flywheel feedback ingest`). Each is
 * checked, turned into the model's label (binary: the spec's `positive`
 * expression on the raw outcome), and stored once per (prediction, source):
 * the same label again changes nothing, a different one is flagged as a
 * conflict and the first is kept, a label for a prediction the log does not
 * know is kept as an orphan with its reason, and late labels are counted.
 */
import { FlywheelError } from '../errors.js';
import { type ModelBundle, ModelRegistry, parseModelRef } from '../registry/index.js';
import { type ColumnData, evaluate, parseExpression } from '../spec/index.js';
import type { LabelWrite, Stores } from '../store/index.js';

/** One label as a client sends it. */
export interface LabelInput {
  readonly prediction_id: unknown;
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
}

export interface IngestFeedbackOptions {
  /** Who sent the labels (one label per prediction and source); default `api`. */
  readonly source?: string;
  /** A label observed longer than this after its prediction is late (default 7 days). */
  readonly lateAfterMs?: number;
  readonly now?: Date;
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

/** Checks the shape of a batch: every problem named by row and field, never echoing a value. */
export function checkLabels(items: readonly unknown[]): LabelProblem[] {
  const problems: LabelProblem[] = [];
  items.forEach((item, row) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ row, field: '(label)', message: 'must be an object' });
      return;
    }
    const l = item as Record<string, unknown>;
    if (typeof l['prediction_id'] !== 'string' || !ID.test(l['prediction_id'])) {
      problems.push({
        row,
        field: 'prediction_id',
        message: 'must be a prediction id from the predict answer',
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

/**
 * Ingests a batch of labels. A batch with a malformed label (shape) stores
 * nothing (FEEDBACK_INVALID is raised as `EVENTS_INVALID`'s sibling, a 400);
 * a well-formed label that cannot be used (unknown prediction, an outcome
 * the target cannot read) is recorded as an issue, not dropped.
 *
 * @example
 * const report = await ingestFeedback(stores, [{ prediction_id: id, label: 37 }], { source: 'ops' });
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
  const known = await stores.metadata.findPredictions(labels.map((l) => String(l.prediction_id)));
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
  const issues: {
    kind: 'unknown_prediction' | 'invalid_label';
    predictionId: string;
    source: string;
    raw: unknown;
    reason: string;
  }[] = [];
  let late = 0;
  let positives = 0;
  for (const l of labels) {
    const id = String(l.prediction_id);
    const prediction = known.get(id);
    if (prediction === undefined) {
      issues.push({
        kind: 'unknown_prediction',
        predictionId: id,
        source,
        raw: l.label,
        reason: 'no prediction with this id in the log (expired, purged, or never made)',
      });
      continue;
    }
    const label = labelOf(await bundleOf(prediction.modelVersion), l.label);
    if (typeof label === 'string') {
      issues.push({
        kind: 'invalid_label',
        predictionId: id,
        source,
        raw: l.label,
        reason: `the label ${label}`,
      });
      continue;
    }
    const observedAt = typeof l.observed_at === 'string' ? new Date(l.observed_at) : now;
    if (observedAt.getTime() - Date.parse(prediction.at) > lateAfter) late++;
    if (label > 0) positives++;
    writes.push({ predictionId: id, source, label, raw: l.label, observedAt });
  }
  // Labels and issues commit together: a failure leaves neither, and a retry is safe.
  const outcome = await stores.metadata.transaction(async (tx) => {
    const written = await tx.writeLabels(writes);
    if (issues.length > 0) await tx.recordFeedbackIssues(issues);
    return written;
  });
  return {
    received: labels.length,
    added: outcome.added,
    duplicates: outcome.duplicates,
    conflicts: outcome.conflicts.length,
    unknown: issues.filter((i) => i.kind === 'unknown_prediction').length,
    invalid: issues.filter((i) => i.kind === 'invalid_label').length,
    late,
    positives,
  };
}
