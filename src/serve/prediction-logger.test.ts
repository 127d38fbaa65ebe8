import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDir } from '../../test/fixtures/tmp.js';
import { openStore, type PredictionInput, type Stores } from '../store/index.js';
import { type PredictionLogEntry, PredictionLogger } from './prediction-logger.js';

let stores: Stores;

beforeEach(async () => {
  const dir = testDir('fw-serve-log');
  stores = await openStore({
    kind: 'sqlite',
    path: path.join(dir, 'metadata.db'),
    artifactDir: path.join(dir, 'artifacts'),
  });
});

afterEach(async () => {
  await stores.close();
});

function entry(i: number, route: PredictionLogEntry['route'] = 'champion'): PredictionLogEntry {
  return {
    id: randomUUID(),
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60)),
    modelVersion: 'churn@3',
    inputs: { x1: i, city: 'berlin' },
    outputs: { score: i / 1000, decision: i % 2 === 0 },
    latencyMs: 0.25,
    route,
  };
}

/** A store whose commits fail while `failing` is set (the real store underneath). */
function flaky(real: Stores['metadata']) {
  const state = { failing: false, calls: 0 };
  const metadata = {
    logPredictions(rows: readonly PredictionInput[]) {
      state.calls++;
      if (state.failing) return Promise.reject(new Error('disk I/O error'));
      return real.logPredictions(rows);
    },
  };
  return { metadata, state };
}

