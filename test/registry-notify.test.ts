/**
 * Registry change notifications: on PostgreSQL, an alias move or a canary
 * change made through any connection reaches a listener at once (migration
 * 010's triggers, LISTEN/NOTIFY), with the model's name; a listener whose
 * connection is cut reconnects and asks for a full refresh. SQLite has no
 * notifications (replicas there poll). An unreachable PostgreSQL skips the
 * suite with the reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testBundle } from '../src/registry/fixtures/test-bundle.js';
import { ModelRegistry } from '../src/registry/index.js';
import { openStore, watchRegistry } from '../src/store/index.js';
import { postgresHarness, sqliteHarness } from './fixtures/store/harness.js';

const postgres = await postgresHarness();
const sqlite = sqliteHarness();
if (postgres.skipReason)
  console.warn(`registry-notify.test.ts (PostgreSQL) skipped: ${postgres.skipReason}`);

afterAll(async () => {
  await postgres.cleanup();
  await sqlite.cleanup();
});

async function until(check: () => boolean, ms: number): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > ms) throw new Error('timed out');
    await sleep(5);
  }
  return performance.now() - start;
}

describe('registry change notifications', () => {
  it('are not offered on SQLite (replicas poll there)', async () => {
    const location = await sqlite.fresh();
    expect(watchRegistry(location, () => {})).toBeUndefined();
  });

  it.skipIf(postgres.skipReason !== undefined)(
    'reach a PostgreSQL listener on every alias move and canary change, and after a reconnect',
    async () => {
      const location = await postgres.fresh();
      if (location.kind !== 'postgres') throw new Error('expected PostgreSQL');
      const stores = await openStore(location);
      const seen: (string | null)[] = [];
      const watch = watchRegistry(location, (model) => seen.push(model))!;
      try {
        await until(() => seen.includes(null), 5_000); // connected: a first full refresh
        const registry = new ModelRegistry(stores);
        const v1 = await registry.register(await testBundle({ name: 'churn', seed: 1 }), {
          actor: 'ann',
        });
        const v2 = await registry.register(await testBundle({ name: 'churn', seed: 2 }), {
          actor: 'ann',
        });
        seen.length = 0;
        await registry.moveAlias({
          name: 'churn',
          alias: 'champion',
          version: v1.version,
          actor: 'ann',
          reason: 'first',
        });
        const ms = await until(() => seen.includes('churn'), 2_000);
        console.log(`[registry notify] alias move heard after ${ms.toFixed(1)} ms`);
        seen.length = 0;
        await registry.startCanary({
          name: 'churn',
          version: v2.version,
          weight: 10,
          shadow: false,
          actor: 'ann',
          reason: 'try',
        });
        await until(() => seen.filter((m) => m === 'churn').length >= 1, 2_000);
        seen.length = 0;
        await registry.setCanaryWeight({ name: 'churn', weight: 50, actor: 'ann', reason: 'more' });
        await until(() => seen.includes('churn'), 2_000);

        // The server ends the listener's session: it reconnects and asks for a full refresh.
        seen.length = 0;
        const admin = new pg.Client({ connectionString: location.url });
        await admin.connect();
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
        );
        await admin.end();
        await until(() => seen.includes(null), 10_000);
        seen.length = 0;
        await registry.endCanary({
          name: 'churn',
          outcome: 'rolled_back',
          actor: 'ann',
          reason: 'no',
        });
        await until(() => seen.includes('churn'), 2_000);
      } finally {
        await watch.close();
        await stores.close();
      }
    },
    30_000,
  );
});
