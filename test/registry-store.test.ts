/**
 * The model registry and API tokens on every metadata engine (SQLite always,
 * PostgreSQL on the real server), with real stores and bundles built by hand;
 * then the `models` and `tokens` commands on SQLite.
 */
import { createHash } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { modelsCommand } from '../src/cli/commands/models.js';
import { tokensCommand } from '../src/cli/commands/tokens.js';
import type { Io } from '../src/cli/output.js';
import { FlywheelError } from '../src/errors.js';
import { testBundle } from '../src/registry/fixtures/test-bundle.js';
import { type ModelBundle, ModelRegistry, roleAllows, TokenStore } from '../src/registry/index.js';
import {
  type LocalArtifactStore,
  openStore,
  RunTracker,
  type StoreLocation,
  type Stores,
} from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

const sqlite = sqliteHarness();
const harnesses: StoreHarness[] = [sqlite, await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

const TABLES = [
  'runs',
  'run_metrics',
  'run_artifacts',
  'audit_log',
  'prediction_log',
  'snapshots',
  'model_versions',
  'model_aliases',
  'alias_moves',
  'canaries',
  'api_tokens',
] as const;

/** Expects `promise` to reject with a FlywheelError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  expect((err as FlywheelError).code).toBe(code);
  return err as FlywheelError;
}

/** A clock the test moves by hand. */
function manualClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

/** Resolves once `n` callers are waiting, so they continue together. */
function barrier(n: number): () => Promise<void> {
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  return async () => {
    if (++waiting === n) release();
    await all;
  };
}

for (const harness of harnesses) {
  if (harness.skipReason) {
    console.warn(`[registry] ${harness.engine} SKIPPED: ${harness.skipReason}`);
  }
  const title = harness.skipReason
    ? `ModelRegistry on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `ModelRegistry on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => registrySuite(harness));
}

