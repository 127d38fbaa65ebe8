/**
 * The MetadataStore conformance suite: every test runs against every engine
 * (SQLite always, PostgreSQL on the real server), with no mocks. A new engine
 * in STORE_ENGINES without a harness here fails the coverage test.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import { openSqliteDialect } from '../src/store/dialect/sqlite.js';
import {
  MIGRATION_NAMES,
  openStore,
  RunTracker,
  STORE_ENGINES,
  type StoreLocation,
  type Stores,
} from '../src/store/index.js';
import { postgresHarness, type StoreHarness, sqliteHarness } from './fixtures/store/harness.js';

const sqlite = sqliteHarness();
const harnesses: StoreHarness[] = [sqlite, await postgresHarness()];
afterAll(() => Promise.all(harnesses.map((h) => h.cleanup())));

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const git = spawnSync('git', ['rev-parse', 'HEAD'], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  encoding: 'utf8',
});
/** The checkout's commit, or null where there is none (e.g. no commits yet). */
const headCommit = git.status === 0 ? git.stdout.trim() : null;

/** A clock that advances `stepMs` on every reading. */
function clock(start: string, stepMs: number): () => Date {
  let t = Date.parse(start);
  return () => {
    t += stepMs;
    return new Date(t);
  };
}

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

describe('store conformance coverage', () => {
  it('has a harness for every registered engine', () => {
    expect(harnesses.map((h) => h.engine).sort()).toEqual([...STORE_ENGINES].sort());
  });
});

for (const harness of harnesses) {
  if (harness.skipReason) {
    console.warn(`[store conformance] ${harness.engine} SKIPPED: ${harness.skipReason}`);
  }
  const title = harness.skipReason
    ? `MetadataStore on ${harness.engine} — SKIPPED: ${harness.skipReason}`
    : `MetadataStore on ${harness.engine}`;
  describe.skipIf(harness.skipReason !== undefined)(title, () => conformance(harness));
}

