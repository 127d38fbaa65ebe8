/**
 * MetadataStore: runs, metrics, artifacts, the audit log, the prediction log,
 * snapshots, the model registry and API tokens over one SQL code path (Kysely). The engine is chosen by the dialect it
 * is opened with; everything engine-specific stays in dialect/.
 */
import type { Kysely } from 'kysely';
import { FlywheelError } from '../errors.js';
import * as aliases from './alias-records.js';
import { appendAudit, listAudit } from './audit-log.js';
import { BatchInserter } from './batch-insert.js';
import * as canaries from './canary-records.js';
import { translateDbError } from './db-errors.js';
import type { StoreCapabilities } from './dialect/capabilities.js';
import type { StoreDialect } from './dialect/store-dialect.js';
import {
  deleteFeatureEvents,
  type FeatureEventRecord,
  type FeatureEventWrite,
  listFeatureEvents,
  newestFeatureEvents,
  readFeatureEvents,
  writeFeatureEvents,
} from './feature-event-records.js';
import * as feedback from './feedback-records.js';
import {
  type FeedbackCounts,
  feedbackCounts,
  type LabelledFilter,
  type LabelledPrediction,
  listLabelled,
} from './labelled-predictions.js';
import { appliedMigrations, type MigrationName, migrateStore } from './migrations/index.js';
import * as models from './model-version-records.js';
import * as monitoring from './monitoring-records.js';
import { countPredictions, insertPredictions, listPredictions } from './prediction-log.js';
import type {
  AliasMoveFilter,
  AliasMoveInput,
  AliasMoveRecord,
  ApiTokenRecord,
  AuditEntry,
  AuditFilter,
  AuditRecord,
  CanaryRecord,
  MetricPoint,
  ModelSummary,
  ModelVersionDraft,
  ModelVersionRecord,
  PredictionFilter,
  PredictionInput,
  PredictionRecord,
  Run,
  RunArtifact,
  RunFilter,
  RunPatch,
  RunStatus,
  SnapshotFilter,
  SnapshotRecord,
} from './records.js';
import * as runs from './run-records.js';
import type { StoreSchema } from './schema.js';
import { findSnapshots, insertSnapshot, listSnapshots } from './snapshot-records.js';
import type { StoreContext } from './store-context.js';
import {
  countStreamAnswers,
  pruneStreamAnswers,
  recordStreamAnswers,
  type StreamAnswer,
} from './stream-records.js';
import * as tokens from './token-records.js';

export interface OpenMetadataOptions {
  /** Stop migrating at this version (tests of upgrades); default: the latest. */
  migrateTo?: MigrationName | null;
}

/**
 * The metadata store. Obtain one from `openStore`; all methods are safe to call
 * concurrently, and writes made inside `transaction` commit or roll back together.
 *
 * @example
 * const { metadata } = await openStore(resolveStoreLocation({ specDir: '.' }));
 * await metadata.logPredictions([{ modelVersion: 'churn@3', inputs: { tenure: 4 }, score: 0.91 }]);
 */
export class MetadataStore {
  readonly capabilities: StoreCapabilities;
  /** Where the database is, without secrets. */
  readonly description: string;
  readonly #ctx: StoreContext;
  readonly #inTransaction: boolean;

  private constructor(ctx: StoreContext, inTransaction: boolean) {
    this.#ctx = ctx;
    this.#inTransaction = inTransaction;
    this.capabilities = ctx.dialect.capabilities;
    this.description = ctx.dialect.description;
  }

  /** Wraps an opened dialect and migrates it (to the latest version unless told otherwise). */
  static async open(
    dialect: StoreDialect,
    options: OpenMetadataOptions = {},
  ): Promise<MetadataStore> {
    try {
      await migrateStore(dialect, options.migrateTo === undefined ? {} : { to: options.migrateTo });
    } catch (err) {
      await dialect.close().catch(() => {});
      throw err;
    }
    const batch = new BatchInserter(dialect.capabilities.maxBindParameters);
    return new MetadataStore({ db: dialect.db, dialect, batch }, false);
  }

