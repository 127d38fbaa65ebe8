/**
 * Leakage checks (step 3): signs that a feature already knows the answer, or
 * that the split lets a model see its own test rows. Every check is DuckDB SQL
 * over the prepared `fw_dataset` view (features, `__target`, `__split`,
 * `__event_time`, `__entity`), so it reads every row without loading a Frame:
 *
 * - `leakage.single_feature_auc` (block): one feature alone predicts the target
 *   almost perfectly.
 * - `leakage.future_timestamp` (block): a timestamp feature lies after the
 *   row's event time, so it was recorded after the prediction would be made.
 * - `leakage.id_like` (warn): a row identifier used as a feature.
 * - `leakage.entity_overlap`: the same entity on both sides of a split (block
 *   for a random split grouped by entity, info for a time split).
 */
import type { Finding } from '../findings.js';
import type { Spec } from '../spec/index.js';
import type { SqlRunner } from '../sql.js';
import type { PreparedDataset, TargetKind } from './dataset.js';
import type { ColumnType } from './frame.js';
import { entityOverlap } from './leakage-entity-overlap.js';
import { futureTimestamps } from './leakage-future-timestamp.js';
import { idLike } from './leakage-id-like.js';
import { ROWS } from './leakage-rows.js';
import { singleFeatureAuc } from './leakage-single-feature-auc.js';

export interface LeakageInput {
  /** The view checked (default `fw_dataset`). */
  readonly view?: string;
  /** The features of the view, with their kinds. */
  readonly features: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly targetKind: TargetKind;
  /** Multiclass: the classes scored one-vs-rest (default: every class in the data). */
  readonly classes?: readonly string[];
  readonly splitMethod: 'time' | 'random';
  /** Whether the spec declares an entity and an event time (`__entity`, `__event_time` are filled). */
  readonly hasEntity: boolean;
  readonly hasEventTime: boolean;
  /** The spec's `checks` section (`single_feature_auc_max`); undefined means the schema's default. */
  readonly checks?: Pick<NonNullable<Spec['checks']>, 'single_feature_auc_max'>;
}

/**
 * The leakage input of a prepared dataset, with the spec's threshold.
 *
 * @example
 * const findings = await runLeakageChecks(session, leakageInput(prepared));
 */
export function leakageInput(prepared: PreparedDataset): LeakageInput {
  const { spec } = prepared;
  return {
    features: prepared.features.map((f) => ({ name: f.name, type: f.type })),
    targetKind: prepared.targetKind,
    ...(prepared.classes ? { classes: prepared.classes } : {}),
    splitMethod: spec.split.method,
    hasEntity: spec.entity !== undefined,
    hasEventTime: spec.event_time !== undefined,
    ...(spec.checks ? { checks: spec.checks } : {}),
  };
}

/**
 * Runs every leakage check over the view and returns their findings. The view
 * is materialised once (with its row order) so the checks do not recompute it.
 *
 * @example
 * const session = await DuckSession.open();
 * const prepared = await prepareDataset(session, loadSpec('examples/flights'));
 * const findings = await runLeakageChecks(session, leakageInput(prepared));
 * findings.filter((f) => f.severity === 'block'); // [] for the flights example
 */
export async function runLeakageChecks(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  await runner.run(
    `CREATE OR REPLACE TEMP TABLE ${ROWS} AS SELECT *, row_number() OVER () - 1 AS __leak_row FROM ${input.view ?? 'fw_dataset'}`,
  );
  try {
    return [
      ...(await singleFeatureAuc(runner, input)),
      ...(await futureTimestamps(runner, input)),
      ...(await idLike(runner, input)),
      ...(await entityOverlap(runner, input)),
    ];
  } finally {
    await runner.run(`DROP TABLE IF EXISTS ${ROWS}`);
  }
}
