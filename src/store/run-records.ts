/**
 * Rows of `runs`, `run_metrics` and `run_artifacts`: the SQL behind run
 * tracking, shared by both engines.
 */
import type { Selectable } from 'kysely';
import { FlywheelError } from '../errors.js';
import { clampLimit, decodeJson, displayId, encodeFloat, encodeJson } from './codec.js';
import type { MetricPoint, Run, RunArtifact, RunFilter, RunPatch, RunStatus } from './records.js';
import type { RunsTable } from './schema.js';
import type { StoreContext } from './store-context.js';

function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    parentRunId: row.parent_run_id,
    specHash: row.spec_hash,
    snapshotId: row.snapshot_id,
    codeVersion: row.code_version,
    gitCommit: row.git_commit,
    seed: row.seed,
    params: decodeJson(row.params),
    tags: decodeJson(row.tags),
    error: row.error,
    pid: row.pid,
    hostname: row.hostname,
  };
}

export async function insertRun({ db }: StoreContext, run: Run): Promise<void> {
  await db
    .insertInto('runs')
    .values({
      id: run.id,
      kind: run.kind,
      status: run.status,
      started_at: run.startedAt,
      ended_at: run.endedAt,
      parent_run_id: run.parentRunId,
      spec_hash: run.specHash,
      snapshot_id: run.snapshotId,
      code_version: run.codeVersion,
      git_commit: run.gitCommit,
      seed: run.seed,
      params: encodeJson(run.params, 'params'),
      tags: encodeJson(run.tags, 'tags'),
      error: run.error,
      pid: run.pid,
      hostname: run.hostname,
    })
    .execute();
}

/** Applies `patch`; with `ifStatus`, only while the run is in that status. */
export async function updateRun(
  { db }: StoreContext,
  id: string,
  patch: RunPatch,
  ifStatus?: RunStatus,
): Promise<boolean> {
  let query = db
    .updateTable('runs')
    .set({
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.endedAt === undefined ? {} : { ended_at: patch.endedAt }),
      ...(patch.error === undefined ? {} : { error: patch.error }),
    })
    .where('id', '=', id);
  if (ifStatus !== undefined) query = query.where('status', '=', ifStatus);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function findRun({ db }: StoreContext, id: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRun(row);
}

export async function listRuns({ db }: StoreContext, filter: RunFilter = {}): Promise<Run[]> {
  let query = db.selectFrom('runs').selectAll();
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.parentRunId !== undefined) {
    query = query.where('parent_run_id', '=', filter.parentRunId);
  }
  const rows = await query
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(clampLimit(filter.limit, 100))
    .execute();
  return rows.map(toRun);
}

/** RUNNING runs owned by processes on `hostname`. */
export async function listRunningRuns({ db }: StoreContext, hostname: string): Promise<Run[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('status', '=', 'RUNNING')
    .where('hostname', '=', hostname)
    .execute();
  return rows.map(toRun);
}

/** Merges `tags` into the run's tags; call inside a write transaction. */
export async function mergeRunTags(
  ctx: StoreContext,
  id: string,
  tags: Record<string, string>,
): Promise<Record<string, string>> {
  let query = ctx.db.selectFrom('runs').select('tags').where('id', '=', id);
  if (ctx.dialect.capabilities.supportsRowLocks) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) {
    throw new FlywheelError('NOT_FOUND', `run ${displayId(id)} does not exist`);
  }
  const merged = { ...decodeJson<Record<string, string>>(row.tags), ...tags };
  await ctx.db
    .updateTable('runs')
    .set({ tags: encodeJson(merged, 'tags') })
    .where('id', '=', id)
    .execute();
  return merged;
}

const METRIC_COLUMNS = ['run_id', 'key', 'step', 'value', 'at'] as const;

export async function insertMetrics(ctx: StoreContext, points: MetricPoint[]): Promise<void> {
  const rows = points.map((p) => [p.runId, p.key, p.step, encodeFloat(p.value), p.at]);
  await ctx.batch.insert(ctx.db, 'run_metrics', METRIC_COLUMNS, rows);
}

/** A run's metric points ordered by key, step and time; NULL values come back as NaN. */
export async function listMetrics(
  { db }: StoreContext,
  runId: string,
  key?: string,
): Promise<MetricPoint[]> {
  let query = db.selectFrom('run_metrics').selectAll().where('run_id', '=', runId);
  if (key !== undefined) query = query.where('key', '=', key);
  const rows = await query.orderBy('key').orderBy('step').orderBy('at').execute();
  return rows.map((r) => ({
    runId: r.run_id,
    key: r.key,
    step: r.step,
    value: r.value ?? Number.NaN,
    at: r.at,
  }));
}

export async function insertRunArtifact({ db }: StoreContext, a: RunArtifact): Promise<void> {
  await db
    .insertInto('run_artifacts')
    .values({
      run_id: a.runId,
      name: a.name,
      sha256: a.sha256,
      size: a.size,
      media_type: a.mediaType,
      at: a.at,
    })
    .execute();
}

export async function listRunArtifacts(
  { db }: StoreContext,
  runId: string,
): Promise<RunArtifact[]> {
  const rows = await db
    .selectFrom('run_artifacts')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({
    runId: r.run_id,
    name: r.name,
    sha256: r.sha256,
    size: r.size,
    mediaType: r.media_type,
    at: r.at,
  }));
}