  /** The underlying Kysely handle (the transaction's, inside `transaction`). Prefer the typed methods. */
  get db(): Kysely<StoreSchema> {
    return this.#ctx.db;
  }

  /**
   * Runs `fn` in one write transaction (SQLite: `BEGIN IMMEDIATE`). Nested calls
   * join the outer transaction.
   *
   * @example
   * await metadata.transaction(async (tx) => {
   *   await tx.updateRun(id, { status: 'FINISHED', endedAt: new Date().toISOString() }, 'RUNNING');
   *   await tx.audit({ actor: 'ann', action: 'finish', objectType: 'run', objectId: id });
   * });
   */
  async transaction<T>(fn: (tx: MetadataStore) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return fn(this);
    try {
      return await this.#ctx.db
        .transaction()
        .execute((trx) => fn(new MetadataStore({ ...this.#ctx, db: trx }, true)));
    } catch (err) {
      // The caller's own errors pass through; only database failures are translated.
      if (this.#ctx.dialect.classifyError(err) === undefined) throw err;
      throw translateDbError(err, this.#ctx.dialect, 'transaction');
    }
  }

  async #read<T>(action: string, fn: (ctx: StoreContext) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#ctx);
    } catch (err) {
      throw translateDbError(err, this.#ctx.dialect, action);
    }
  }

  #write<T>(action: string, fn: (ctx: StoreContext) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return this.#read(action, fn);
    return this.#read(action, (ctx) => ctx.db.transaction().execute((db) => fn({ ...ctx, db })));
  }

  /**
   * Stores events of a feature event table, idempotent by id, in one
   * transaction: new ids are added, an id stored before is a duplicate (same
   * content) or a conflict (different content, kept as stored).
   *
   * @example
   * await metadata.writeFeatureEvents('departures', [{ id: 'e1', key: 'SFO', time: Date.now(), values: { delay: 4 } }]);
   */
  writeFeatureEvents(
    table: string,
    events: readonly FeatureEventRecord[],
  ): Promise<FeatureEventWrite> {
    return this.#write('store feature events', (ctx) => writeFeatureEvents(ctx, table, events));
  }

  /** The events of `table` for entity `key` with `from <= time <= to` (ms), oldest first. */
  readFeatureEvents(table: string, key: string, from: number, to: number) {
    return this.#read('read feature events', (ctx) => readFeatureEvents(ctx, table, key, from, to));
  }

  /** A page of the events of `table` in `[from, to)` in (time, id) order, after `after`. */
  listFeatureEvents(
    table: string,
    options: { from: number; to: number; after?: { time: number; id: string }; limit: number },
  ): Promise<FeatureEventRecord[]> {
    return this.#read('list feature events', (ctx) => listFeatureEvents(ctx, table, options));
  }

  /** The newest event time (ms) of each feature event table. */
  newestFeatureEvents(): Promise<Map<string, number>> {
    return this.#read('read feature freshness', (ctx) => newestFeatureEvents(ctx));
  }

  /** Deletes the events of `table` in `[from, to)` (all without a range); returns how many. */
  deleteFeatureEvents(table: string, range?: { from: number; to: number }): Promise<number> {
    return this.#write('delete feature events', (ctx) => deleteFeatureEvents(ctx, table, range));
  }

  /** Alerts, firing first, then newest first. */
  listAlerts(filter: monitoring.AlertFilter = {}): Promise<monitoring.AlertRecord[]> {
    return this.#read('list alerts', (ctx) => monitoring.listAlerts(ctx, filter));
  }

  insertAlert(alert: monitoring.AlertRecord): Promise<void> {
    return this.#write('record alert', (ctx) => monitoring.insertAlert(ctx, alert));
  }

  updateAlert(id: string, patch: monitoring.AlertPatch): Promise<void> {
    return this.#write('update alert', (ctx) => monitoring.updateAlert(ctx, id, patch));
  }

  /** Adds request and failure counts per model version and minute (summed across writes). */
  addServingMinutes(rows: readonly monitoring.ServingMinute[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.#write('record serving counts', (ctx) => monitoring.addServingMinutes(ctx, rows));
  }

  /** Requests and failures per minute of `versions` in `[from, to)`. */
  servingMinutes(versions: readonly string[], from: string, to: string) {
    return this.#read('read serving counts', (ctx) =>
      monitoring.servingMinutes(ctx, versions, from, to),
    );
  }

  /** Stores outcome labels; a (prediction, source) already labelled is kept. Returns how many were new. */
  insertLabels(labels: readonly monitoring.LabelInput[]): Promise<number> {
    return this.#write('store labels', (ctx) => monitoring.insertLabels(ctx, labels));
  }

  /** Labels of the predictions of `versions` made in `[from, to)`, by prediction id. */
  labelsInWindow(versions: readonly string[], from: string, to: string) {
    return this.#read('read labels', (ctx) => monitoring.labelsInWindow(ctx, versions, from, to));
  }

  /** The log's time, version and inputs (JSON text) of each known prediction id. */
  findPredictions(ids: readonly string[]) {
    return this.#read('find predictions', (ctx) => feedback.findPredictions(ctx, ids));
  }

  /**
   * For each key, in order, the logged predictions of its model (any version)
   * for that entity at that event time, newest first; shadow-route entries
   * are left out.
   *
   * @example
   * const [matches] = await metadata.findPredictionsByKey([
   *   { model: 'churn', entity: 'c42', eventTime: '2025-01-31T12:00:00Z' },
   * ]);
   */
  findPredictionsByKey(
    keys: readonly feedback.PredictionKey[],
  ): Promise<feedback.KeyedPrediction[][]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#read('find predictions', (ctx) => feedback.findPredictionsByKey(ctx, keys));
  }

  /**
   * Labelled predictions of the given model versions, oldest first: one row
   * per prediction (its earliest-received label when several sources
   * labelled it). Shadow-route entries are excluded.
   *
   * @example
   * const rows = await metadata.listLabelled({ modelVersions: ['churn@3'], since: '2025-01-01' });
   */
  listLabelled(filter: LabelledFilter): Promise<LabelledPrediction[]> {
    return this.#read('list labelled predictions', (ctx) => listLabelled(ctx, filter));
  }

  /** Counts for label-quality checks over labels (and feedback issues) received in [since, until). */
  feedbackCounts(
    filter: {
      since?: string | Date;
      until?: string | Date;
      modelVersions?: readonly string[];
    } = {},
  ): Promise<FeedbackCounts> {
    return this.#read('count feedback', (ctx) => feedbackCounts(ctx, filter));
  }

  /**
   * Stores labels in one transaction: a new (prediction, source) is added,
   * the same label again is a duplicate, a different one a conflict (the
   * first stays; the conflict is recorded as a feedback issue).
   */
  writeLabels(
    labels: readonly feedback.LabelWrite[],
    receivedAt?: string | Date,
  ): Promise<feedback.LabelWriteOutcome> {
    return this.#write('store labels', (ctx) => feedback.writeLabels(ctx, labels, receivedAt));
  }

  /** Records feedback that could not be used as it came (orphans, conflicts). */
  recordFeedbackIssues(
    issues: readonly Omit<feedback.FeedbackIssue, 'id' | 'receivedAt'>[],
    receivedAt?: string | Date,
  ) {
    return this.#write('record feedback issues', (ctx) =>
      feedback.insertIssues(ctx, issues, receivedAt),
    );
  }

  listFeedbackIssues(filter: { kind?: feedback.FeedbackIssue['kind']; limit?: number } = {}) {
    return this.#read('list feedback issues', (ctx) => feedback.listIssues(ctx, filter));
  }

  insertRun(run: Run): Promise<void> {
    return this.#write('start run', (ctx) => runs.insertRun(ctx, run));
  }

  /** Updates a run; with `ifStatus`, only while it has that status. Returns whether it changed. */
  updateRun(id: string, patch: RunPatch, ifStatus?: RunStatus): Promise<boolean> {
    return this.#write('update run', (ctx) => runs.updateRun(ctx, id, patch, ifStatus));
  }

  /** Merges `tags` into a run's tags atomically and returns the result. */
  mergeRunTags(id: string, tags: Record<string, string>): Promise<Record<string, string>> {
    return this.#write('set tags', (ctx) => runs.mergeRunTags(ctx, id, tags));
  }

  findRun(id: string): Promise<Run | undefined> {
    return this.#read('get run', (ctx) => runs.findRun(ctx, id));
  }

  /** Runs, newest first (default limit 100). */
  listRuns(filter: RunFilter = {}): Promise<Run[]> {
    return this.#read('list runs', (ctx) => runs.listRuns(ctx, filter));
  }

  listRunningRuns(hostname: string): Promise<Run[]> {
    return this.#read('list running runs', (ctx) => runs.listRunningRuns(ctx, hostname));
  }

  insertMetrics(points: MetricPoint[]): Promise<void> {
    return this.#write('log metrics', (ctx) => runs.insertMetrics(ctx, points));
  }

  listMetrics(runId: string, key?: string): Promise<MetricPoint[]> {
    return this.#read('list metrics', (ctx) => runs.listMetrics(ctx, runId, key));
  }

  insertRunArtifact(artifact: RunArtifact): Promise<void> {
    return this.#write('log artifact', (ctx) => runs.insertRunArtifact(ctx, artifact));
  }

  listRunArtifacts(runId: string): Promise<RunArtifact[]> {
    return this.#read('list artifacts', (ctx) => runs.listRunArtifacts(ctx, runId));
  }

  /**
   * Appends to the audit log (there is no update or delete).
   *
   * @example
   * await metadata.audit({ actor: 'ann', action: 'promote', objectType: 'model', objectId: 'churn@3' });
   */
  audit(entry: AuditEntry): Promise<AuditRecord> {
    return this.#write('audit', (ctx) => appendAudit(ctx, entry));
  }

  /** Audit records, newest first (default limit 1000). */
  listAudit(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    return this.#read('list audit', (ctx) => listAudit(ctx, filter));
  }

  /**
   * Logs predictions in one transaction with multi-row inserts; all or none are
   * stored. Returns the ids (generated where absent) in input order.
   *
   * @example
   * const [id] = await metadata.logPredictions([{ modelVersion: 'm@1', inputs: { x: 1 }, score: 0.2 }]);
   */
  logPredictions(rows: readonly PredictionInput[]): Promise<string[]> {
    if (rows.length === 0) return Promise.resolve([]);
    return this.#write('log predictions', (ctx) => insertPredictions(ctx, rows));
  }

  /**
   * Answers to stream messages, each logged with its predictions in one
   * transaction; a message `consumer` answered before logs nothing again.
   * Returns the earlier answers of the repeated messages.
   *
   * @example
   * const before = await metadata.recordStreamAnswers('scorer', [{ messageId: 'm1', at: new Date(), modelVersion: 'churn@3', answer, predictions }]);
   */
  recordStreamAnswers(
    consumer: string,
    answers: readonly StreamAnswer[],
  ): Promise<Map<string, unknown>> {
    return this.#write('record stream answers', (ctx) =>
      recordStreamAnswers(ctx, consumer, answers),
    );
  }

  /** Forgets the answers `consumer` recorded before `before`; returns how many. */
  pruneStreamAnswers(consumer: string, before: string | Date): Promise<number> {
    return this.#write('prune stream answers', (ctx) => pruneStreamAnswers(ctx, consumer, before));
  }

  /** How many stream messages `consumer` (or every consumer) has answered. */
  countStreamAnswers(consumer?: string): Promise<number> {
    return this.#read('count stream answers', (ctx) => countStreamAnswers(ctx, consumer));
  }

  /** Predictions, oldest first (default limit 1000). */
  listPredictions(filter: PredictionFilter = {}): Promise<PredictionRecord[]> {
    return this.#read('list predictions', (ctx) => listPredictions(ctx, filter));
  }

  countPredictions(filter: PredictionFilter = {}): Promise<number> {
    return this.#read('count predictions', (ctx) => countPredictions(ctx, filter));
  }

  /**
   * Records a dataset snapshot; a snapshot with the same id (the same data)
   * is kept as it is and returned with `created: false`.
   */
  insertSnapshot(snapshot: SnapshotRecord): Promise<{ record: SnapshotRecord; created: boolean }> {
    return this.#write('record snapshot', (ctx) => insertSnapshot(ctx, snapshot));
  }

  /**
   * The snapshot whose id is or starts with `idOrPrefix` (at least 4 hex
   * characters): NOT_FOUND when none, USAGE when the prefix is ambiguous.
   */
  async getSnapshot(idOrPrefix: string): Promise<SnapshotRecord> {
    if (!/^[0-9a-f]{4,64}$/.test(idOrPrefix)) {
      throw new FlywheelError(
        'USAGE',
        'a snapshot id is 4 to 64 lowercase hexadecimal characters (a prefix of its sha256)',
      );
    }
    const found = await this.#read('find snapshot', (ctx) => findSnapshots(ctx, idOrPrefix));
    if (found.length === 0)
      throw new FlywheelError('NOT_FOUND', `no snapshot ${idOrPrefix} in ${this.description}`, {
        hint: 'list them with `flywheel data snapshots`',
      });
    if (found.length > 1)
      throw new FlywheelError(
        'USAGE',
        `snapshot id ${idOrPrefix} is ambiguous; give more characters`,
      );
    return found[0]!;
  }

  /** Snapshots, newest first (default limit 100). */
  listSnapshots(filter: SnapshotFilter = {}): Promise<SnapshotRecord[]> {
    return this.#read('list snapshots', (ctx) => listSnapshots(ctx, filter));
  }

  /**
   * Registers the next version of a model, numbered 1, 2, … per name; a bundle
   * registered before returns its version with `created: false`.
   */
  registerModelVersion(
    draft: ModelVersionDraft,
  ): Promise<{ record: ModelVersionRecord; created: boolean }> {
    return this.#write('register model', (ctx) => models.insertModelVersion(ctx, draft));
  }

  findModelVersion(name: string, version: number): Promise<ModelVersionRecord | undefined> {
    return this.#read('get model version', (ctx) => models.findModelVersion(ctx, name, version));
  }

  /** Every version of a model, oldest first. */
  listModelVersions(name: string): Promise<ModelVersionRecord[]> {
    return this.#read('list model versions', (ctx) => models.listModelVersions(ctx, name));
  }

  /** Every registered model by name, with its version count and aliases. */
  listModels(): Promise<ModelSummary[]> {
    return this.#read('list models', (ctx) => models.listModelSummaries(ctx));
  }

  /** Where the aliases of a model point now. */
  listAliases(name: string): Promise<Record<string, number>> {
    return this.#read('list aliases', (ctx) => aliases.listAliases(ctx, name));
  }

  /** The version an alias points at (`null`: unset); inside `transaction`, locked until commit. */
  currentAlias(name: string, alias: string): Promise<number | null> {
    return this.#read('get alias', (ctx) =>
      aliases.currentAlias(ctx, name, alias, this.#inTransaction),
    );
  }

  /**
   * Points an alias at a version (or removes it, `toVersion: null`) and
   * appends the move to its history, together. Returns `undefined` when the
   * alias already holds `toVersion`; CONFLICT when it no longer holds
   * `expectedFrom` or a concurrent writer moved it first.
   *
   * @example
   * await metadata.moveAlias({ name: 'churn', alias: 'champion', action: 'promote',
   *   toVersion: 3, expectedFrom: 2, actor: 'ann', reason: 'beats v2 on cost' });
   */
  moveAlias(input: AliasMoveInput): Promise<AliasMoveRecord | undefined> {
    return this.#write('move alias', (ctx) => aliases.applyAliasMove(ctx, input));
  }

  /** Alias moves of a model, oldest first (default limit 1000). */
  listAliasMoves(filter: AliasMoveFilter): Promise<AliasMoveRecord[]> {
    return this.#read('list alias moves', (ctx) => aliases.listAliasMoves(ctx, filter));
  }

  lastAliasMove(name: string, alias: string): Promise<AliasMoveRecord | undefined> {
    return this.#read('get alias move', (ctx) => aliases.lastAliasMove(ctx, name, alias));
  }

  /** The version an alias pointed at, at instant `at` (`undefined`: unset then). */
  aliasVersionAt(name: string, alias: string, at: string | Date): Promise<number | undefined> {
    return this.#read('get alias history', (ctx) => aliases.aliasVersionAt(ctx, name, alias, at));
  }

  /** The running canary of a model; inside `transaction`, locked until commit. */
  findCanary(name: string): Promise<CanaryRecord | undefined> {
    return this.#read('get canary', (ctx) => canaries.findCanary(ctx, name, this.#inTransaction));
  }

  /** Records a new canary; false (nothing written) when the model already has one. */
  insertCanary(canary: Omit<CanaryRecord, 'stateVersion'>): Promise<boolean> {
    return this.#write('start canary', (ctx) => canaries.insertCanary(ctx, canary));
  }

  /** False when the model has no canary. */
  updateCanaryWeight(name: string, weight: number): Promise<boolean> {
    return this.#write('set canary weight', (ctx) =>
      canaries.updateCanaryWeight(ctx, name, weight),
    );
  }

