/**
 * The model host over the real registry and SQLite store: promotion guarded
 * by the serving smoke check, a canary served and promoted by the controller
 * through the registry's endCanary, and a rollback, each picked up by the
 * host's change-token poll without a failed request.
 */
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelBundle, ModelRegistry } from '../src/registry/index.js';
import { requestRows, serveFixture } from '../src/serve/fixtures/serve-bundle.js';
import {
  type DeploymentSource,
  PredictionLogger,
  RegistryModelHost,
  type ScoredRow,
  smokeCheck,
} from '../src/serve/index.js';
import { openStore, type Stores } from '../src/store/index.js';
import { testDir } from './fixtures/tmp.js';

let v1: ModelBundle;
let v2: ModelBundle;
const rows = requestRows(200, 5);
const change = { actor: 'ann', reason: 'serving test' };

beforeAll(async () => {
  v1 = (await serveFixture({ seed: 1 })).bundle;
  // The same model retrained (same scores), so a canary of it passes its checks.
  v2 = { ...v1, latencyBudget: { p99_ms: 1000 }, createdAt: '2024-07-01T00:00:00.000Z' };
});

let stores: Stores;
let registry: ModelRegistry;
let host: RegistryModelHost | undefined;

beforeEach(async () => {
  const dir = testDir('fw-serve-registry');
  stores = await openStore({
    kind: 'sqlite',
    path: path.join(dir, 'metadata.db'),
    artifactDir: path.join(dir, 'artifacts'),
  });
  registry = new ModelRegistry(stores);
});

afterEach(async () => {
  await host?.close();
  host = undefined;
  await stores.close();
});

async function served(name: string): Promise<readonly ScoredRow[]> {
  const outcome = await host!.predict(name, { rows: rows.slice(0, 3), requestId: 'r' });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.rows;
}

describe('RegistryModelHost over ModelRegistry', () => {
  it('is a DeploymentSource', () => {
    const source: DeploymentSource = registry;
    expect(source).toBe(registry);
  });

  it('serves what the registry deploys: promote, canary promoted by the controller, rollback', async () => {
    const first = await registry.register(v1, { actor: 'ann' });
    const second = await registry.register(v2, { actor: 'ann' });
    expect(second.version).toBe(first.version + 1);
    await registry.moveAlias({
      name: 'churn',
      alias: 'champion',
      version: 1,
      smokeCheck,
      ...change,
    });

    host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(stores.metadata),
      models: async () => (await registry.listModels()).map((m) => m.name),
      pollIntervalMs: 0,
      controller: { policy: { minRequests: 30 } },
    });
    expect(host.names()).toEqual(['churn']);
    expect((await served('churn')).map((r) => r.modelVersion)).toEqual(Array(3).fill('churn@1'));

    await registry.startCanary({
      name: 'churn',
      version: 2,
      weight: 50,
      shadow: false,
      smokeCheck,
      ...change,
    });
    expect(await host.refresh()).toBe(true);
    expect(host.metadata('churn')!.versions).toEqual(['1', '2']);

    for (let check = 0; check < 5; check++) {
      await Promise.all(
        rows.map((row, i) =>
          host!.predict('churn', {
            rows: [{ ...row, customer: `c${check}-${i}` }],
            requestId: `${i}`,
          }),
        ),
      );
      await host.controller!.tick();
    }
    const deployment = await registry.deployment('churn');
    expect(deployment.champion?.version).toBe(2);
    expect(deployment.canary).toBeUndefined();
    const history = await registry.aliasHistory('churn', 'champion');
    expect(history.at(-1)).toMatchObject({ actor: 'canary-controller', toVersion: 2 });
    expect((history.at(-1)!.evidence as { checks: unknown[] }).checks).toHaveLength(5);
    expect((await served('churn')).map((r) => r.modelVersion)).toEqual(Array(3).fill('churn@2'));

    await registry.rollback({ name: 'churn', ...change });
    await host.refresh();
    expect((await served('churn')).map((r) => r.modelVersion)).toEqual(Array(3).fill('churn@1'));
    // 3 + 1000 + 3 + 3 answered predictions (the canary rows included), all logged.
    expect(await stores.metadata.countPredictions()).toBe(1009);
  });

  it('refuses to promote a version the serving path cannot score', async () => {
    // The model loads, but the bundle lacks derived features it needs.
    const broken = await registry.register(
      { ...v1, derived: v1.derived.slice(0, 1) },
      { actor: 'ann' },
    );
    await expect(
      registry.moveAlias({
        name: 'churn',
        alias: 'champion',
        version: broken.version,
        smokeCheck,
        ...change,
      }),
    ).rejects.toMatchObject({
      code: 'GATE_FAILED',
      message: expect.stringMatching(/needs feature "x_sum"/),
    });
    expect(await registry.aliases('churn')).toEqual({});
    const good = await registry.register(v1, { actor: 'ann' });
    await registry.moveAlias({
      name: 'churn',
      alias: 'champion',
      version: good.version,
      smokeCheck,
      ...change,
    });
    expect(await registry.aliases('churn')).toEqual({ champion: good.version });
  });
});
