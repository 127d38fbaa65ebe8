/**
 * Retention for stored logs: `flywheel governance purge` deletes prediction-log
 * rows older than the retention period and records what it did in the audit
 * log, in one transaction (the rows go and the record is written, or neither).
 */
import { FlywheelError } from '../errors.js';
import type { MetadataStore } from '../store/index.js';

export interface PurgeOptions {
  /** Rows older than this many days before `now` are deleted. */
  retentionDays: number;
  now: Date;
  /** Who runs the purge, for the audit log. */
  actor: string;
  /** Count what would be deleted, delete nothing, write no audit record. */
  dryRun: boolean;
}

export interface PurgeResult {
  /** Prediction-log rows deleted (or, in a dry run, that would be). */
  predictionLogRows: number;
  /** Rows with `at` before this instant (ISO-8601 UTC) were purged. */
  cutoff: string;
  dryRun: boolean;
  /** Id of the `governance.purge` audit record (absent in a dry run). */
  auditId?: number;
}

/**
 * Deletes prediction-log rows older than `retentionDays` and writes one
 * `governance.purge` audit record with the counts and the cutoff.
 *
 * @example
 * const result = await purgeExpired(stores.metadata, {
 *   retentionDays: 365, now: new Date(), actor: 'ann', dryRun: false,
 * });
 * result.predictionLogRows; // rows deleted
 */
export async function purgeExpired(
  store: MetadataStore,
  options: PurgeOptions,
): Promise<PurgeResult> {
  const { retentionDays, now, actor, dryRun } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new FlywheelError(
      'USAGE',
      `retention must be a whole number of days ≥ 1, got ${retentionDays}`,
    );
  }
  if (Number.isNaN(now.getTime())) throw new FlywheelError('USAGE', 'now is not a valid date');
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  if (dryRun) {
    const predictionLogRows = await store.countPredictions({ until: cutoff });
    return { predictionLogRows, cutoff, dryRun };
  }
  return store.transaction(async (tx) => {
    const deleted = await tx.db
      .deleteFrom('prediction_log')
      .where('at', '<', cutoff)
      .executeTakeFirst();
    const predictionLogRows = Number(deleted.numDeletedRows);
    const record = await tx.audit({
      actor,
      action: 'governance.purge',
      objectType: 'prediction_log',
      objectId: 'prediction_log',
      details: { retentionDays, cutoff, predictionLogRows },
    });
    return { predictionLogRows, cutoff, dryRun, auditId: record.id };
  });
}
