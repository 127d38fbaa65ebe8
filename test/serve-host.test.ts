/**
 * The registry-backed model host end to end over a real SQLite prediction
 * log: hot swaps under concurrent requests, sticky canary routing, shadow
 * scoring, an injected canary regression rolled back by the controller, a
 * corrupt bundle that keeps the old model, and the inference timeout.
 */
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerModelKind } from '../src/models/index.js';
import type { ModelBundle } from '../src/registry/index.js';
import { FakeRegistry } from '../src/serve/fixtures/fake-registry.js';
import { requestRows, serveFixture } from '../src/serve/fixtures/serve-bundle.js';
import {
  createScorer,
  PredictionLogger,
  type PredictOutcome,
  RegistryModelHost,
  type RegistryModelHostOptions,
  type ScoredRow,
  type Scorer,
  ServingMinutes,
} from '../src/serve/index.js';
import { openStore, type PredictionInput, type Stores } from '../src/store/index.js';
import { testDir } from './fixtures/tmp.js';

let v1: ModelBundle;
let v2: ModelBundle;
let broken: ModelBundle;
const rows = requestRows(400, 11);

beforeAll(async () => {
  v1 = (await serveFixture({ seed: 1 })).bundle;
  v2 = (await serveFixture({ seed: 2 })).bundle;
  registerModelKind({
    kind: 'serve-test-throws',
    description: 'fails every prediction (an injected regression)',
    create: () => {
      throw new Error('not fittable');
    },
    load: (file) => ({
      kind: 'serve-test-throws',
      task: 'binary',
      schema: file.schema,
      predict: () => {
        throw new Error('model crashed');
      },
      cost: () => ({ bytes: 0, parameters: 0, opsPerRow: 0 }),
      toFile: () => file,
    }),
  });
  broken = { ...v2, model: { ...(v2.model as object), kind: 'serve-test-throws' } };
});

let stores: Stores;
let registry: FakeRegistry;
let hosts: RegistryModelHost[];

beforeEach(async () => {
  const dir = testDir('fw-serve-host');
  stores = await openStore({
    kind: 'sqlite',
    path: path.join(dir, 'metadata.db'),
    artifactDir: path.join(dir, 'artifacts'),
  });
  registry = new FakeRegistry();
  registry.add(1, v1);
  registry.add(2, v2);
  registry.add(3, broken);
  registry.setChampion('churn', 1);
  hosts = [];
});

afterEach(async () => {
  for (const host of hosts) await host.close();
  await stores.close();
});

async function open(options: Partial<RegistryModelHostOptions> = {}) {
  const host = await RegistryModelHost.open(registry, {
    logger: new PredictionLogger(stores.metadata, { mode: 'sync' }),
    models: ['churn'],
    pollIntervalMs: 0,
    ...options,
  });
  hosts.push(host);
  return host;
}

function scored(outcome: PredictOutcome): readonly ScoredRow[] {
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.rows;
}

function scoreWith(bundle: () => ModelBundle) {
  let scorer: Scorer | undefined;
  return (row: object) => {
    scorer ??= createScorer(bundle());
    const result = scorer.score([row]);
    if (!result.ok) throw new Error('expected a valid row');
    return result.rows[0]!.score;
  };
}

const expected = { 'churn@1': scoreWith(() => v1), 'churn@2': scoreWith(() => v2) };