function conformance(harness: StoreHarness): void {
  /** Opens a fresh store, runs `fn`, always closes. */
  async function withStore(fn: (s: Stores, location: StoreLocation) => Promise<void>) {
    const location = await harness.fresh();
    const stores = await openStore(location);
    try {
      await fn(stores, location);
    } finally {
      await stores.close();
    }
  }

  describe('migrations', () => {
    it('migrates an empty database to the latest version and records each step', async () => {
      await withStore(async ({ metadata }) => {
        expect(metadata.capabilities.engine).toBe(harness.engine);
        expect(await metadata.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      });
    });

    it('reopening an up-to-date store applies nothing and keeps data', async () => {
      const location = await harness.fresh();
      const first = await openStore(location);
      await first.metadata.audit({ actor: 'a', action: 'x', objectType: 't', objectId: '1' });
      await first.close();
      const second = await openStore(location);
      expect(await second.metadata.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      expect(await second.metadata.listAudit()).toHaveLength(1);
      await second.close();
    });

    it.each(MIGRATION_NAMES.slice(0, -1).map((name) => [name]))(
      'upgrades a store left at %s to the latest, keeping its rows',
      async (name) => {
        const location = await harness.fresh();
        const old = await openStore(location, { migrateTo: name });
        expect(await old.metadata.appliedMigrations()).toEqual(
          MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf(name) + 1),
        );
        const run = await new RunTracker(old.metadata).startRun({ kind: 'train', seed: 7 });
        await old.close();

        const upgraded = await openStore(location);
        expect(await upgraded.metadata.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
        expect((await upgraded.metadata.findRun(run.id))?.seed).toBe(7);
        await upgraded.metadata.logPredictions([{ modelVersion: 'm@1', inputs: { x: 1 } }]);
        expect(await upgraded.metadata.countPredictions()).toBe(1);
        await upgraded.close();
      },
    );

    it('survives several openers racing to migrate a fresh store', async () => {
      const location = await harness.fresh();
      const opened = await Promise.all([1, 2, 3].map(() => openStore(location)));
      await Promise.all(
        opened.map((s, i) =>
          s.metadata.audit({ actor: `${i}`, action: 'open', objectType: 't', objectId: '1' }),
        ),
      );
      expect(await opened[0]!.metadata.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      expect(await opened[0]!.metadata.listAudit()).toHaveLength(3);
      await Promise.all(opened.map((s) => s.close()));
    });

    it('refuses a store migrated by a newer Flywheel with STORE_CONFIG', async () => {
      const location = await harness.fresh();
      const stores = await openStore(location);
      await stores.metadata.db
        .insertInto('flywheel_migration' as never)
        .values({ name: '999-from-the-future', timestamp: new Date().toISOString() } as never)
        .execute();
      await stores.close();
      const err = await rejectsWith(openStore(location), 'STORE_CONFIG');
      expect(err.message).toMatch(/newer than this version/);
    });
  });

  describe('runs', () => {
    it('records lineage, code version, owner process and a metric series', async () => {
      await withStore(async ({ metadata, artifacts }) => {
        const tracker = new RunTracker(metadata, { artifacts });
        const parent = await tracker.startRun({ kind: 'pipeline' });
        const run = await tracker.startRun({
          kind: 'train',
          parentRunId: parent.id,
          specHash: 'spec-abc',
          snapshotId: 'snap-1',
          seed: 2 ** 40,
          params: { depth: 6, nested: { rate: 0.1, list: [1, 2] } },
          tags: { owner: 'ann' },
        });
        expect(run).toMatchObject({ status: 'RUNNING', codeVersion: packageVersion });
        expect(run.gitCommit).toBe(headCommit);
        expect(run.pid).toBe(process.pid);
        expect(run.hostname).toBeTruthy();

        await tracker.logMetric(run.id, 'loss', 0.5, 0);
        await tracker.logMetric(run.id, 'loss', 0.25, 1);
        await tracker.logMetric(run.id, 'loss', Number.NaN, 2);
        await tracker.logMetrics(run.id, { auc: 0.9, gain: Number.POSITIVE_INFINITY }, 3);
        const loss = await tracker.listMetrics(run.id, 'loss');
        expect(loss.map((m) => [m.step, m.value])).toEqual([
          [0, 0.5],
          [1, 0.25],
          [2, Number.NaN],
        ]);
        const all = await tracker.listMetrics(run.id);
        expect(all.find((m) => m.key === 'gain')?.value).toBe(Number.POSITIVE_INFINITY);

        const artifact = await tracker.logArtifact(run.id, 'model', Buffer.from('weights'), {
          mediaType: 'application/json',
        });
        expect(await artifacts.get(artifact.sha256)).toEqual(Buffer.from('weights'));
        expect(await tracker.listArtifacts(run.id)).toEqual([artifact]);
        await rejectsWith(tracker.logArtifact(run.id, 'model', artifact), 'CONFLICT');
        expect(await tracker.logArtifact(run.id, 'copy', artifact)).toMatchObject({
          sha256: artifact.sha256,
          size: 7,
        });
        const dangling = { sha256: 'f'.repeat(64), size: 1 };
        await rejectsWith(tracker.logArtifact(run.id, 'dangling', dangling), 'NOT_FOUND');

        expect(await tracker.setTags(run.id, { stage: 'dev' })).toEqual({
          owner: 'ann',
          stage: 'dev',
        });
        const finished = await tracker.finishRun(run.id, 'FINISHED');
        expect(finished).toMatchObject({
          ...run,
          endedAt: expect.any(String),
          status: 'FINISHED',
          tags: { owner: 'ann', stage: 'dev' },
          error: null,
        });
        expect(finished.seed).toBe(2 ** 40);
        expect(finished.params).toEqual({ depth: 6, nested: { rate: 0.1, list: [1, 2] } });
      });
    });

    it('refuses what would break lineage or history', async () => {
      await withStore(async ({ metadata }) => {
        const tracker = new RunTracker(metadata);
        await rejectsWith(tracker.getRun('no-such-run'), 'NOT_FOUND');
        await rejectsWith(tracker.startRun({ kind: 'train', parentRunId: 'nope' }), 'NOT_FOUND');
        await rejectsWith(tracker.logMetric('no-such-run', 'auc', 1), 'NOT_FOUND');
        await rejectsWith(tracker.setTags('no-such-run', { a: 'b' }), 'NOT_FOUND');
        const run = await tracker.startRun({ kind: 'train' });
        await tracker.finishRun(run.id, 'FAILED', 'boom');
        await rejectsWith(tracker.finishRun(run.id, 'FINISHED'), 'CONFLICT');
        expect((await tracker.getRun(run.id)).error).toBe('boom');
        const hostile = await rejectsWith(tracker.getRun('../../etc/passwd'), 'NOT_FOUND');
        expect(hostile.message).not.toContain('passwd');
      });
    });

    it('lists runs newest first, filtered by kind and status, limited', async () => {
      await withStore(async ({ metadata }) => {
        const tracker = new RunTracker(metadata, { now: clock('2025-01-01T00:00:00Z', 1000) });
        const ids: string[] = [];
        for (const kind of ['train', 'evaluate', 'train', 'train']) {
          ids.push((await tracker.startRun({ kind })).id);
        }
        await tracker.finishRun(ids[0]!, 'FINISHED');
        expect((await tracker.listRuns()).map((r) => r.id)).toEqual([...ids].reverse());
        expect((await tracker.listRuns({ kind: 'train', limit: 2 })).map((r) => r.id)).toEqual([
          ids[3],
          ids[2],
        ]);
        expect((await tracker.listRuns({ status: 'FINISHED' })).map((r) => r.id)).toEqual([ids[0]]);
        await rejectsWith(tracker.listRuns({ limit: 0 }), 'USAGE');
      });
    });

    it('marks FAILED the RUNNING runs of dead processes on this host, and only those', async () => {
      await withStore(async ({ metadata }) => {
        const dead = spawnSync(process.execPath, ['-e', '']).pid;
        expect(dead).toBeGreaterThan(0);
        const live = process.ppid;
        const as = (pid: number, hostname?: string) =>
          new RunTracker(metadata, { pid, ...(hostname ? { hostname } : {}) });
        const orphan = await as(dead).startRun({ kind: 'train' });
        const alive = await as(live).startRun({ kind: 'train' });
        const elsewhere = await as(dead, 'another-host').startRun({ kind: 'train' });
        const done = await as(dead).startRun({ kind: 'train' });
        await as(dead).finishRun(done.id, 'FINISHED');

        const reaped = await new RunTracker(metadata).reapOrphanedRuns();
        expect(reaped.map((r) => r.id)).toEqual([orphan.id]);
        const after = await metadata.findRun(orphan.id);
        expect(after).toMatchObject({ status: 'FAILED' });
        expect(after?.error).toMatch(/orphaned: process \d+/);
        expect((await metadata.findRun(alive.id))?.status).toBe('RUNNING');
        expect((await metadata.findRun(elsewhere.id))?.status).toBe('RUNNING');
        expect((await metadata.findRun(done.id))?.status).toBe('FINISHED');
        expect(await new RunTracker(metadata).reapOrphanedRuns()).toEqual([]);
      });
    });
  });

  describe('audit log', () => {
    it('appends, filters, and has no way to change history', async () => {
      await withStore(async ({ metadata }) => {
        const a = await metadata.audit({
          actor: 'ann',
          action: 'promote',
          objectType: 'model',
          objectId: 'churn@3',
          details: { from: 'staging', to: 'production' },
          at: '2025-01-01T00:00:00Z',
        });
        const b = await metadata.audit({
          actor: 'bob',
          action: 'rollback',
          objectType: 'model',
          objectId: 'churn@3',
        });
        expect(b.id).toBeGreaterThan(a.id);
        expect(a.at).toBe('2025-01-01T00:00:00.000Z');
        expect(await metadata.listAudit()).toEqual([b, a]);
        expect(await metadata.listAudit({ actor: 'ann' })).toEqual([a]);
        expect(
          await metadata.listAudit({ objectType: 'model', objectId: 'churn@3', limit: 1 }),
        ).toEqual([b]);
        expect(await metadata.listAudit({ until: '2025-06-01T00:00:00Z' })).toEqual([a]);
        expect(await metadata.listAudit({ since: '2025-06-01T00:00:00Z' })).toEqual([b]);

        const api = Object.getOwnPropertyNames(Object.getPrototypeOf(metadata));
        expect(api.filter((name) => /audit/i.test(name)).sort()).toEqual(['audit', 'listAudit']);
        // Even raw SQL cannot rewrite the log.
        await expect(
          metadata.db.updateTable('audit_log').set({ actor: 'mallory' }).execute(),
        ).rejects.toThrow(/append-only/);
        await expect(metadata.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
        expect(await metadata.listAudit()).toEqual([b, a]);
      });
    });
  });

  describe('prediction log', () => {
    const row = (i: number) => ({
      id: `p-${i}`,
      at: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 1000),
      modelVersion: i % 2 === 0 ? 'churn@3' : 'churn@4',
      inputs: { tenure: i, plan: `p${i % 3}`, flags: [i % 2 === 0, null], note: 'é ✓ "q"' },
      outputs: { label: i % 2 },
      score: i / 10_000,
      latencyMs: 1.5,
    });

    it('logs a large batch in chunks and reads it back exactly', async () => {
      await withStore(async ({ metadata }) => {
        const rows = Array.from({ length: 1234 }, (_, i) => row(i));
        expect(await metadata.logPredictions(rows)).toEqual(rows.map((r) => r.id));
        expect(await metadata.countPredictions()).toBe(1234);
        expect(await metadata.countPredictions({ modelVersion: 'churn@4' })).toBe(617);
        const back = await metadata.listPredictions({ limit: 5000 });
        expect(back).toEqual(
          rows.map((r) => ({ ...r, at: r.at.toISOString(), entity: null, eventTime: null })),
        );
        const window = await metadata.listPredictions({
          modelVersion: 'churn@3',
          since: '2025-01-01T00:00:10Z',
          until: '2025-01-01T00:00:20Z',
        });
        expect(window.map((p) => p.id)).toEqual(['p-10', 'p-12', 'p-14', 'p-16', 'p-18']);
      });
    });

    it('generates ids, stores absent and NaN numbers as null', async () => {
      await withStore(async ({ metadata }) => {
        const [id] = await metadata.logPredictions([
          { modelVersion: 'm@1', inputs: { x: 1 }, score: Number.NaN },
        ]);
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        const [p] = await metadata.listPredictions();
        expect(p).toMatchObject({ id, score: null, latencyMs: null, outputs: null });
      });
    });

    it('writes a batch all or nothing', async () => {
      await withStore(async ({ metadata }) => {
        await metadata.logPredictions([row(0)]);
        const batch = Array.from({ length: 800 }, (_, i) => row(i + 1));
        batch[700] = row(0); // duplicate id deep in the second chunk
        const err = await rejectsWith(metadata.logPredictions(batch), 'CONFLICT');
        expect(err.message).not.toContain('p-0');
        expect(await metadata.countPredictions()).toBe(1);
      });
    });
  });

  describe('feedback', () => {
    const AT = Date.parse('2025-01-01T00:00:00Z');
    /** A prediction of `modelVersion` for `entity` at event time `t` (ms after AT). */
    const logged = (
      id: string,
      modelVersion: string,
      entity: string | null,
      t: number | null,
      route = 'champion',
      atMs = 0,
    ) => ({
      id,
      at: new Date(AT + atMs),
      modelVersion,
      inputs: { customer: entity, x: id },
      outputs: { score: 0.5, decision: true, route },
      score: 0.5,
      latencyMs: 1,
      entity,
      eventTime: t === null ? null : new Date(AT + t),
    });
    const label = (predictionId: string, source: string, value: number) => ({
      predictionId,
      source,
      label: value,
      raw: value,
      observedAt: new Date(AT + 86_400_000),
    });
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

    it('logs the entity and event time of a prediction and finds predictions by them', async () => {
      await withStore(async ({ metadata }) => {
        await metadata.logPredictions([
          logged('a1', 'churn@1', 'c1', 1000, 'champion', 10),
          logged('a2', 'churn@2', 'c1', 1000, 'champion', 20),
          logged('a3', 'churn@2', 'c1', 1000, 'shadow', 30),
          logged('b1', 'churn@1', 'c2', 1000),
          logged('o1', 'other@1', 'c1', 1000),
          logged('n1', 'churn@1', null, null),
        ]);
        const back = new Map((await metadata.listPredictions()).map((p) => [p.id, p]));
        expect(back.get('a1')).toMatchObject({
          entity: 'c1',
          eventTime: '2025-01-01T00:00:01.000Z',
        });
        expect(back.get('n1')).toMatchObject({ entity: null, eventTime: null });

        const found = await metadata.findPredictionsByKey([
          // The same instant in another notation; the shadow entry of churn@2 is left out.
          { model: 'churn', entity: 'c1', eventTime: '2025-01-01T01:00:01+01:00' },
          { model: 'other', entity: 'c1', eventTime: new Date(AT + 1000) },
          { model: 'churn', entity: 'c2', eventTime: new Date(AT + 1000) },
          { model: 'churn', entity: 'c2', eventTime: new Date(AT + 1001) },
          { model: 'nobody', entity: 'c1', eventTime: new Date(AT + 1000) },
        ]);
        expect(found.map((list) => list.map((p) => p.id))).toEqual([
          ['a2', 'a1'],
          ['o1'],
          ['b1'],
          [],
          [],
        ]);
        expect(found[0]![0]).toEqual({
          id: 'a2',
          at: new Date(AT + 20).toISOString(),
          modelVersion: 'churn@2',
        });
        expect(await metadata.findPredictionsByKey([])).toEqual([]);
        await rejectsWith(
          metadata.findPredictionsByKey([{ model: 'churn', entity: 'c1', eventTime: 'soon' }]),
          'USAGE',
        );
      });
    });

    it('lists labelled predictions oldest first, one per prediction (its earliest label), without shadow entries', async () => {
      await withStore(async ({ metadata }) => {
        await metadata.logPredictions([
          logged('p3', 'churn@1', 'c3', 3, 'champion', 3000),
          logged('p1', 'churn@1', 'c1', 1, 'champion', 1000),
          logged('p2', 'churn@2', 'c2', 2, 'canary', 2000),
          logged('s2', 'churn@2', 'c2', 2, 'shadow', 2000),
          logged('p4', 'churn@1', null, null, 'champion', 4000),
          logged('q1', 'other@1', 'c1', 1, 'champion', 1000),
          logged('u5', 'churn@1', 'c5', 5, 'champion', 5000),
        ]);
        await metadata.writeLabels([label('p1', 'ops', 1), label('s2', 'ops', 1)]);
        await pause();
        await metadata.writeLabels([
          label('p1', 'audit', 0),
          label('p2', 'ops', 0),
          label('p3', 'ops', 1),
          label('p4', 'ops', 0),
          label('q1', 'ops', 1),
        ]);
        await pause();
        await metadata.writeLabels([label('p3', 'late', 0)]);

        const all = await metadata.listLabelled({ modelVersions: ['churn@1', 'churn@2'] });
        expect(all.map((p) => [p.id, p.source, p.label])).toEqual([
          ['p1', 'ops', 1],
          ['p2', 'ops', 0],
          ['p3', 'ops', 1],
          ['p4', 'ops', 0],
        ]);
        expect(all[0]).toEqual({
          id: 'p1',
          at: new Date(AT + 1000).toISOString(),
          modelVersion: 'churn@1',
          inputs: { customer: 'c1', x: 'p1' },
          score: 0.5,
          outputs: { score: 0.5, decision: true, route: 'champion' },
          entity: 'c1',
          eventTime: new Date(AT + 1).toISOString(),
          label: 1,
          source: 'ops',
          observedAt: new Date(AT + 86_400_000).toISOString(),
        });
        expect(all[3]).toMatchObject({ id: 'p4', entity: null, eventTime: null });

        const window = await metadata.listLabelled({
          modelVersions: ['churn@1', 'churn@2'],
          since: new Date(AT + 2000),
          until: '2025-01-01T00:00:04Z',
        });
        expect(window.map((p) => p.id)).toEqual(['p2', 'p3']);
        const v1 = await metadata.listLabelled({ modelVersions: ['churn@1'] });
        expect(v1.map((p) => p.id)).toEqual(['p1', 'p3', 'p4']);
        // A page that loses a shadow entry is topped up from the next one.
        const first = await metadata.listLabelled({
          modelVersions: ['churn@2', 'churn@1'],
          limit: 2,
        });
        expect(first.map((p) => p.id)).toEqual(['p1', 'p2']);
        expect(await metadata.listLabelled({ modelVersions: [] })).toEqual([]);
        await rejectsWith(metadata.listLabelled({ modelVersions: ['churn@1'], limit: 0 }), 'USAGE');
      });
    });

    it('counts labels and feedback issues received in a window', async () => {
      await withStore(async ({ metadata }) => {
        const before = new Date(Date.now() - 1000);
        await metadata.logPredictions([
          logged('p1', 'churn@1', 'c1', 1),
          logged('p2', 'churn@1', 'c2', 2),
          logged('p3', 'churn@1', 'c3', 3),
        ]);
        await metadata.writeLabels([label('p1', 'ops', 1), label('p2', 'ops', 0)]);
        await metadata.writeLabels([label('p3', 'ops', 1), label('p1', 'ops', 0)]);
        await metadata.recordFeedbackIssues([
          { kind: 'unknown_prediction', predictionId: 'x', source: 'ops', raw: 1, reason: 'r' },
          { kind: 'unknown_prediction', predictionId: 'y', source: 'ops', raw: 1, reason: 'r' },
          { kind: 'invalid_label', predictionId: 'p2', source: 'ops', raw: 'z', reason: 'r' },
        ]);
        const after = new Date(Date.now() + 1000);
        const expected = { labels: 3, positives: 2, conflicts: 1, unknown: 2, invalid: 1 };
        expect(await metadata.feedbackCounts({})).toEqual(expected);
        expect(await metadata.feedbackCounts({ since: before, until: after })).toEqual(expected);
        expect(await metadata.feedbackCounts({ since: after })).toEqual({
          labels: 0,
          positives: 0,
          conflicts: 0,
          unknown: 0,
          invalid: 0,
        });
        expect((await metadata.feedbackCounts({ until: before.toISOString() })).labels).toBe(0);
      });
    });

    it('records a stream answer once per consumer and message, with its predictions, and prunes old ones', async () => {
      await withStore(async ({ metadata }) => {
        const answer = (id: string, at: string, predictions: string[]) => ({
          messageId: id,
          at,
          modelVersion: 'churn@1',
          answer: { message_id: id, predictions },
          predictions: predictions.map((p) => ({
            id: p,
            at,
            modelVersion: 'churn@1',
            inputs: { x: 1 },
            score: 0.5,
          })),
        });
        const old = '2025-01-01T00:00:00.000Z';
        const now = '2025-02-01T00:00:00.000Z';
        expect(
          await metadata.recordStreamAnswers('c1', [
            answer('m1', old, ['a']),
            answer('m2', now, ['b', 'c']),
          ]),
        ).toEqual(new Map());
        // Again (a redelivery), and a new one: the earlier answer comes back, nothing is logged twice.
        const before = await metadata.recordStreamAnswers('c1', [
          answer('m1', now, ['x']),
          answer('m3', now, ['d']),
        ]);
        expect(before).toEqual(new Map([['m1', { message_id: 'm1', predictions: ['a'] }]]));
        expect(await metadata.countPredictions({ modelVersion: 'churn@1' })).toBe(4);
        // Another consumer answers the same message id on its own.
        await metadata.recordStreamAnswers('c2', [answer('m1', now, ['e'])]);
        expect(await metadata.countStreamAnswers('c1')).toBe(3);
        expect(await metadata.countStreamAnswers()).toBe(4);
        expect(await metadata.pruneStreamAnswers('c1', '2025-01-15T00:00:00.000Z')).toBe(1);
        expect(await metadata.countStreamAnswers('c1')).toBe(2);
        expect(await metadata.countStreamAnswers('c2')).toBe(1);
      });
    });
  });

  describe('transactions', () => {
    it('commits together or rolls back together', async () => {
      await withStore(async ({ metadata }) => {
        const tracker = new RunTracker(metadata);
        const run = await tracker.startRun({ kind: 'train' });
        await expect(
          metadata.transaction(async (tx) => {
            await tx.audit({ actor: 'a', action: 'finish', objectType: 'run', objectId: run.id });
            await tx.updateRun(run.id, { status: 'FINISHED' }, 'RUNNING');
            throw new Error('interrupted');
          }),
        ).rejects.toThrow('interrupted');
        expect(await metadata.listAudit()).toEqual([]);
        expect((await tracker.getRun(run.id)).status).toBe('RUNNING');

        await metadata.transaction(async (tx) => {
          await tx.audit({ actor: 'a', action: 'finish', objectType: 'run', objectId: run.id });
          await tx.transaction((nested) => nested.updateRun(run.id, { status: 'FINISHED' }));
        });
        expect(await metadata.listAudit()).toHaveLength(1);
        expect((await tracker.getRun(run.id)).status).toBe('FINISHED');
      });
    });

    it('serialises concurrent tag merges without losing one', async () => {
      await withStore(async ({ metadata }) => {
        const tracker = new RunTracker(metadata);
        const run = await tracker.startRun({ kind: 'train' });
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => tracker.setTags(run.id, { [`k${i}`]: `${i}` })),
        );
        expect(Object.keys((await tracker.getRun(run.id)).tags)).toHaveLength(20);
      });
    });
  });
}

describe('SQLite adapter specifics', () => {
  it('runs in WAL with synchronous=FULL and a busy timeout', async () => {
    const location = await sqlite.fresh();
    if (location.kind !== 'sqlite') throw new Error('unreachable');
    const stores = await openStore(location);
    await stores.close();
    const dialect = openSqliteDialect(location.path, { busyTimeoutMs: 1234 });
    const pragma = async (name: string) => {
      const { rows } = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(dialect.db);
      return Object.values(rows[0] ?? {})[0];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('busy_timeout')).toBe(1234);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await dialect.integrityCheck()).toEqual(['ok']);
    await dialect.close();
  });
});
