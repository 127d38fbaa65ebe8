/**
 * Step 7 end to end on a real trained model: a project is run (so the
 * champion's bundle carries its reference profile, score reference and
 * importance), live traffic goes through the real model host into the
 * prediction log, and `monitorModel` judges the window. A clean window
 * raises nothing; each planted fault raises the alert that names it: a
 * shifted feature, a changed category mix, a slow model, failing requests,
 * a flipped label rate. The label-free cost estimate tracks the realised
 * cost on held-out rows. Alerts are stateful and deduplicated, and reach a
 * webhook (with retries) on firing and on resolving.
 */
import { cpSync, existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MonitorReport, monitorModel, projectMonitorSettings } from '../src/monitor/index.js';
import { CHAMPION, ModelRegistry, TokenStore } from '../src/registry/index.js';
import { PredictionLogger, RegistryModelHost, ServingMinutes } from '../src/serve/index.js';
import { createServer, registryDeployments } from '../src/server/index.js';
import { loadSpec } from '../src/spec/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec } from './fixtures/canary-project.js';
import { flywheelJson } from './fixtures/data-projects.js';
import { writeProject } from './fixtures/project.js';
import { testDir } from './fixtures/tmp.js';

const MODEL = 'canary_project';
let base: string;

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli/main.js'))) {
    throw new Error('run `npm run build` first (npm test does)');
  }
  base = writeProject(
    {
      ...canarySpec(),
      latency_budget: { p99_ms: 50 },
      monitor: { rules: { realised_cost: { max: 0.6 } } },
    },
    { 'data.csv': canaryCsv() },
  );
  const run = flywheelJson<{ blessed: boolean }>(['run'], base);
  expect(run.blessed).toBe(true);
}, 120_000);

/** A fresh copy of the trained project: its own store, so scenarios never meet. */
async function scenario(): Promise<{ dir: string; stores: Stores }> {
  const dir = testDir('fw-monitor');
  cpSync(base, dir, { recursive: true });
  const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  return { dir, stores };
}

type Row = { x: number | null; city: string };

/** Serves rows through the real host (prediction log and serving counts); returns the prediction ids. */
async function serve(stores: Stores, rows: readonly Row[]): Promise<string[]> {
  const minutes = new ServingMinutes((r) => stores.metadata.addServingMinutes(r), {
    intervalMs: 0,
  });
  const host = await RegistryModelHost.open(new ModelRegistry(stores), {
    logger: new PredictionLogger(stores.metadata),
    models: [MODEL],
    pollIntervalMs: 0,
    servingMinutes: minutes,
  });
  const ids: string[] = [];
  try {
    for (let i = 0; i < rows.length; i += 100) {
      const outcome = await host.predict(MODEL, {
        rows: rows.slice(i, i + 100),
        requestId: `r${i}`,
      });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors.slice(0, 3)));
      ids.push(...outcome.rows.map((r) => r.predictionId));
    }
  } finally {
    await host.close();
  }
  return ids;
}

const live = (n: number, seed: number) => canaryRows(n, seed).map(({ x, city }) => ({ x, city }));

async function judge(stores: Stores, dir: string, extra: Parameters<typeof monitorModel>[2] = {}) {
  return monitorModel(stores, MODEL, {
    window: '1h',
    count: 1,
    settings: projectMonitorSettings(loadSpec(dir).spec),
    ...extra,
  });
}

const firing = (r: MonitorReport) =>
  r.alerts
    .filter((a) => a.state === 'firing')
    .map((a) => (a.subject ? `${a.rule}:${a.subject}` : a.rule))
    .sort();

