import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Stores } from '../store/index.js';
import { CanaryController } from './canary-controller.js';
import { storeWindow } from './store-window.js';
import type { WindowSnapshot } from './version-window.js';

let dir: string;
let stores: Stores;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flywheel-store-window-'));
  stores = await openStore({
    kind: 'sqlite',
    path: path.join(dir, 'metadata.db'),
    artifactDir: path.join(dir, 'artifacts'),
  });
});

afterAll(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storeWindow', () => {
  it("sums every replica's counts and reads latency and scores from the log", async () => {
    const t0 = Date.parse('2025-03-01T10:00:00.000Z');
    const at = (s: number) => new Date(t0 + s * 1000);
    await stores.metadata.addServingMinutes([
      { modelVersion: 'm@2', minute: at(0).toISOString(), replica: 'a', requests: 60, errors: 1 },
      { modelVersion: 'm@2', minute: at(0).toISOString(), replica: 'b', requests: 40, errors: 0 },
      { modelVersion: 'm@2', minute: at(60).toISOString(), replica: 'a', requests: 10, errors: 2 },
      // Another version and a minute outside the window do not count.
      { modelVersion: 'm@1', minute: at(0).toISOString(), replica: 'a', requests: 500, errors: 9 },
      { modelVersion: 'm@2', minute: at(180).toISOString(), replica: 'a', requests: 7, errors: 7 },
    ]);
    await stores.metadata.logPredictions(
      Array.from({ length: 100 }, (_, i) => ({
        modelVersion: 'm@2',
        at: at(1 + i),
        inputs: { i },
        score: i / 100,
        latencyMs: i === 99 ? 250 : 2,
      })),
    );
    const w: WindowSnapshot = await storeWindow(stores.metadata, 'm@2', at(30), at(120));
    // Minutes from the one `since` falls in: 10:00 and 10:01 (100 + 10 requests).
    expect(w.requests).toBe(110);
    expect(w.errors).toBe(3);
    expect(w.rows).toBe(107);
    // Rows logged in [since, until): seconds 30 … 100, the last one slow.
    expect(w.scores.length).toBe(71);
    expect(w.p99Ms).toBeGreaterThanOrEqual(250);
    const quiet = await storeWindow(stores.metadata, 'm@2', at(30), at(31));
    expect(quiet.scores.length).toBe(1);
    expect(Number.isNaN((await storeWindow(stores.metadata, 'm@9', at(0), at(60))).p99Ms)).toBe(
      true,
    );
  });
});

describe('CanaryController with windows read from storage', () => {
  it('reads each side over the interval before its first check, then since the last check', async () => {
    let now = Date.parse('2025-03-01T10:00:00.000Z');
    const reads: { version: string; since: number; until: number }[] = [];
    const window: WindowSnapshot = {
      requests: 500,
      errors: 0,
      rows: 500,
      p99Ms: 3,
      scores: Float64Array.from({ length: 200 }, (_, i) => i / 200),
    };
    const controller = new CanaryController({
      targets: () => [{ name: 'm', champion: 'm@1', canary: 'm@2' }],
      takeWindow: () => {
        throw new Error('takeWindow must not be used when readWindow is set');
      },
      readWindow: async (version, since, until) => {
        reads.push({ version, since: since.getTime(), until: until.getTime() });
        return window;
      },
      endCanary: async () => {},
      clock: () => new Date(now),
      policy: { intervalMs: 60_000 },
    });
    const first = await controller.tick();
    expect(first[0]?.check.verdict).toBe('pass');
    now += 60_000;
    await controller.tick();
    expect(reads).toEqual([
      { version: 'm@2', since: now - 120_000, until: now - 60_000 },
      { version: 'm@1', since: now - 120_000, until: now - 60_000 },
      { version: 'm@2', since: now - 60_000, until: now },
      { version: 'm@1', since: now - 60_000, until: now },
    ]);
  });
});