describe('RegistryModelHost: serving', () => {
  it('serves the champion, logs every prediction before answering, and reports metadata', async () => {
    const host = await open();
    expect(host.names()).toEqual(['churn']);
    expect(host.ready('churn')).toBe(true);
    const answer = scored(await host.predict('churn', { rows: rows.slice(0, 3), requestId: 'r1' }));
    expect(answer.map((r) => r.modelVersion)).toEqual(['churn@1', 'churn@1', 'churn@1']);
    const logged = await stores.metadata.listPredictions();
    expect(logged.map((p) => p.id).sort()).toEqual(answer.map((r) => r.predictionId).sort());
    expect(logged[0]!.outputs).toMatchObject({ route: 'champion' });
    expect(host.metadata('churn')).toMatchObject({
      name: 'churn',
      versions: ['1'],
      platform: 'flywheel',
      inputs: [
        { name: 'x1', datatype: 'FP64', shape: [-1] },
        { name: 'x2', datatype: 'FP64', shape: [-1] },
        { name: 'city', datatype: 'BYTES', shape: [-1] },
        { name: 'seen_at', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [
        { name: 'score', datatype: 'FP64', shape: [-1] },
        { name: 'decision', datatype: 'BOOL', shape: [-1] },
      ],
    });
    expect(host.stats()).toMatchObject([
      { modelVersion: 'churn@1', requests: 1, rows: 3, errors: 0 },
    ]);
  });

  it('logs predictions and serving counts at the time its clock gives (replays on an accelerated clock)', async () => {
    const replayed = new Date('2001-03-12T08:05:30.000Z');
    const minutes = new ServingMinutes((r) => stores.metadata.addServingMinutes(r), {
      intervalMs: 0,
    });
    const host = await open({ clock: () => replayed, servingMinutes: minutes });
    scored(await host.predict('churn', { rows: rows.slice(0, 2), requestId: 'r-clock' }));
    await minutes.flush();
    const logged = await stores.metadata.listPredictions({ modelVersion: 'churn@1' });
    expect(logged.map((p) => p.at)).toEqual([replayed.toISOString(), replayed.toISOString()]);
    expect(
      await stores.metadata.servingMinutes(
        ['churn@1'],
        '2001-03-12T08:00:00Z',
        '2001-03-12T09:00:00Z',
      ),
    ).toEqual([{ minute: '2001-03-12T08:05:00.000Z', requests: 1, errors: 0 }]);
  });

  it('answers field errors with the request row numbers and logs nothing', async () => {
    const host = await open();
    const outcome = await host.predict('churn', {
      rows: [rows[0]!, { ...rows[1]!, x2: 'oops' }, JSON.parse('{"__proto__": 1, "x2": 1}')],
      requestId: 'r2',
    });
    expect(outcome).toMatchObject({
      ok: false,
      errors: [
        { row: 1, field: 'x2' },
        { row: 2, field: '__proto__' },
      ],
    });
    expect(await stores.metadata.countPredictions()).toBe(0);
  });

  it('throws NOT_FOUND for an unknown model', async () => {
    const host = await open();
    await expect(host.predict('chrun', { rows: [rows[0]!], requestId: 'r' })).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
        message: expect.stringMatching(/did you mean "churn"/),
      },
    );
  });

  it('rejects a request past the inference timeout, and an aborted one', async () => {
    const hanging = {
      logPredictions: (_rows: readonly PredictionInput[]) => new Promise<string[]>(() => {}),
    };
    const host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(hanging),
      models: ['churn'],
      pollIntervalMs: 0,
      inferenceTimeoutMs: 30,
    });
    await expect(host.predict('churn', { rows: [rows[0]!], requestId: 'r' })).rejects.toMatchObject(
      {
        name: 'InferenceTimeoutError',
        httpStatus: 504,
      },
    );
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      host.predict('churn', { rows: [rows[0]!], requestId: 'r', signal: aborted.signal }),
    ).rejects.toMatchObject({ httpStatus: 504 });
  });

  it('fails the request (503) when its log commit fails, so nothing unlogged is answered', async () => {
    const failing = {
      logPredictions: (_rows: readonly PredictionInput[]) =>
        Promise.reject(new Error('disk I/O error')),
    };
    const host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(failing),
      models: ['churn'],
      pollIntervalMs: 0,
    });
    await expect(host.predict('churn', { rows: [rows[0]!], requestId: 'r' })).rejects.toMatchObject(
      {
        code: 'STORE_UNAVAILABLE',
        httpStatus: 503,
      },
    );
    await host.close();
  });
});