  deleteCanary(name: string): Promise<boolean> {
    return this.#write('end canary', (ctx) => canaries.deleteCanary(ctx, name));
  }

  /** Changes whenever an alias moves or a canary changes; cheap enough to poll. */
  registryChangeToken(): Promise<string> {
    return this.#read('read change token', (ctx) => canaries.registryChangeToken(ctx));
  }

  insertApiToken(token: ApiTokenRecord): Promise<void> {
    return this.#write('create token', (ctx) => tokens.insertApiToken(ctx, token));
  }

  findApiToken(id: string): Promise<ApiTokenRecord | undefined> {
    return this.#read('get token', (ctx) => tokens.findApiToken(ctx, id));
  }

  findApiTokenByHash(tokenSha256: string): Promise<ApiTokenRecord | undefined> {
    return this.#read('verify token', (ctx) => tokens.findApiTokenByHash(ctx, tokenSha256));
  }

  /** Marks a token revoked; false when it does not exist or was revoked before. */
  revokeApiToken(id: string, at: string | Date): Promise<boolean> {
    return this.#write('revoke token', (ctx) => tokens.revokeApiToken(ctx, id, at));
  }

  /** Every token (hashes only), oldest first. */
  listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.#read('list tokens', (ctx) => tokens.listApiTokens(ctx));
  }

  /** Names of the applied schema migrations, oldest first. */
  appliedMigrations(): Promise<string[]> {
    return this.#read('read migrations', () => appliedMigrations(this.#ctx.dialect));
  }

  /** The engine's self-check: `['ok']` when healthy. */
  integrityCheck(): Promise<string[]> {
    return this.#read('integrity check', () => this.#ctx.dialect.integrityCheck());
  }

  /** Closes connections; the store is unusable afterwards. */
  async close(): Promise<void> {
    if (!this.#inTransaction) await this.#ctx.dialect.close();
  }
}