describe('monitoring windows and alerts on a trained model', () => {
  it('carries the reference a window needs in the bundle', async () => {
    const { stores } = await scenario();
    try {
      const registry = new ModelRegistry(stores);
      const bundle = await registry.loadBundle(await registry.resolve(`${MODEL}@${CHAMPION}`));
      expect(bundle.referenceScores?.profile.histogram.edges.length).toBeGreaterThan(5);
      expect(bundle.referenceScores?.baseRate).toBeGreaterThan(0.1);
      const importance = bundle.importance!;
      expect(Object.values(importance).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(importance['x']!).toBeGreaterThan(importance['city']!); // x carries most of the signal
      expect(bundle.monitoring?.rules.realised_cost.max).toBe(0.6);
    } finally {
      await stores.close();
    }
  });

  it('raises nothing on a clean window, with correct labels', async () => {
    const { dir, stores } = await scenario();
    try {
      const rows = canaryRows(3000, 101);
      const ids = await serve(
        stores,
        rows.map(({ x, city }) => ({ x, city })),
      );
      await stores.metadata.insertLabels(
        ids.map((id, i) => ({
          predictionId: id,
          source: 'test',
          label: rows[i]!.y,
          observedAt: new Date(),
        })),
      );
      const report = await judge(stores, dir);
      expect(report.current.rows).toBe(3000);
      expect(report.current.features.map((f) => [f.name, f.drifted])).toEqual([
        ['x', false],
        ['city', false],
      ]);
      expect(report.current.prediction?.drifted).toBe(false);
      expect(firing(report)).toEqual([]);
      expect(report.health).toBe('ok');
      expect(report.current.errors).toMatchObject({ requests: 30, errors: 0 });
      expect(report.truncated).toBe(false);
      // Capped reads keep the newest predictions and say so.
      const capped = await judge(stores, dir, { maxRows: 1000, evaluate: false });
      expect(capped).toMatchObject({ truncated: true, current: { rows: 1000 } });
    } finally {
      await stores.close();
    }
  });

  it('names a shifted numeric feature, and the score drift it causes', async () => {
    const { dir, stores } = await scenario();
    try {
      await serve(
        stores,
        live(3000, 102).map((r) => ({ ...r, x: r.x! + 3 })),
      );
      const report = await judge(stores, dir);
      const names = firing(report);
      expect(names).toContain('feature_drift:x');
      expect(names).not.toContain('feature_drift:city');
      expect(names).toContain('prediction_drift');
      expect(report.current.driftScore).toBeGreaterThan(0.5);
      expect(report.health).not.toBe('ok');
    } finally {
      await stores.close();
    }
  });

  it('names a changed category mix', async () => {
    const { dir, stores } = await scenario();
    try {
      await serve(
        stores,
        live(3000, 103).map((r, i) => ({ ...r, city: i % 10 === 0 ? 'Lyon' : 'Paris' })),
      );
      const names = firing(await judge(stores, dir));
      expect(names).toContain('feature_drift:city');
      expect(names).not.toContain('feature_drift:x');
    } finally {
      await stores.close();
    }
  });

  it('pages on a slow model and on failing requests burning the error budget', async () => {
    const { dir, stores } = await scenario();
    try {
      const now = new Date();
      // A slow model, as the log records it: 120 ms a prediction against a 50 ms budget.
      await stores.metadata.logPredictions(
        live(500, 104).map((r) => ({
          modelVersion: `${MODEL}@1`,
          at: now,
          inputs: r,
          outputs: { score: 0.3, decision: true },
          score: 0.3,
          latencyMs: 120,
        })),
      );
      // 5% of requests failing in the last minutes: 50× the 0.1% a 99.9% objective allows.
      await stores.metadata.addServingMinutes(
        [0, 1, 2, 3, 4].map((m) => ({
          modelVersion: `${MODEL}@1`,
          minute: new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m * 60_000).toISOString(),
          replica: 'test',
          requests: 200,
          errors: 10,
        })),
      );
      const report = await judge(stores, dir, { now: new Date(now.getTime() + 1000) });
      const names = firing(report);
      expect(names).toContain('latency_p99');
      expect(names).toContain('error_budget:1h/5m');
      expect(report.health).toBe('critical');
      expect(report.slo.burnRates[0]!.shortRate).toBeCloseTo(50, 5);
    } finally {
      await stores.close();
    }
  });

  it('catches a flipped label rate once labels arrive, and the realised cost it brings', async () => {
    const { dir, stores } = await scenario();
    try {
      const rows = canaryRows(3000, 105);
      const ids = await serve(
        stores,
        rows.map(({ x, city }) => ({ x, city })),
      );
      const before = await judge(stores, dir);
      expect(firing(before)).toEqual([]); // inputs look the same: nothing to see without labels
      await stores.metadata.insertLabels(
        ids.map((id, i) => ({
          predictionId: id,
          source: 'test',
          label: 1 - rows[i]!.y,
          observedAt: new Date(),
        })),
      );
      const after = await judge(stores, dir);
      expect(firing(after)).toEqual(['label_rate', 'realised_cost']);
      expect(after.current.business.labelled).toBe(3000);
    } finally {
      await stores.close();
    }
  });

  it('estimates the cost per decision from the scores within 10% of the realised cost on held-out rows', async () => {
    const { dir, stores } = await scenario();
    try {
      const rows = canaryRows(6000, 106);
      const ids = await serve(
        stores,
        rows.map(({ x, city }) => ({ x, city })),
      );
      await stores.metadata.insertLabels(
        ids.map((id, i) => ({
          predictionId: id,
          source: 'test',
          label: rows[i]!.y,
          observedAt: new Date(),
        })),
      );
      const { business } = (await judge(stores, dir)).current;
      const estimated = business.estimatedCostPerDecision!;
      const realised = business.realisedCostPerDecision!;
      console.info(
        `label-free estimate ${estimated.toFixed(4)} vs realised ${realised.toFixed(4)} per decision on ${business.labelled} held-out rows (${((100 * (estimated - realised)) / realised).toFixed(1)}%)`,
      );
      expect(business.labelled).toBe(6000);
      expect(Math.abs(estimated - realised) / realised).toBeLessThan(0.1);
    } finally {
      await stores.close();
    }
  });

  it('keeps one alert per condition, resolves it when the window is clean, and delivers both to a webhook with retries', async () => {
    const { dir, stores } = await scenario();
    const received: { state: string; rule: string; subject: string }[] = [];
    let failures = 1; // the first delivery fails: the retry must carry it
    const hook = createHttpServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (failures > 0) {
          failures--;
          res.writeHead(503).end();
          return;
        }
        const alert = (
          JSON.parse(body) as { alert: { state: string; rule: string; subject: string } }
        ).alert;
        received.push({ state: alert.state, rule: alert.rule, subject: alert.subject });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      const settings = projectMonitorSettings(loadSpec(dir).spec);
      const withHook = {
        ...settings,
        webhooks: [
          {
            url,
            timeout_ms: 2000,
            retries: 2,
            on: ['firing', 'resolved'] as ('firing' | 'resolved')[],
          },
        ],
      };
      const t0 = Date.now();
      await serve(
        stores,
        live(2000, 107).map((r) => ({ ...r, x: r.x! + 3 })),
      );
      const first = await monitorModel(stores, MODEL, {
        window: '1h',
        count: 1,
        settings: withHook,
        backoffMs: 10,
      });
      const again = await monitorModel(stores, MODEL, {
        window: '1h',
        count: 1,
        settings: withHook,
        backoffMs: 10,
      });
      const xAlerts = (r: MonitorReport) =>
        r.alerts.filter((a) => a.rule === 'feature_drift' && a.subject === 'x');
      expect(xAlerts(first)).toHaveLength(1);
      expect(xAlerts(again)).toHaveLength(1); // deduplicated: the same alert, seen again
      expect(xAlerts(again)[0]!.id).toBe(xAlerts(first)[0]!.id);
      // An hour later the window holds only clean traffic: the alert resolves.
      await serve(stores, live(2000, 108));
      const later = new Date(t0 + 3_600_000 + 60_000);
      const { metadata } = stores;
      await metadata.transaction(async (tx) => {
        // Move the clean predictions into the later hour (the log keeps wall-clock times).
        await tx.db
          .updateTable('prediction_log')
          .set({ at: new Date(later.getTime() - 60_000).toISOString() })
          .where('at', '>', new Date(t0).toISOString())
          .where(
            'id',
            'not in',
            (await tx.listPredictions({ limit: 2000 })).map((p) => p.id),
          )
          .execute();
      });
      const resolved = await monitorModel(stores, MODEL, {
        window: '1h',
        count: 1,
        settings: withHook,
        now: later,
        backoffMs: 10,
      });
      expect(xAlerts(resolved)[0]!.state).toBe('resolved');
      expect(received).toEqual(
        expect.arrayContaining([
          { state: 'firing', rule: 'feature_drift', subject: 'x' },
          { state: 'resolved', rule: 'feature_drift', subject: 'x' },
        ]),
      );
      expect(
        received.filter(
          (r) => r.rule === 'feature_drift' && r.subject === 'x' && r.state === 'firing',
        ),
      ).toHaveLength(1);
      const stored = (await stores.metadata.listAlerts({ model: MODEL })).find(
        (a) => a.id === xAlerts(first)[0]!.id,
      )!;
      const deliveries = stored.deliveries as { state: string; ok: boolean; attempts: number }[];
      expect(deliveries.find((d) => d.state === 'firing')?.ok).toBe(true);
    } finally {
      hook.close();
      await stores.close();
    }
  });

  it('serves runs, models, history, monitoring, alerts and the audit log to a viewer, and nothing without a token', async () => {
    const { dir, stores } = await scenario();
    const registry = new ModelRegistry(stores);
    const host = await RegistryModelHost.open(registry, {
      logger: new PredictionLogger(stores.metadata),
      models: [MODEL],
      pollIntervalMs: 0,
    });
    const server = createServer({
      host,
      auth: new TokenStore(stores),
      stores,
      registry: registryDeployments(registry),
    });
    try {
      await serve(
        stores,
        live(500, 109).map((r) => ({ ...r, x: r.x! + 3 })),
      );
      await judge(stores, dir);
      const { token } = await new TokenStore(stores).create({
        name: 'dash',
        role: 'viewer',
        actor: 'test',
      });
      const get = (url: string, auth = true) =>
        server.app.inject({
          method: 'GET',
          url,
          headers: auth ? { authorization: `Bearer ${token}` } : {},
        });
      expect((await get('/v1/models', false)).statusCode).toBe(401);
      expect((await get('/v1/me')).json()).toMatchObject({
        principal: { role: 'viewer' },
        auth: 'on',
      });
      const runs = (await get('/v1/runs')).json() as {
        runs: {
          id: string;
          project: string;
          hasReport: boolean;
          metrics: Record<string, number>;
        }[];
      };
      expect(runs.runs[0]).toMatchObject({ project: MODEL, hasReport: true });
      const report = await get(`/v1/runs/${runs.runs[0]!.id}/report`);
      expect(report.headers['content-type']).toContain('text/html');
      expect(report.body).toContain('<html');
      expect((await get('/v1/runs/../../etc/passwd/report')).statusCode).toBe(404);
      expect((await get('/v1/models')).json()).toEqual({
        models: [{ name: MODEL, versions: 1, latestVersion: 1, aliases: { champion: 1 } }],
      });
      const model = (await get(`/v1/models/${MODEL}`)).json() as {
        versions: { version: number; blessed: boolean; runId: string }[];
        deployment: { champion: number };
      };
      expect(model.versions[0]).toMatchObject({ version: 1, blessed: true });
      expect(model.deployment.champion).toBe(1);
      const history = (await get(`/v1/models/${MODEL}/history`)).json() as {
        moves: { alias: string; toVersion: number }[];
      };
      expect(history.moves[0]).toMatchObject({ alias: 'champion', toVersion: 1 });
      const monitoring = (
        await get(`/v1/monitoring/${MODEL}?window=1h&count=3`)
      ).json() as MonitorReport;
      expect(monitoring.windows).toHaveLength(3);
      expect(monitoring.current.rows).toBe(500);
      expect(monitoring.health).not.toBe('ok');
      expect((await get(`/v1/monitoring/${MODEL}?window=forever`)).statusCode).toBe(400);
      expect((await get('/v1/monitoring/nope')).statusCode).toBe(404);
      const alerts = (await get('/v1/alerts?state=firing')).json() as {
        alerts: { rule: string }[];
      };
      expect(alerts.alerts.map((a) => a.rule)).toContain('feature_drift');
      const audit = (await get('/v1/audit?limit=5')).json() as { entries: { action: string }[] };
      expect(audit.entries.length).toBeGreaterThan(0);
    } finally {
      await server.close();
      await stores.close();
    }
  });
});