function registrySuite(harness: StoreHarness): void {
  const clock = manualClock('2025-01-01T00:00:00Z');

  async function withRegistry(
    fn: (registry: ModelRegistry, stores: Stores, location: StoreLocation) => Promise<void>,
  ) {
    const location = await harness.fresh();
    const stores = await openStore(location);
    try {
      await fn(new ModelRegistry(stores, { now: clock.now }), stores, location);
    } finally {
      await stores.close();
    }
  }

  /** Registers blessed bundles with seeds 1…n of model `name`. */
  async function registerMany(registry: ModelRegistry, n: number, name = 'churn') {
    const versions = [];
    for (let seed = 1; seed <= n; seed++) {
      versions.push(await registry.register(await testBundle({ name, seed }), { actor: 'ann' }));
    }
    return versions;
  }

  const move = (name: string, alias: string, version: number, extra: object = {}) => ({
    name,
    alias,
    version,
    actor: 'ann',
    reason: `set ${alias} to ${version}`,
    ...extra,
  });

  describe('registration', () => {
    it('numbers versions per name, is idempotent by bundle sha, and never changes a version', async () => {
      await withRegistry(async (registry, { metadata, artifacts }) => {
        const run = await new RunTracker(metadata).startRun({ kind: 'train' });
        const bundle = await testBundle({ runId: run.id });
        const v1 = await registry.register(bundle, { actor: 'ann' });
        expect(v1).toMatchObject({
          name: 'churn',
          version: 1,
          runId: run.id,
          snapshotId: null,
          specHash: 'spec-0001',
          rung: 'logistic',
          blessed: true,
          createdBy: 'ann',
        });
        expect(await artifacts.has(v1.bundleSha256)).toBe(true);
        // The same content assembled in another key order is the same bundle.
        const reordered = Object.fromEntries(Object.entries(bundle).reverse()) as ModelBundle;
        expect(await registry.register(reordered, { actor: 'bob' })).toEqual(v1);
        const v2 = await registry.register(await testBundle({ seed: 2 }), { actor: 'bob' });
        expect(v2.version).toBe(2);
        const other = await registry.register(await testBundle({ name: 'fraud' }), { actor: 'x' });
        expect(other.version).toBe(1);

        expect(await registry.listVersions('churn')).toEqual([v1, v2]);
        expect(await registry.listModels()).toEqual([
          { name: 'churn', versions: 2, aliases: {} },
          { name: 'fraud', versions: 1, aliases: {} },
        ]);
        expect(await registry.loadBundle(v1)).toEqual(JSON.parse(JSON.stringify(bundle)));
        const attached = await metadata.listRunArtifacts(run.id);
        expect(attached).toMatchObject([
          {
            name: 'bundle.json',
            sha256: v1.bundleSha256,
            mediaType: 'application/vnd.flywheel.bundle+json',
          },
        ]);
        const audits = await metadata.listAudit({ action: 'model.register' });
        expect(audits.map((a) => [a.objectId, a.details['version']])).toEqual([
          ['fraud', 1],
          ['churn', 2],
          ['churn', 1],
        ]);
        await expect(
          metadata.db.updateTable('model_versions').set({ blessed: 1 }).execute(),
        ).rejects.toThrow(/append-only/);
        await expect(metadata.db.deleteFrom('model_versions').execute()).rejects.toThrow(
          /append-only/,
        );
      });
    });

    it('refuses malformed bundles and models that do not load, storing nothing', async () => {
      await withRegistry(async (registry, { metadata }) => {
        const good = await testBundle();
        const bad = { ...good, lineage: { ...good.lineage, runId: '' } };
        const err = await rejectsWith(registry.register(bad, { actor: 'ann' }), 'USAGE');
        expect(err.message).toMatch(/lineage\.runId/);
        const pickle = { ...good, model: { format: 'pickle', payload: 'cos\nsystem\n' } };
        await rejectsWith(registry.register(pickle, { actor: 'ann' }), 'USAGE');
        await rejectsWith(registry.register(good, { actor: ' ' }), 'USAGE');
        expect(await registry.listModels()).toEqual([]);
        expect(await metadata.listAudit()).toEqual([]);
      });
    });

    it('numbers concurrent registrations from two connections without gaps or clashes', async () => {
      await withRegistry(async (registry, _stores, location) => {
        const second = await openStore(location);
        try {
          const other = new ModelRegistry(second);
          const bundles = await Promise.all(
            Array.from({ length: 12 }, (_, i) => testBundle({ seed: i + 1 })),
          );
          const versions = await Promise.all(
            bundles.map((b, i) => (i % 2 ? registry : other).register(b, { actor: 'ann' })),
          );
          expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(
            Array.from({ length: 12 }, (_, i) => i + 1),
          );
          const again = await Promise.all(
            bundles.map((b, i) => (i % 2 ? other : registry).register(b, { actor: 'bob' })),
          );
          expect(again).toEqual(versions);
        } finally {
          await second.close();
        }
      });
    });
  });

  describe('references', () => {
    it('resolves NAME, NAME@N, NAME@vN and NAME@ALIAS, with clear errors', async () => {
      await withRegistry(async (registry) => {
        const [v1, v2] = await registerMany(registry, 2);
        await registry.moveAlias(move('churn', 'champion', 1));
        await registry.moveAlias(move('churn', 'staging', 2));
        expect(await registry.resolve('churn')).toEqual(v1);
        expect(await registry.resolve('churn@champion')).toEqual(v1);
        expect(await registry.resolve('churn@2')).toEqual(v2);
        expect(await registry.resolve('churn@v2')).toEqual(v2);
        expect(await registry.resolve('churn@staging')).toEqual(v2);
        expect(await registry.aliases('churn')).toEqual({ champion: 1, staging: 2 });

        expect((await rejectsWith(registry.resolve('churn@3'), 'NOT_FOUND')).message).toBe(
          'model churn has no version 3',
        );
        const noAlias = await rejectsWith(registry.resolve('churn@prod'), 'NOT_FOUND');
        expect(noAlias.message).toBe('model churn has no alias prod');
        expect(noAlias.hint).toBe('its aliases are: champion, staging');
        expect((await rejectsWith(registry.resolve('nope'), 'NOT_FOUND')).message).toBe(
          'no model named nope',
        );
        for (const ref of ['churn@', 'churn@1@2', '../x', 'churn@v0']) {
          await rejectsWith(registry.resolve(ref), 'USAGE');
        }
      });
    });
  });

  describe('promotion', () => {
    it('refuses an unblessed version for champion or canary with GATE_FAILED (exit 4)', async () => {
      await withRegistry(async (registry, { metadata }) => {
        await registerMany(registry, 1);
        const unblessed = await registry.register(await testBundle({ seed: 9, blessed: false }), {
          actor: 'ann',
        });
        await registry.moveAlias(move('churn', 'champion', 1));
        const token = await registry.changeToken();
        const err = await rejectsWith(
          registry.moveAlias(move('churn', 'champion', unblessed.version)),
          'GATE_FAILED',
        );
        expect(err.exitCode).toBe(4);
        expect(err.message).toMatch(/churn@2 is not blessed/);
        await rejectsWith(
          registry.startCanary({ ...move('churn', 'canary', 2), weight: 10, shadow: false }),
          'GATE_FAILED',
        );
        expect(await registry.changeToken()).toBe(token);
        expect(await registry.aliases('churn')).toEqual({ champion: 1 });
        // Other aliases need no blessing unless asked; champion's can be waived, and that is audited.
        await registry.moveAlias(move('churn', 'shadow-test', 2));
        await rejectsWith(
          registry.moveAlias(move('churn', 'qa', 2, { requireBlessing: true })),
          'GATE_FAILED',
        );
        await registry.moveAlias(move('churn', 'champion', 2, { requireBlessing: false }));
        const [last] = await metadata.listAudit({ action: 'model.alias.move', limit: 1 });
        expect(last?.details).toMatchObject({ to: 2, blessed: false, requireBlessing: false });
      });
    });

    it('aborts on a failed smoke check and records nothing', async () => {
      await withRegistry(async (registry, { metadata }) => {
        await registerMany(registry, 1);
        const token = await registry.changeToken();
        const audits = (await metadata.listAudit()).length;
        const err = await rejectsWith(
          registry.moveAlias(
            move('churn', 'champion', 1, {
              smokeCheck: async () => {
                throw new Error('scorer rejected the bundle');
              },
            }),
          ),
          'GATE_FAILED',
        );
        expect(err.message).toBe('smoke check of churn@1 failed: scorer rejected the bundle');
        // The default check scores a row of missing values; NaN fails it.
        const good = await testBundle({ seed: 5 });
        const nan = {
          ...(good.model as object),
          kind: 'prior',
          params: {},
          state: { value: ['x'] },
        };
        const broken = await registry.register({ ...good, model: nan }, { actor: 'ann' });
        const byDefault = await rejectsWith(
          registry.moveAlias(move('churn', 'champion', broken.version)),
          'GATE_FAILED',
        );
        expect(byDefault.message).toMatch(/non-finite score/);
        expect(await registry.aliases('churn')).toEqual({});
        expect(await registry.aliasHistory('churn')).toEqual([]);
        expect(await registry.changeToken()).toBe(token);
        expect(await metadata.listAudit()).toHaveLength(audits + 1); // the registration only
      });
    });

    it('refuses a corrupt bundle with ARTIFACT_CORRUPT and moves nothing', async () => {
      await withRegistry(async (registry, { artifacts }) => {
        const [v1] = await registerMany(registry, 1);
        const file = (artifacts as LocalArtifactStore).pathFor(v1!.bundleSha256);
        await chmod(file, 0o644);
        await writeFile(file, '{"format":"flywheel.bundle/v1"}');
        await rejectsWith(registry.loadBundle(v1!), 'ARTIFACT_CORRUPT');
        await rejectsWith(registry.moveAlias(move('churn', 'champion', 1)), 'ARTIFACT_CORRUPT');
        expect(await registry.aliases('churn')).toEqual({});
      });
    });

    it('lets exactly one of two concurrent promotions win; the other gets CONFLICT', async () => {
      await withRegistry(async (registry, _stores, location) => {
        await registerMany(registry, 4);
        await registry.moveAlias(move('churn', 'champion', 1));
        const second = await openStore(location);
        try {
          const other = new ModelRegistry(second);
          // Each race is between two versions the champion does not hold.
          for (const [a, b] of [
            [2, 3],
            [4, 1],
          ] as const) {
            const together = barrier(2);
            const results = await Promise.allSettled([
              registry.moveAlias(move('churn', 'champion', a, { smokeCheck: together })),
              other.moveAlias(move('churn', 'champion', b, { smokeCheck: together })),
            ]);
            const won = results.filter((r) => r.status === 'fulfilled');
            const lost = results.filter((r) => r.status === 'rejected');
            expect(won).toHaveLength(1);
            expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
          }
          // The history is one unbroken chain: each move starts where the last ended.
          const history = await registry.aliasHistory('churn', 'champion');
          expect(history).toHaveLength(3);
          for (let i = 1; i < history.length; i++) {
            expect(history[i]!.fromVersion).toBe(history[i - 1]!.toVersion);
          }
          // A new alias created by two writers at once: also one winner.
          const together = barrier(2);
          const results = await Promise.allSettled([
            registry.moveAlias(move('churn', 'staging', 2, { smokeCheck: together })),
            other.moveAlias(move('churn', 'staging', 3, { smokeCheck: together })),
          ]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          expect(await registry.aliasHistory('churn', 'staging')).toHaveLength(1);
        } finally {
          await second.close();
        }
      });
    });

    it('moving an alias to the version it holds changes nothing', async () => {
      await withRegistry(async (registry) => {
        await registerMany(registry, 1);
        const first = await registry.moveAlias(move('churn', 'champion', 1));
        const token = await registry.changeToken();
        expect(await registry.moveAlias(move('churn', 'champion', 1))).toEqual(first);
        expect(await registry.changeToken()).toBe(token);
      });
    });

    it('keeps the canary alias for the canary operations and validates input', async () => {
      await withRegistry(async (registry) => {
        await registerMany(registry, 1);
        await rejectsWith(registry.moveAlias(move('churn', 'canary', 1)), 'USAGE');
        await rejectsWith(registry.moveAlias(move('churn', 'v2', 1)), 'USAGE');
        await rejectsWith(
          registry.moveAlias(move('churn', 'champion', 1, { reason: '' })),
          'USAGE',
        );
        await rejectsWith(registry.moveAlias(move('churn', 'champion', 7)), 'NOT_FOUND');
        await rejectsWith(registry.moveAlias(move('ghost', 'champion', 1)), 'NOT_FOUND');
      });
    });
  });

  describe('history', () => {
    it('records who, when, why and evidence, and answers what served on date X', async () => {
      await withRegistry(async (registry, { metadata }) => {
        await registerMany(registry, 3);
        clock.set('2025-02-01T00:00:00Z');
        await registry.moveAlias(move('churn', 'champion', 1, { evidence: { auc: 0.81 } }));
        clock.set('2025-03-01T00:00:00Z');
        await registry.moveAlias(move('churn', 'champion', 2, { actor: 'bob' }));
        clock.set('2025-03-05T00:00:00Z');
        await registry.moveAlias(move('churn', 'staging', 3));
        clock.set('2025-04-01T00:00:00Z');
        const back = await registry.rollback({
          name: 'churn',
          actor: 'carol',
          reason: 'v2 costs more in production',
          evidence: { costDelta: 1200 },
        });
        expect(back).toMatchObject({
          alias: 'champion',
          action: 'rollback',
          fromVersion: 2,
          toVersion: 1,
          actor: 'carol',
          at: '2025-04-01T00:00:00.000Z',
          evidence: { costDelta: 1200 },
        });

        const champion = await registry.aliasHistory('churn', 'champion');
        expect(champion.map((m) => [m.action, m.fromVersion, m.toVersion, m.actor])).toEqual([
          ['promote', null, 1, 'ann'],
          ['promote', 1, 2, 'bob'],
          ['rollback', 2, 1, 'carol'],
        ]);
        expect(champion[0]).toMatchObject({ reason: 'set champion to 1', evidence: { auc: 0.81 } });
        expect(await registry.aliasHistory('churn')).toHaveLength(4);

        const served = (iso: string, alias = 'champion') =>
          registry.servedAt('churn', alias, new Date(iso));
        expect(await served('2025-01-15T00:00:00Z')).toBeUndefined();
        expect(await served('2025-02-01T00:00:00Z')).toBe(1);
        expect(await served('2025-02-28T23:59:59Z')).toBe(1);
        expect(await served('2025-03-02T00:00:00Z')).toBe(2);
        expect(await served('2025-03-02T00:00:00Z', 'staging')).toBeUndefined();
        expect(await served('2025-03-06T00:00:00Z', 'staging')).toBe(3);
        expect(await served('2025-06-01T00:00:00Z')).toBe(1);

        // Every move is in the audit log too, with the same id.
        const audit = await metadata.listAudit({ objectType: 'model', objectId: 'churn' });
        const moveIds = audit.map((a) => a.details['moveId']).filter((id) => id !== undefined);
        expect(moveIds.sort()).toEqual(
          (await registry.aliasHistory('churn')).map((m) => m.id).sort(),
        );
        await expect(metadata.db.deleteFrom('alias_moves').execute()).rejects.toThrow(
          /append-only/,
        );
      });
    });

    it('rolls back to the previous version, refusing when there is none', async () => {
      await withRegistry(async (registry) => {
        await registerMany(registry, 2);
        const rollback = () => registry.rollback({ name: 'churn', actor: 'ann', reason: 'undo' });
        await rejectsWith(rollback(), 'NOT_FOUND');
        await registry.moveAlias(move('churn', 'champion', 1));
        await rejectsWith(rollback(), 'CONFLICT');
        await registry.moveAlias(move('churn', 'champion', 2));
        expect((await rollback()).toVersion).toBe(1);
        expect((await rollback()).toVersion).toBe(2); // undoing the rollback
        await registry.removeAlias({ name: 'churn', alias: 'champion', actor: 'ann', reason: 'x' });
        await rejectsWith(registry.resolve('churn'), 'NOT_FOUND');
        await rejectsWith(
          registry.removeAlias({ name: 'churn', alias: 'champion', actor: 'ann', reason: 'x' }),
          'NOT_FOUND',
        );
        expect((await rollback()).toVersion).toBe(2); // restores what the removal took away
        await rejectsWith(
          registry.rollback({ name: 'churn', alias: 'canary', actor: 'a', reason: 'r' }),
          'USAGE',
        );
        await rejectsWith(
          registry.rollback({ name: 'ghost', actor: 'a', reason: 'r' }),
          'NOT_FOUND',
        );
      });
    });
  });

  describe('canary', () => {
    it('starts, reweighs and promotes a canary, recording every step', async () => {
      await withRegistry(async (registry, { metadata }) => {
        const [v1, v2] = await registerMany(registry, 3);
        const start = { name: 'churn', version: 2, weight: 10, shadow: false, actor: 'ann' };
        await rejectsWith(registry.startCanary({ ...start, reason: 'try v2' }), 'CONFLICT');
        await registry.moveAlias(move('churn', 'champion', 1));
        await rejectsWith(
          registry.startCanary({ ...start, version: 1, reason: 'already champion' }),
          'USAGE',
        );
        const bad = await rejectsWith(
          registry.startCanary({ ...start, weight: 150, reason: 'too much' }),
          'USAGE',
        );
        expect(bad.details).toEqual({ field: 'weight' });

        const tokens = [await registry.changeToken()];
        clock.set('2025-05-01T00:00:00Z');
        const started = await registry.startCanary({ ...start, reason: 'v2 passed the gate' });
        tokens.push(await registry.changeToken());
        expect(started).toMatchObject({ alias: 'canary', action: 'canary.start', toVersion: 2 });
        expect(await registry.deployment('churn')).toEqual({
          name: 'churn',
          champion: v1,
          canary: { version: v2, weight: 10, shadow: false, startedAt: '2025-05-01T00:00:00.000Z' },
          changeToken: tokens[1],
        });
        await rejectsWith(registry.startCanary({ ...start, version: 3, reason: 'x' }), 'CONFLICT');

        await registry.setCanaryWeight({
          name: 'churn',
          weight: 50,
          actor: 'controller',
          reason: '5 good checks',
          evidence: { checks: 5 },
        });
        tokens.push(await registry.changeToken());
        expect((await registry.deployment('churn')).canary?.weight).toBe(50);
        await rejectsWith(
          registry.setCanaryWeight({ name: 'churn', weight: -1, actor: 'c', reason: 'r' }),
          'USAGE',
        );

        const promoted = await registry.endCanary({
          name: 'churn',
          outcome: 'promoted',
          actor: 'controller',
          reason: '10 good checks',
          evidence: { errorRate: 0.001 },
        });
        tokens.push(await registry.changeToken());
        expect(promoted).toMatchObject({
          alias: 'champion',
          action: 'canary.promote',
          fromVersion: 1,
          toVersion: 2,
        });
        const after = await registry.deployment('churn');
        expect(after.champion).toEqual(v2);
        expect(after.canary).toBeUndefined();
        expect(new Set(tokens).size).toBe(tokens.length);
        expect((await registry.aliasHistory('churn')).map((m) => [m.alias, m.action])).toEqual([
          ['champion', 'promote'],
          ['canary', 'canary.start'],
          ['champion', 'canary.promote'],
          ['canary', 'canary.promoted'],
        ]);
        const actions = (await metadata.listAudit({ objectId: 'churn' })).map((a) => a.action);
        expect(actions.slice(0, 4)).toEqual([
          'model.canary.end',
          'model.canary.weight',
          'model.canary.start',
          'model.alias.move',
        ]);
        await rejectsWith(
          registry.endCanary({ name: 'churn', outcome: 'aborted', actor: 'a', reason: 'r' }),
          'NOT_FOUND',
        );
      });
    });

    it('rolls back or aborts a canary, leaving the champion alone', async () => {
      await withRegistry(async (registry) => {
        const [v1] = await registerMany(registry, 3);
        await registry.moveAlias(move('churn', 'champion', 1));
        for (const outcome of ['rolled_back', 'aborted'] as const) {
          await registry.startCanary({
            name: 'churn',
            version: 3,
            weight: 5,
            shadow: true,
            actor: 'ann',
            reason: 'shadow run',
          });
          expect((await registry.deployment('churn')).canary?.shadow).toBe(true);
          const ended = await registry.endCanary({
            name: 'churn',
            outcome,
            actor: 'controller',
            reason: 'p99 over budget',
          });
          expect(ended).toMatchObject({
            alias: 'canary',
            action: `canary.${outcome}`,
            toVersion: null,
          });
          const deployment = await registry.deployment('churn');
          expect(deployment.champion).toEqual(v1);
          expect(deployment.canary).toBeUndefined();
        }
        await rejectsWith(registry.deployment('ghost'), 'NOT_FOUND');
      });
    });

    it('changes the change token on every move and canary change, and only then', async () => {
      await withRegistry(async (registry) => {
        await registerMany(registry, 2);
        const seen = [await registry.changeToken()];
        const expectNew = async () => {
          const token = await registry.changeToken();
          expect(seen).not.toContain(token);
          seen.push(token);
        };
        await registry.register(await testBundle({ seed: 3 }), { actor: 'ann' });
        expect(await registry.changeToken()).toBe(seen[0]);
        await registry.moveAlias(move('churn', 'champion', 1));
        await expectNew();
        await registry.moveAlias(move('churn', 'staging', 2));
        await expectNew();
        await registry.startCanary({ ...move('churn', 'canary', 2), weight: 1, shadow: false });
        await expectNew();
        for (const weight of [2, 2, 3]) {
          await registry.setCanaryWeight({ name: 'churn', weight, actor: 'c', reason: 'r' });
          await expectNew();
        }
        await registry.endCanary({ name: 'churn', outcome: 'aborted', actor: 'c', reason: 'r' });
        await expectNew();
        await registry.moveAlias(move('churn', 'staging', 1));
        await expectNew();
        await registry.rollback({ name: 'churn', alias: 'staging', actor: 'a', reason: 'r' });
        await expectNew();
      });
    });
  });

  describe('tokens', () => {
    it('stores only hashes, verifies, revokes, and audits without the token', async () => {
      await withRegistry(async (_registry, stores, location) => {
        const tokens = new TokenStore(stores);
        const created = await tokens.create({ role: 'predictor', name: 'checkout', actor: 'ann' });
        expect(created.token).toMatch(/^fw_[A-Za-z0-9_-]{43}$/);
        expect(created.role).toBe('predictor');
        const admin = await tokens.create({ role: 'admin', name: 'ops', actor: 'ann' });

        const dump: string[] = [];
        for (const table of TABLES) {
          dump.push(
            JSON.stringify(await stores.metadata.db.selectFrom(table).selectAll().execute()),
          );
        }
        const everything = dump.join('\n');
        expect(everything).toContain(createHash('sha256').update(created.token).digest('hex'));
        for (const t of [created.token, admin.token]) {
          expect(everything).not.toContain(t);
          expect(everything).not.toContain(t.slice(3));
        }
        if (location.kind === 'sqlite') {
          for (const file of [location.path, `${location.path}-wal`]) {
            const bytes = await readFile(file).catch(() => Buffer.alloc(0));
            expect(bytes.includes(Buffer.from(created.token.slice(3)))).toBe(false);
          }
        }

        expect(await tokens.verify(created.token)).toEqual({
          id: created.id,
          role: 'predictor',
          name: 'checkout',
        });
        expect(await tokens.verify(admin.token)).toMatchObject({ role: 'admin' });
        const forged = `fw_${'A'.repeat(43)}`;
        for (const wrong of [
          forged,
          'Bearer x',
          '',
          created.token.slice(0, -1),
          `${created.token}x`,
        ]) {
          expect(await tokens.verify(wrong)).toBeUndefined();
        }

        const elsewhere = new TokenStore(stores, { cacheMs: 0 });
        await tokens.revoke(created.id, 'bob');
        await tokens.revoke(created.id, 'bob'); // again: a no-op
        expect(await tokens.verify(created.token)).toBeUndefined();
        expect(await elsewhere.verify(created.token)).toBeUndefined();
        expect(await elsewhere.verify(admin.token)).toMatchObject({ id: admin.id });
        await rejectsWith(tokens.revoke('tok_0000000000000000', 'bob'), 'NOT_FOUND');
        await rejectsWith(tokens.revoke('../etc', 'bob'), 'NOT_FOUND');

        const list = await tokens.list();
        const rows = list.map((t) => [t.id, t.name, t.role, t.revokedAt === null]);
        expect(rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
          [created.id, 'checkout', 'predictor', false],
          [admin.id, 'ops', 'admin', true],
        ]);
        expect(JSON.stringify(list)).not.toMatch(/fw_|[0-9a-f]{64}/);
        const audit = await stores.metadata.listAudit({ objectType: 'token' });
        expect(audit.map((a) => a.action)).toEqual([
          'token.revoke',
          'token.create',
          'token.create',
        ]);
        expect(JSON.stringify(audit)).not.toContain(created.token);
        await rejectsWith(
          tokens.create({ role: 'root' as never, name: 'x', actor: 'ann' }),
          'USAGE',
        );
        expect(roleAllows((await tokens.verify(admin.token))!.role, 'deploy')).toBe(true);
      });
    });

    it('reuses a verification for about a second, then sees a revocation by another process', async () => {
      await withRegistry(async (_registry, stores, location) => {
        const cached = new TokenStore(stores, { cacheMs: 300 });
        const { id, token } = await cached.create({ role: 'viewer', name: 'dash', actor: 'ann' });
        expect(await cached.verify(token)).toMatchObject({ id });
        const second = await openStore(location);
        try {
          await new TokenStore(second).revoke(id, 'bob');
        } finally {
          await second.close();
        }
        expect(await cached.verify(token)).toMatchObject({ id }); // still cached
        await new Promise((resolve) => setTimeout(resolve, 350));
        expect(await cached.verify(token)).toBeUndefined();
      });
    });
  });
}

