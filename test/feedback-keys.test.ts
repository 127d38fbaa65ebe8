/**
 * Labels keyed by model, entity and event time, on every metadata engine
 * (SQLite always, PostgreSQL on the real server): the real host logs each
 * served row with its bundle's entity and event time (a shadow canary
 * scoring the same rows), labels find their prediction by them and never
 * the shadow entry, and the joined labelled predictions and label counts
 * come back from the store.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import { ingestFeedback } from '../src/feedback/index.js';
import { type ModelBundle, ModelRegistry } from '../src/registry/index.js';
import { requestRows, serveFixture } from '../src/serve/fixtures/serve-bundle.js';
import { PredictionLogger, RegistryModelHost, smokeCheck } from '../src/serve/index.js';
import { openStore, type Stores } from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

const harnesses: StoreHarness[] = [sqliteHarness(), await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

let bundle: ModelBundle;
beforeAll(async () => {
  // The fixture's bundle, as a spec with `entity: customer` and `event_time: seen_at` makes it.
  bundle = (await serveFixture({ seed: 1 })).bundle;
});

for (const harness of harnesses) {
  if (harness.skipReason) {
    console.warn(`[feedback keys] ${harness.engine} SKIPPED: ${harness.skipReason}`);
  }
  const title = harness.skipReason
    ? `labels keyed by entity and event time on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `labels keyed by entity and event time on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => keyedLabels(harness));
}

function keyedLabels(harness: StoreHarness): void {
  const change = { actor: 'ann', reason: 'feedback keys test' };
  const rows = requestRows(60, 3);
  let stores: Stores;

  beforeEach(async () => {
    stores = await openStore(await harness.fresh());
    const registry = new ModelRegistry(stores);
    await registry.register(bundle, { actor: 'ann' });
    await registry.register({ ...bundle, createdAt: '2024-07-01T00:00:00.000Z' }, { actor: 'ann' });
    await registry.moveAlias({
      name: 'churn',
      alias: 'champion',
      version: 1,
      smokeCheck,
      ...change,
    });
    await registry.startCanary({
      name: 'churn',
      version: 2,
      weight: 100,
      shadow: true,
      smokeCheck,
      ...change,
    });
    const host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(stores.metadata),
      models: ['churn'],
      pollIntervalMs: 0,
    });
    const { customer: _, ...anonymous } = rows[0]!;
    const outcome = await host.predict('churn', {
      rows: [...rows, anonymous, { ...rows[1]!, seen_at: null }],
      requestId: 'r1',
    });
    expect(outcome.ok).toBe(true);
    await host.close(); // waits for the shadow scoring and drains the log
  });

  afterEach(async () => {
    await stores.close();
  });

  it('logs each served row with its entity and event time', async () => {
    const logged = await stores.metadata.listPredictions({ limit: 1000 });
    expect(logged).toHaveLength(2 * 62);
    const first = logged.find(
      (p) => p.modelVersion === 'churn@1' && (p.inputs as { customer?: string }).customer === 'c0',
    );
    expect(first).toMatchObject({
      entity: 'c0',
      eventTime: new Date(rows[0]!['seen_at'] as string).toISOString(),
    });
    const champion = logged.filter((p) => p.modelVersion === 'churn@1');
    expect(champion.filter((p) => p.entity === null)).toHaveLength(1);
    expect(champion.filter((p) => p.eventTime === null)).toHaveLength(1);
  });

  it('resolves labels to the served prediction, never the shadow entry, and lists them joined', async () => {
    const labels = rows.slice(0, 40).map((r, i) => ({
      model: 'churn',
      entity: r['customer'],
      event_time: r['seen_at'],
      label: i % 3 === 0,
    }));
    const report = await ingestFeedback(stores, labels, { source: 'ops' });
    expect(report).toMatchObject({
      received: 40,
      added: 40,
      unknown: 0,
      invalid: 0,
      ambiguous: 0,
      positives: 14,
    });

    const orphan = await ingestFeedback(stores, [
      { model: 'churn', entity: 'nobody', event_time: '2024-01-01T00:00:00Z', label: true },
      { model: 'churn', entity: 'c0', event_time: '1999-01-01', label: true },
    ]);
    expect(orphan).toMatchObject({ added: 0, unknown: 2 });

    const labelled = await stores.metadata.listLabelled({ modelVersions: ['churn@1', 'churn@2'] });
    expect(labelled).toHaveLength(40);
    expect(labelled.every((p) => p.modelVersion === 'churn@1' && p.source === 'ops')).toBe(true);
    const byEntity = new Map(labelled.map((p) => [p.entity, p]));
    expect(byEntity.get('c3')).toMatchObject({
      label: 1,
      eventTime: new Date(rows[3]!['seen_at'] as string).toISOString(),
      inputs: rows[3],
      outputs: { route: 'champion' },
    });
    expect(labelled.map((p) => p.at)).toEqual([...labelled.map((p) => p.at)].sort());

    const counts = await stores.metadata.feedbackCounts({ since: new Date(Date.now() - 60_000) });
    expect(counts).toEqual({ labels: 40, positives: 14, conflicts: 0, unknown: 2, invalid: 0 });
  });

  it('refuses a batch with a malformed key whole', async () => {
    const err = await ingestFeedback(stores, [
      { model: 'churn', entity: 'c0', event_time: rows[0]!['seen_at'], label: 1 },
      { model: 'churn', entity: 'c1', event_time: 'tomorrow', label: 1 },
      {
        model: 'churn',
        entity: 'c2',
        event_time: rows[2]!['seen_at'],
        prediction_id: 'p',
        label: 1,
      },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('EVENTS_INVALID');
    expect((err as FlywheelError).details['problems']).toEqual([
      expect.objectContaining({ row: 1, field: 'event_time' }),
      expect.objectContaining({ row: 2, field: '(label)' }),
    ]);
    expect(await stores.metadata.feedbackCounts()).toMatchObject({ labels: 0 });
  });
}
