/**
 * The feedback loop, end to end, on the real flights data: a shortened
 * `flywheel demo` (March and April replayed, the default seeded sample)
 * must show that the loop happened: labels joined to the served values,
 * snapshot versions made from them with lineage, a retrain, a canary
 * decision recorded, and the flywheel's cost on the later month at most
 * the frozen model's. Then the label-quality hold: a flood of conflicting
 * labels holds the next retrain with an alert, through the CLI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, sqlString } from '../src/data/index.js';
import { ingestFeedback } from '../src/feedback/index.js';
import { type DemoResult, runDemo } from '../src/pipeline/index.js';
import { ModelRegistry } from '../src/registry/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { flywheel } from './fixtures/data-projects.js';

const MODEL = 'flights_delay';
let dir: string;
let result: DemoResult;
let stores: Stores;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flywheel-demo-test-'));
  result = await runDemo({ dir, sample: 0.05, seed: 42, from: '2001-03-01', until: '2001-05-01' });
  stores = await openStore(
    resolveStoreLocation({ specDir: dir, env: { FLYWHEEL_STORE: result.store } }),
  );
}, 300_000);

afterAll(async () => {
  await stores?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('flywheel demo (shortened: March–April 2001)', () => {
  it('refuses to replace a directory it did not write, and bad options', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'flywheel-not-a-demo-'));
    try {
      writeFileSync(path.join(other, 'flywheel.yaml'), 'name: mine\n');
      await expect(runDemo({ dir: other })).rejects.toThrow(/not empty and was not written/);
      expect(readFileSync(path.join(other, 'flywheel.yaml'), 'utf8')).toBe('name: mine\n');
      await expect(
        runDemo({ dir: path.join(other, 'new'), from: '2001-05-01', until: '2001-04-01' }),
      ).rejects.toThrow(/must start after January and end after it starts/);
      await expect(runDemo({ dir: path.join(other, 'new'), until: 'July' })).rejects.toThrow(
        /--until must be a day such as 2001-03-01, got July/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('served every replayed request and joined a label to each', () => {
    const { report } = result;
    expect(report.sample.replayedRequests).toBeGreaterThan(40_000);
    expect(report.totals.labels).toBe(report.sample.replayedRequests);
    expect(report.months.map((m) => m.month)).toEqual(['2001-03', '2001-04']);
    for (const m of report.months) expect(m.labelled).toBe(m.requests);
  });

  it('made snapshot versions from the labelled predictions, with lineage to the base', async () => {
    const snapshots = await stores.metadata.listSnapshots({});
    const base = snapshots.filter((s) => s.origin === 'sources');
    const joined = snapshots.filter((s) => s.origin === 'feedback');
    expect(base).toHaveLength(1);
    expect(joined.length).toBeGreaterThanOrEqual(1);
    for (const s of joined) expect(s.parentId).toBe(base[0]!.id);
    const trained = result.retrains.filter((r) => r.snapshot !== undefined);
    expect(trained.length).toBeGreaterThanOrEqual(1);
    const first = trained[0]!;
    expect(first.snapshot!.feedbackRows).toBeGreaterThan(5000);
    // The snapshot's rows from the replay are exactly the joined ones, all labelled.
    const session = await DuckSession.open();
    try {
      const file = await stores.artifacts.localPath(first.snapshot!.id);
      const [row] = await session.rows(
        `SELECT count(*) AS n, count(__target) AS labelled, count(origin_delay_2h) AS looked_up
           FROM read_parquet(${sqlString(file)}) WHERE __event_time >= TIMESTAMP '2001-03-01'`,
      );
      expect(Number(row!['n'])).toBe(first.snapshot!.feedbackRows);
      expect(Number(row!['labelled'])).toBe(first.snapshot!.feedbackRows);
      // The online features were served and joined (a first departure of the day has none).
      expect(Number(row!['looked_up'])).toBeGreaterThan(0.9 * first.snapshot!.feedbackRows);
    } finally {
      session.close();
    }
  });

  it('retrained, gated the challenger on recent labels and recorded a canary decision', async () => {
    const gated = result.retrains.filter((r) => r.gate !== undefined);
    expect(gated.length).toBeGreaterThanOrEqual(1);
    for (const r of gated) {
      expect(r.gate!.rows).toBeGreaterThanOrEqual(100);
      expect(r.gate!.passed).toBe(
        r.gate!.difference.estimate < 0 && r.gate!.probabilityBetter >= r.gate!.minProbability,
      );
    }
    expect(result.retrains.some((r) => r.outcome === 'canary')).toBe(true);
    const moves = await new ModelRegistry(stores).aliasHistory(MODEL);
    const ended = moves.filter(
      (m) => m.alias === 'canary' && ['canary.promoted', 'canary.rolled_back'].includes(m.action),
    );
    expect(ended.length).toBeGreaterThanOrEqual(1);
    // Canary decisions carry the controller's checks as evidence, on the replayed clock.
    for (const m of ended) {
      expect(m.at.startsWith('2001-')).toBe(true);
      expect((m.evidence as { checks: unknown[] }).checks.length).toBeGreaterThan(0);
    }
  });

  it('costs no more than the frozen model on the later month', () => {
    const later = result.report.months.slice(1);
    const frozen = later.reduce((s, m) => s + m.frozenTotal, 0);
    const flywheel = later.reduce((s, m) => s + m.flywheelTotal, 0);
    expect(flywheel).toBeLessThanOrEqual(frozen);
  });

  it('writes a self-contained report with the month-by-month comparison', () => {
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).toContain('Month by month');
    expect(html).toContain('2001-04');
    // The text a reader sees (scripts aside) never shows a missing number.
    const visible = html.replace(/<script[\s\S]*?<\/script>/g, '');
    expect(visible).not.toMatch(/NaN|undefined|Infinity/);
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('holds the next retrain with an alert when the labels conflict', async () => {
    // Relabel the newest predictions from the same source with the opposite outcome.
    const versions = (await new ModelRegistry(stores).listVersions(MODEL)).map(
      (v) => `${MODEL}@${v.version}`,
    );
    const recent = await stores.metadata.listLabelled({
      modelVersions: versions,
      since: new Date('2001-04-20T00:00:00Z'),
      until: new Date('2001-05-01T00:00:00Z'),
    });
    expect(recent.length).toBeGreaterThan(1000);
    const flipped = recent.map((p) => ({ prediction_id: p.id, label: p.label > 0 ? 0 : 60 }));
    const report = await ingestFeedback(stores, flipped, {
      source: 'ops',
      now: new Date('2001-05-01T00:00:00Z'),
    });
    expect(report.conflicts).toBe(recent.length);
    expect(report.added).toBe(0);
    // A canary may still run at the end of the replay; end it so the hold is about the labels.
    const registry = new ModelRegistry(stores, { now: () => new Date('2001-05-01T00:00:00Z') });
    const deployment = await registry.deployment(MODEL);
    if (deployment.canary !== undefined) {
      await registry.endCanary({
        name: MODEL,
        outcome: 'aborted',
        actor: 'test',
        reason: 'ended so the retrain can run',
      });
    }
    const cli = flywheel(
      ['retrain', dir, '--store', result.store, '--as-of', '2001-05-01T00:00:00Z', '--json'],
      process.cwd(),
    );
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { outcome: string; reason: string };
    expect(out.outcome).toBe('held');
    expect(out.reason).toMatch(/conflicting second label/);
    const alerts = await stores.metadata.listAlerts({ model: MODEL, state: 'firing' });
    expect(alerts.some((a) => a.rule === 'label_quality')).toBe(true);
  });
});