describe('flywheel models and tokens (SQLite)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Runs a command; returns the exit code `main` would (commander's own errors: 2). */
  async function exitCode(command: Command, args: string[]): Promise<number> {
    const quiet = (c: Command) => {
      c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      for (const sub of c.commands) quiet(sub);
    };
    quiet(command);
    try {
      await command.parseAsync(args, { from: 'user' });
      return 0;
    } catch (e) {
      return e instanceof FlywheelError ? e.exitCode : 2;
    }
  }

  async function setup() {
    const location = await sqlite.fresh();
    if (location.kind !== 'sqlite') throw new Error('unreachable');
    const store = `sqlite:${location.path}`;
    const stores = await openStore(location);
    const registry = new ModelRegistry(stores);
    await registry.register(await testBundle({ seed: 1 }), { actor: 'ann' });
    await registry.register(await testBundle({ seed: 2 }), { actor: 'ann' });
    await registry.register(await testBundle({ seed: 3, blessed: false }), { actor: 'ann' });
    await stores.close();
    const printed: string[] = [];
    const io: Io = {
      out: (t) => printed.push(t),
      err: (t) => printed.push(`stderr: ${t}`),
      interactive: false,
    };
    const run = async (make: (io: Io) => Command, ...args: string[]) => {
      printed.length = 0;
      const code = await exitCode(make(io), [...args, '--store', store]);
      return { code, printed: printed.join('\n') };
    };
    return { location, run };
  }

  it('lists, promotes, shows, exports, rolls back and tells what served when', async () => {
    const { run, location } = await setup();
    const models = (io: Io) => modelsCommand(io);
    vi.stubEnv('FLYWHEEL_ACTOR', 'cli-tester');

    expect((await run(models, 'list')).printed).toMatch(/^model\s+versions\s+champion/);
    let r = await run(models, 'promote', 'churn@1', '--reason', 'first model');
    expect(r.code).toBe(0);
    expect(r.printed).toMatch(/churn@champion: \(unset\) → 1 \(move #\d+, by cli-tester\)/);
    r = await run(models, 'promote', 'churn@3', '--reason', 'unblessed');
    expect(r.code).toBe(4);
    r = await run(models, 'promote', 'churn', '--reason', 'which version?');
    expect(r.code).toBe(2);
    r = await run(models, 'promote', 'churn@2');
    expect(r.code).toBe(2); // --reason is required
    r = await run(
      models,
      'promote',
      'churn@2',
      '--reason',
      'better',
      '--evidence',
      '{"auc":0.9}',
      '--json',
    );
    expect(JSON.parse(r.printed).move).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      evidence: { auc: 0.9 },
    });
    r = await run(models, 'promote', 'churn@2', '--reason', 'again');
    expect(r.printed).toMatch(/already points at version 2/);
    const refusing = (io: Io) =>
      modelsCommand(io, {
        smokeCheck: async () => {
          throw new Error('the scorer says no');
        },
      });
    expect((await run(refusing, 'promote', 'churn@1', '--reason', 'back')).code).toBe(4);

    const list = JSON.parse((await run(models, 'list', '--json')).printed);
    expect(list.models).toEqual([{ name: 'churn', versions: 3, aliases: { champion: 2 } }]);

    r = await run(models, 'show', 'churn');
    expect(r.printed).toMatch(/model\s+churn@2 \(champion\)/);
    expect(r.printed).toMatch(/blessed\s+yes/);
    expect(r.printed).toMatch(/inputs\s+x1 \(numeric\), city \(categorical, 3\)/);
    const shown = JSON.parse((await run(models, 'show', 'churn@3', '--json')).printed);
    expect(shown.version).toMatchObject({ version: 3, blessed: false });
    expect(shown.bundle).toMatchObject({
      task: 'binary',
      rung: 'logistic',
      lineage: { runId: 'run-3' },
    });
    expect(shown.bundle.model).toBeUndefined();
    expect(shown.history).toHaveLength(2);
    expect((await run(models, 'show', 'nope@1')).code).toBe(2);

    const out = join(location.artifactDir, '..', 'exported.json');
    r = await run(models, 'export', 'churn@champion', '--out', out, '--json');
    const exported = JSON.parse(r.printed);
    const bytes = await readFile(out);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(exported.sha256);
    expect(JSON.parse(bytes.toString()).name).toBe('churn');

    r = await run(models, 'rollback', 'churn', '--reason', 'cost went up');
    expect(r.printed).toMatch(/churn@champion rolled back: 2 → 1/);

    r = await run(models, 'history', 'churn');
    expect(r.printed).toMatch(/rollback\s+2 → 1\s+cli-tester\s+cost went up/);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const served = JSON.parse(
      (await run(models, 'history', 'churn', '--at', future, '--json')).printed,
    );
    expect(served).toEqual({ name: 'churn', at: future, served: { champion: 1 } });
    const past = JSON.parse(
      (await run(models, 'history', 'churn', '--at', '2000-01-01', '--json')).printed,
    );
    expect(past.served).toEqual({ champion: null });
    expect((await run(models, 'history', 'churn', '--at', 'yesterday')).code).toBe(2);
    expect((await run(models, 'history', 'ghost')).code).toBe(2);
  });

  it('creates a token shown once, lists and revokes it', async () => {
    const { run } = await setup();
    const tokens = (io: Io) => tokensCommand(io);
    const created = JSON.parse(
      (await run(tokens, 'create', '--role', 'deployer', '--name', 'ci', '--json')).printed,
    );
    expect(created).toMatchObject({
      role: 'deployer',
      name: 'ci',
      id: expect.stringMatching(/^tok_/),
    });
    expect(created.token).toMatch(/^fw_/);
    const plain = await run(tokens, 'create', '--role', 'viewer', '--name', 'dash');
    expect(plain.printed.split('\n')[0]).toMatch(/^fw_[A-Za-z0-9_-]{43}$/);
    expect(plain.printed).toMatch(
      /stderr: created token tok_\w+ \(viewer\) for dash; this is the only time/,
    );
    expect((await run(tokens, 'create', '--role', 'root', '--name', 'x')).code).toBe(2);

    const listed = await run(tokens, 'list');
    expect(listed.printed).toMatch(/^id\s+name\s+role\s+created\s+revoked/);
    expect(listed.printed).not.toContain(created.token);
    expect((await run(tokens, 'revoke', created.id)).printed).toBe(`revoked ${created.id}`);
    const after = JSON.parse((await run(tokens, 'list', '--json')).printed);
    expect(after.tokens.find((t: { id: string }) => t.id === created.id).revokedAt).not.toBeNull();
    expect((await run(tokens, 'revoke', 'tok_ffffffffffffffff')).code).toBe(2);
  });
});
