/**
 * `flywheel baseline` and `flywheel train` end to end on a small project:
 * the ladder's decisions are printed and recorded as runs in the store, with
 * each model file stored as an artefact that loads again.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/models/index.js';
import { openStore, resolveStoreLocation } from '../src/store/index.js';
import { baseSpec, sampleCsv, writeProject } from './fixtures/project.js';

const bin = path.resolve('bin/flywheel.js');

function flywheel(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', FLYWHEEL_STORE: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const spec = baseSpec({
  baselines: { rules: [{ name: 'paris', expression: "city = 'Paris'" }] },
  models: { ladder: ['prior', 'rules', 'linear'], min_gain: 0.01 },
});

describe('flywheel baseline', () => {
  const dir = writeProject(spec, { 'data.csv': sampleCsv(300) });

  it('trains the baselines, prints the ladder and records runs with model artefacts', async () => {
    const r = flywheel(['baseline', '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rungs.map((x: { name: string }) => x.name)).toEqual([
      'prior',
      'rule:paris',
      'linear',
    ]);
    expect(report.rungs.every((x: { decision: string }) => x.decision === 'baseline')).toBe(true);
    expect(['prior', 'rule:paris', 'linear']).toContain(report.chosen);

    const list = JSON.parse(flywheel(['runs', 'list', '--json'], dir).stdout);
    const parent = list.runs.find((x: { id: string }) => x.id === report.runId);
    expect(parent).toMatchObject({ kind: 'baseline', status: 'FINISHED' });
    expect(
      list.runs.filter((x: { parentRunId: string }) => x.parentRunId === report.runId),
    ).toHaveLength(3);

    const show = flywheel(['runs', 'show', report.rungs[2].runId], dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('validation_cost_per_decision');

    const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
    try {
      const bytes = await stores.artifacts.get(report.rungs[2].artifact);
      const model = loadModel(JSON.parse(Buffer.from(bytes).toString('utf8')));
      expect(model.kind).toBe('logistic');
    } finally {
      await stores.close();
    }
  });

  it('prints a readable table without --json', () => {
    const r = flywheel(['baseline'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rung\s+kind\s+cost\/decision\s+AUC/);
    expect(r.stdout).toContain('chosen:');
  });

  it('exits 2 for a bad seed and 3 for bad data', () => {
    expect(flywheel(['baseline', '--seed', '-1'], dir).code).toBe(2);
    const broken = writeProject(spec, { 'data.csv': 'id,t,x,city,y\n' });
    expect(flywheel(['baseline'], broken).code).toBe(3);
  });
});