describe('PredictionLogger (sync): group commit', () => {
  it('commits many concurrent log() calls in few transactions, each resolved only once stored', async () => {
    const logger = new PredictionLogger(stores.metadata, { mode: 'sync', maxBatch: 512 });
    const entries = Array.from({ length: 400 }, (_, i) => entry(i));
    const resolved: string[] = [];
    await Promise.all(
      entries.map(async (e) => {
        await logger.log([e]);
        resolved.push(e.id);
      }),
    );
    const stats = logger.stats();
    expect(stats.rows).toBe(400);
    expect(stats.commits).toBeLessThanOrEqual(4);
    const stored = await stores.metadata.listPredictions({ limit: 1000 });
    expect(new Set(stored.map((p) => p.id))).toEqual(new Set(resolved));
    await logger.close();
  });

  it('at most one commit is in flight; what queues meanwhile goes into the next commit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sizes: number[] = [];
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const metadata = {
      async logPredictions(rows: readonly PredictionInput[]) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sizes.push(rows.length);
        started();
        try {
          await gate;
          return await stores.metadata.logPredictions(rows);
        } finally {
          inFlight--;
        }
      },
    };
    const logger = new PredictionLogger(metadata, { maxDelayMs: 0 });
    const first = logger.log([entry(0)]);
    await firstStarted;
    // The first commit is in flight: queue 50 more behind it, then let it finish.
    const rest = Array.from({ length: 50 }, (_, i) => logger.log([entry(i + 1)]));
    release();
    await Promise.all([first, ...rest]);
    expect(maxInFlight).toBe(1);
    expect(sizes).toEqual([1, 50]);
    await logger.close();
  });

  it('keeps one log() call in one transaction and never exceeds maxBatch otherwise', async () => {
    const sizes: number[] = [];
    const metadata = {
      logPredictions(rows: readonly PredictionInput[]) {
        sizes.push(rows.length);
        return stores.metadata.logPredictions(rows);
      },
    };
    const logger = new PredictionLogger(metadata, { maxBatch: 10, maxDelayMs: 0 });
    await Promise.all([
      logger.log(Array.from({ length: 25 }, (_, i) => entry(i))),
      ...Array.from({ length: 30 }, (_, i) => logger.log([entry(100 + i)])),
    ]);
    expect(sizes[0]).toBe(25);
    expect(sizes.slice(1).every((n) => n <= 10)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(55);
    expect(await stores.metadata.countPredictions()).toBe(55);
    await logger.close();
  });

  it('stores the id, version, inputs, outputs with the route, score and latency', async () => {
    const logger = new PredictionLogger(stores.metadata);
    const e = entry(7, 'canary');
    await logger.log([e]);
    const [stored] = await stores.metadata.listPredictions();
    expect(stored).toMatchObject({
      id: e.id,
      modelVersion: 'churn@3',
      inputs: { x1: 7, city: 'berlin' },
      outputs: { score: 0.007, decision: false, route: 'canary' },
      score: 0.007,
      latencyMs: 0.25,
    });
    expect(stored!.at).toBe(e.at.toISOString());
    expect(stored).toMatchObject({ entity: null, eventTime: null });
    await logger.close();
  });

  it('stores the entity and event time a row was served for', async () => {
    const logger = new PredictionLogger(stores.metadata);
    const e = { ...entry(1), entity: 'c42', eventTime: '2024-01-31T12:00:00.000Z' };
    await logger.log([e]);
    const [stored] = await stores.metadata.listPredictions();
    expect(stored).toMatchObject({ id: e.id, entity: 'c42', eventTime: e.eventTime });
    await logger.close();
  });

  it('rejects every waiter of a failed commit with STORE_UNAVAILABLE, and recovers', async () => {
    const { metadata, state } = flaky(stores.metadata);
    const errors: unknown[] = [];
    const logger = new PredictionLogger(metadata, {
      maxDelayMs: 0,
      onError: (err) => errors.push(err),
    });
    state.failing = true;
    const failed = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => logger.log([entry(i)])),
    );
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    for (const r of failed) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    }
    expect(errors.length).toBeGreaterThanOrEqual(1);
    state.failing = false;
    const ok = entry(99);
    await logger.log([ok]);
    const stored = await stores.metadata.listPredictions();
    // The rejected predictions were never answered, so they are not logged either.
    expect(stored.map((p) => p.id)).toEqual([ok.id]);
    await logger.close();
  });

  it('refuses entries after close, and close drains what was queued', async () => {
    const logger = new PredictionLogger(stores.metadata, { maxDelayMs: 50 });
    const pending = logger.log([entry(1), entry(2)]);
    await logger.close();
    await pending;
    expect(await stores.metadata.countPredictions()).toBe(2);
    await expect(logger.log([entry(3)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('PredictionLogger (async)', () => {
  it('resolves at once and commits in the background; flush() drains', async () => {
    const logger = new PredictionLogger(stores.metadata, { mode: 'async' });
    for (let i = 0; i < 100; i++) await logger.log([entry(i)]);
    expect(logger.stats().queued).toBeGreaterThan(0);
    await logger.flush();
    expect(logger.stats().queued).toBe(0);
    expect(await stores.metadata.countPredictions()).toBe(100);
    await logger.close();
  });

  it('applies backpressure when the queue is full instead of dropping', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const metadata = {
      async logPredictions(rows: readonly PredictionInput[]) {
        await gate;
        return stores.metadata.logPredictions(rows);
      },
    };
    const logger = new PredictionLogger(metadata, { mode: 'async', maxBatch: 4, maxQueue: 8 });
    // Four rows start a (blocked) commit; eight more fill the queue; all resolve at once.
    for (let i = 0; i < 12; i++) await logger.log([entry(i)]);
    expect(logger.stats().queued).toBe(8);
    let resolved = false;
    const thirteenth = logger.log([entry(12)]).then(() => {
      resolved = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    release();
    await thirteenth;
    await logger.close();
    expect(await stores.metadata.countPredictions()).toBe(13);
  });

  it('retries acknowledged entries after a failed commit rather than losing them', async () => {
    const { metadata, state } = flaky(stores.metadata);
    const errors: unknown[] = [];
    const logger = new PredictionLogger(metadata, {
      mode: 'async',
      maxDelayMs: 0,
      onError: (err) => errors.push(err),
    });
    state.failing = true;
    for (let i = 0; i < 10; i++) await logger.log([entry(i)]);
    await expect(logger.flush()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(logger.stats().queued).toBe(10);
    state.failing = false;
    await logger.flush();
    expect(await stores.metadata.countPredictions()).toBe(10);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    await logger.close();
  });
});
