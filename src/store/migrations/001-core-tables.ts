/**
 * Migration 001: runs and what they produce (metric series, artifacts).
 * Released migrations never change; add a new numbered file instead.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function coreTables(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')`),
        )
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('ended_at', t.timestamp)
        .addColumn('parent_run_id', 'text', (c) => c.references('runs.id'))
        .addColumn('spec_hash', 'text')
        .addColumn('snapshot_id', 'text')
        .addColumn('code_version', 'text')
        .addColumn('git_commit', 'text')
        .addColumn('seed', 'bigint')
        .addColumn('params', t.json, (c) => c.notNull())
        .addColumn('tags', t.json, (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('pid', 'integer')
        .addColumn('hostname', 'text')
        .execute();
      await db.schema.createIndex('runs_started_at').on('runs').columns(['started_at']).execute();
      await db.schema
        .createIndex('runs_kind_started_at')
        .on('runs')
        .columns(['kind', 'started_at'])
        .execute();
      await db.schema.createIndex('runs_status').on('runs').columns(['status']).execute();
      await db.schema
        .createIndex('runs_parent_run_id')
        .on('runs')
        .columns(['parent_run_id'])
        .execute();

      await db.schema
        .createTable('run_metrics')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('step', 'bigint', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('run_metrics_run_key_step')
        .on('run_metrics')
        .columns(['run_id', 'key', 'step'])
        .execute();

      await db.schema
        .createTable('run_artifacts')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('media_type', 'text')
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('run_artifacts_pk', ['run_id', 'name'])
        .execute();
      await db.schema
        .createIndex('run_artifacts_sha256')
        .on('run_artifacts')
        .columns(['sha256'])
        .execute();
    },
  };
}