describe('RegistryModelHost: hot swap', () => {
  it('moves the champion under concurrent requests with zero failures; each answer from one version', async () => {
    const host = await open();
    registry.loadDelayMs = 3;
    const answers: { rows: readonly ScoredRow[]; input: object[] }[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let i = 0; !stop || i < 20; i++) {
        const input = [rows[(c * 37 + i) % rows.length]!, rows[(c * 11 + i * 7) % rows.length]!];
        try {
          answers.push({
            rows: scored(await host.predict('churn', { rows: input, requestId: `c${c}-${i}` })),
            input,
          });
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const swaps = (async () => {
      for (let s = 0; s < 8; s++) {
        registry.setChampion('churn', s % 2 === 0 ? 2 : 1);
        await host.refresh();
        // Let some requests start and finish on this version before the next move.
        const before = answers.length;
        while (answers.length < before + 12) await new Promise((r) => setImmediate(r));
      }
      stop = true;
    })();
    await Promise.all([swaps, ...Array.from({ length: 6 }, (_, c) => client(c))]);

    expect(failures).toEqual([]);
    const versions = new Set<string>();
    for (const answer of answers) {
      const served = new Set(answer.rows.map((r) => r.modelVersion));
      expect(served.size).toBe(1);
      const version = [...served][0] as keyof typeof expected;
      versions.add(version);
      answer.rows.forEach((row, i) => {
        expect(row.score).toBe(expected[version](answer.input[i]!));
      });
    }
    expect(versions).toEqual(new Set(['churn@1', 'churn@2']));
    // Every answered prediction is in the log.
    const ids = answers.flatMap((a) => a.rows.map((r) => r.predictionId));
    expect(await stores.metadata.countPredictions()).toBe(ids.length);
    // Each version was loaded once, however often the alias moved.
    expect(registry.loads).toBe(2);
  });

  it('keeps serving the old version when the new bundle does not load', async () => {
    const errors: string[] = [];
    const host = await open({ onError: (_err, context) => errors.push(context) });
    registry.corrupt.add('churn@2');
    registry.setChampion('churn', 2);
    await host.refresh();
    expect(host.ready('churn')).toBe(true);
    const [row] = scored(await host.predict('churn', { rows: [rows[0]!], requestId: 'r' }));
    expect(row!.modelVersion).toBe('churn@1');
    expect(errors).toEqual(['loading the deployment of churn']);
    // Fixed in the store: the next poll picks it up.
    registry.corrupt.delete('churn@2');
    await host.refresh();
    const [after] = scored(await host.predict('churn', { rows: [rows[0]!], requestId: 'r' }));
    expect(after!.modelVersion).toBe('churn@2');
  });

  it('polls the change token by itself', async () => {
    const host = await open({ pollIntervalMs: 5 });
    registry.setChampion('churn', 2);
    for (let i = 0; i < 400; i++) {
      const [row] = scored(await host.predict('churn', { rows: [rows[0]!], requestId: 'r' }));
      if (row!.modelVersion === 'churn@2') return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the host never picked up the new champion');
  });
});

describe('RegistryModelHost: canary', () => {
  it('routes a sticky share of entities to the canary', async () => {
    registry.setCanary('churn', 2, 30);
    const host = await open();
    const byCustomer = new Map<string, string>();
    for (let round = 0; round < 2; round++) {
      await Promise.all(
        rows.map(async (input, i) => {
          const row = { ...input, customer: `cust-${i}` };
          const [answer] = scored(await host.predict('churn', { rows: [row], requestId: `r${i}` }));
          const before = byCustomer.get(row.customer);
          if (before !== undefined) expect(answer!.modelVersion).toBe(before);
          byCustomer.set(row.customer, answer!.modelVersion);
        }),
      );
    }
    const share = [...byCustomer.values()].filter((v) => v === 'churn@2').length / 400;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.38);
    const logged = await stores.metadata.listPredictions({ modelVersion: 'churn@2', limit: 1000 });
    expect(logged.every((p) => (p.outputs as { route: string }).route === 'canary')).toBe(true);
  });

  it('routes keyless rows by the request routing key', async () => {
    registry.setCanary('churn', 2, 50);
    const host = await open();
    const keyless = rows.slice(0, 5).map(({ customer: _, ...rest }) => rest);
    for (const key of ['a', 'b', 'c', 'd']) {
      const first = scored(
        await host.predict('churn', { rows: keyless, requestId: 'x', routingKey: key }),
      );
      const again = scored(
        await host.predict('churn', { rows: keyless, requestId: 'y', routingKey: key }),
      );
      expect(new Set([...first, ...again].map((r) => r.modelVersion)).size).toBe(1);
    }
  });

  it('shadow mode: the champion answers, the canary scores the same rows and is only logged', async () => {
    registry.setCanary('churn', 2, 100, true);
    const host = await open();
    const input = rows.slice(0, 10);
    for (let i = 0; i < 5; i++) {
      const answer = scored(await host.predict('churn', { rows: input, requestId: `r${i}` }));
      expect(answer.every((r) => r.modelVersion === 'churn@1')).toBe(true);
    }
    await host.close();
    const shadow = await stores.metadata.listPredictions({ modelVersion: 'churn@2', limit: 1000 });
    expect(shadow).toHaveLength(50);
    expect(shadow.every((p) => (p.outputs as { route: string }).route === 'shadow')).toBe(true);
    for (const p of shadow) expect(p.score).toBe(expected['churn@2'](p.inputs as object));
    expect(await stores.metadata.countPredictions({ modelVersion: 'churn@1' })).toBe(50);
  });

  it('answers from the champion when the canary crashes, and the controller rolls the canary back', async () => {
    registry.setCanary('churn', 3, 50);
    const checks: string[] = [];
    const host = await open({
      controller: {
        policy: { minRequests: 20, failedChecks: 2 },
        onCheck: (check) => checks.push(check.verdict),
      },
    });
    const failures: unknown[] = [];
    const interval = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          const answer = scored(
            await host.predict('churn', {
              rows: [{ ...rows[i]!, customer: `k${i}` }],
              requestId: `${i}`,
            }),
          );
          expect(answer[0]!.modelVersion).toBe('churn@1');
        } catch (err) {
          failures.push(err);
        }
      }
      return host.controller!.tick();
    };
    // Several entities in one request: the canary's share falls back to the champion, row by row.
    const batch = rows.slice(0, 8).map((row, i) => ({ ...row, customer: `b${i}` }));
    const answer = scored(await host.predict('churn', { rows: batch, requestId: 'batch' }));
    expect(answer.map((r) => r.modelVersion)).toEqual(Array(8).fill('churn@1'));
    answer.forEach((r, i) => {
      expect(r.score).toBe(expected['churn@1'](batch[i]!));
    });
    const [first] = await interval();
    expect(first).toMatchObject({ action: 'continue', check: { verdict: 'fail' } });
    const [second] = await interval();
    expect(second).toMatchObject({ action: 'rollback', ended: true });
    expect(failures).toEqual([]);
    expect(checks).toEqual(['fail', 'fail']);
    expect(registry.ended).toMatchObject([{ name: 'churn', outcome: 'rolled_back' }]);
    // The host swapped to the champion alone right after the rollback.
    expect(host.metadata('churn')!.versions).toEqual(['1']);
    expect(await host.controller!.tick()).toEqual([]);
    const crashed = host.stats().find((s) => s.modelVersion === 'churn@3')!;
    expect(crashed.errors).toBe(crashed.requests);
    expect(crashed.errors).toBeGreaterThan(40);
  });

  it('promotes a healthy canary through the registry after five passing checks', async () => {
    // Version 4: the champion's model retrained on the same data (same scores).
    registry.add(4, {
      ...v1,
      latencyBudget: { p99_ms: 1000 },
      createdAt: '2024-07-01T00:00:00.000Z',
    });
    registry.setCanary('churn', 4, 50);
    const host = await open({ controller: { policy: { minRequests: 50 } } });
    const outcomes = [];
    for (let check = 0; check < 5; check++) {
      await Promise.all(
        rows.slice(0, 200).map((input, i) =>
          host.predict('churn', {
            rows: [{ ...input, customer: `k${check}-${i}` }],
            requestId: `${i}`,
          }),
        ),
      );
      outcomes.push(...(await host.controller!.tick()));
    }
    expect(outcomes.map((o) => o.check.reason)).toEqual(
      Array(5).fill('every criterion within bounds'),
    );
    expect(outcomes.at(-1)).toMatchObject({ action: 'promote', ended: true });
    expect(registry.ended).toMatchObject([{ outcome: 'promoted', actor: 'canary-controller' }]);
    const [row] = scored(await host.predict('churn', { rows: [rows[0]!], requestId: 'after' }));
    expect(row!.modelVersion).toBe('churn@4');
  });

  it('fails the divergence check of a canary whose scores differ from the champion', async () => {
    registry.setCanary('churn', 2, 50);
    const host = await open({ controller: { policy: { minRequests: 50 } } });
    await Promise.all(
      rows.map((input, i) =>
        host.predict('churn', { rows: [{ ...input, customer: `k${i}` }], requestId: `${i}` }),
      ),
    );
    const [outcome] = await host.controller!.tick();
    expect(outcome!.check.verdict).toBe('fail');
    expect(outcome!.check.reason).toMatch(/score_psi/);
  });
});
