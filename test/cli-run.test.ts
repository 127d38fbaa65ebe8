/**
 * `flywheel run` end to end on a small project: steps 1–5, the verdict with
 * exit code 4 when the gate fails (the report is still written), the
 * blessing or its refusal recorded in the store, and `--json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, resolveStoreLocation } from '../src/store/index.js';
import { baseSpec, writeProject } from './fixtures/project.js';
import { prng } from './fixtures/synthetic.js';

const bin = path.resolve('bin/flywheel.js');
function flywheel(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', FLYWHEEL_STORE: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 3,000 rows over ten days where x and the city carry real signal. */
function signalCsv(): string {
  const rand = prng(9);
  const lines = ['id,t,x,city,y'];
  const cities = ['Paris', 'Lyon', 'Nice'];
  for (let i = 0; i < 3000; i++) {
    const x = rand() * 10;
    const city = cities[i % 3]!;
    const z = 0.8 * x - 4 + (city === 'Paris' ? 1 : 0) + (rand() - 0.5);
    lines.push(
      `${i},2024-01-${String(1 + (i % 10)).padStart(2, '0')} 10:00:00,${x.toFixed(3)},${city},${rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const common = {
  models: { ladder: ['prior', 'linear'] },
  evaluation: { slices: ['city'], min_slice_support: 50, resamples: 100 },
};

describe('flywheel run', () => {
  it('passes a framing the data supports, blesses the model and writes the report', async () => {
    const dir = writeProject(
      baseSpec({
        ...common,
        acceptance: {
          metrics: { roc_auc: { min: 0.7 } },
          lift_over_baseline: { metric: 'cost_per_decision', min: 0.05 },
        },
      }),
      { 'data.csv': signalCsv() },
    );
    const r = flywheel(['run', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.blessed).toBe(true);
    expect(out.chosen).toBe('linear');
    expect(out.verdict.criteria.map((c: { name: string }) => c.name)).toEqual([
      'roc_auc.min',
      'lift_over_baseline',
    ]);
    expect(out.test.roc_auc.lower).toBeGreaterThan(0.7);
    expect(existsSync(out.report)).toBe(true);
    expect(readFileSync(out.report, 'utf8')).toContain('Gate verdict: PASSED');

    const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
    try {
      const run = await stores.metadata.findRun(out.runId);
      expect(run).toMatchObject({ kind: 'run', status: 'FINISHED' });
      expect(run!.tags['blessed']).toBe('true');
      const audit = await stores.metadata.listAudit({ objectType: 'model' });
      expect(audit.some((a) => a.action === 'bless')).toBe(true);
    } finally {
      await stores.close();
    }
  });

  it('evaluate re-scores a stored model to the same verdict, and any rung by run id', () => {
    const dir = writeProject(
      baseSpec({ ...common, acceptance: { metrics: { roc_auc: { min: 0.7 } } } }),
      { 'data.csv': signalCsv() },
    );
    const run = JSON.parse(flywheel(['run', '--json'], dir).stdout);
    const again = flywheel(['evaluate', '--json'], dir);
    expect(again.code).toBe(0);
    const evaluated = JSON.parse(again.stdout);
    expect(evaluated.chosen).toBe(run.chosen);
    expect(evaluated.test.roc_auc).toEqual(run.test.roc_auc);
    const prior = run.ladder.find((r: { name: string }) => r.name === 'prior');
    const priorEval = flywheel(['evaluate', '--model', prior.runId, '--json'], dir);
    expect(priorEval.code).toBe(4);
    expect(JSON.parse(priorEval.stdout).chosen).toBe('prior');
    expect(flywheel(['evaluate', '--model', 'no-such-run'], dir).code).toBe(2);
  });

  it('exits 4 when the gate fails, still writing the report and recording the refusal', async () => {
    const dir = writeProject(
      baseSpec({ ...common, acceptance: { metrics: { roc_auc: { min: 0.99 } } } }),
      { 'data.csv': signalCsv() },
    );
    const r = flywheel(['run'], dir);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('Gate verdict: FAILED');
    expect(r.stdout).toMatch(/✗ roc_auc .* does not clear the minimum 0\.99/);
    const report = r.stdout.match(/Report: (.+\.html)/)![1]!;
    expect(existsSync(path.resolve(dir, report))).toBe(true);
    const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
    try {
      const audit = await stores.metadata.listAudit({ objectType: 'model' });
      expect(audit.map((a) => a.action)).toContain('refuse_blessing');
    } finally {
      await stores.close();
    }
  });

  it('refuses a slice column that does not exist, clearly', () => {
    const dir = writeProject(baseSpec({ ...common, evaluation: { slices: ['country'] } }), {
      'data.csv': signalCsv(),
    });
    const r = flywheel(['run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('evaluation.slices: "country" is not a feature');
    expect(r.stderr).toContain('(city)');
    // refused before training: no run was recorded
    expect(JSON.parse(flywheel(['runs', 'list', '--json'], dir).stdout).runs).toEqual([]);
  });
});
