/**
 * `flywheel predict` end to end: `flywheel run` blesses a model and makes it
 * the champion, then batch scoring writes the project's rows back with the
 * scores the model gives on the training Frame, in CSV and Parquet; bad
 * input exits 2 or 3 with a clear message and leaves no file behind; Ctrl-C
 * leaves nothing behind either.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, sqlString } from '../src/data/index.js';
import { loadModel } from '../src/models/index.js';
import {
  loadCheckedSpec,
  loadProjectData,
  openProjectStore,
  type ProjectData,
} from '../src/pipeline/index.js';
import { ModelRegistry } from '../src/registry/index.js';
import type { Stores } from '../src/store/index.js';
import { baseSpec, writeProject } from './fixtures/project.js';
import { prng } from './fixtures/synthetic.js';
import { testDir } from './fixtures/tmp.js';

const bin = path.resolve('bin/flywheel.js');
const env = { ...process.env, CI: 'true', FLYWHEEL_STORE: '' };

function flywheel(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 3,000 rows over ten days where x, the hour and the city carry signal. */
function signalCsv(): string {
  const rand = prng(11);
  const lines = ['id,t,x,city,y'];
  const cities = ['Paris', 'Lyon', 'Nice'];
  for (let i = 0; i < 3000; i++) {
    const x = rand() * 10;
    const city = cities[i % 3]!;
    const hour = i % 24;
    const z = 0.8 * x - 4 + (city === 'Paris' ? 1 : 0) + (hour > 16 ? 0.5 : 0) + (rand() - 0.5);
    lines.push(
      `${i},2024-01-${String(1 + (i % 10)).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00:00,${i % 11 === 0 ? '' : x.toFixed(3)},${city},${rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const spec = baseSpec({
  features: { exclude: ['id'], derive: { hour: 'hour(t)', late: 'hour(t) > 16' } },
  models: { ladder: ['prior', 'linear'] },
  evaluation: { resamples: 50 },
  acceptance: { metrics: { roc_auc: { min: 0.7 } } },
});

async function readRows(file: string): Promise<Record<string, unknown>[]> {
  const session = await DuckSession.open();
  try {
    const reader = file.endsWith('.parquet') ? 'read_parquet' : 'read_csv';
    return await session.rows(`SELECT * FROM ${reader}(${sqlString(file)})`);
  } finally {
    session.close();
  }
}

/** 3M rows of the project's inputs, enough to be mid-way when a signal comes. */
async function writeBigParquet(file: string): Promise<void> {
  const session = await DuckSession.open();
  try {
    await session.run(
      `COPY (SELECT i AS id, TIMESTAMP '2024-01-01' + to_hours(i % 240) AS t, (i % 1000) / 100.0 AS x, ['Paris', 'Lyon', 'Nice'][1 + i % 3] AS city FROM range(3000000) r(i)) TO ${sqlString(file)} (FORMAT parquet)`,
    );
  } finally {
    session.close();
  }
}

/** Files a failed or interrupted predict could have left: the output, or a partial one. */
const outputs = (dir: string) => readdirSync(dir).filter((f) => /^\.?out\b/.test(f));

describe('flywheel predict', () => {
  let dir: string;
  let stores: Stores;
  let project: ProjectData;
  let expected: Float64Array;
  let version: string;

  beforeAll(async () => {
    dir = writeProject(spec, { 'data.csv': signalCsv() });
    const run = flywheel(['run', '--json'], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).blessed).toBe(true);
    const loaded = loadCheckedSpec(dir);
    stores = await openProjectStore(loaded);
    const registry = new ModelRegistry(stores);
    const champion = await registry.resolve('test_project@champion');
    version = `test_project@${champion.version}`;
    const model = loadModel((await registry.loadBundle(champion)).model);
    project = await loadProjectData(loaded, stores);
    expected = model.predict(project.data.features);
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('scores the project’s rows as the champion scores the training Frame, CSV → Parquet', async () => {
    const r = flywheel(
      [
        'predict',
        '--model',
        'test_project@champion',
        '--in',
        'data.csv',
        '--out',
        'scored.parquet',
        '--json',
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ model: version, rows: 3000, format: 'parquet', warnings: [] });
    expect(result.rowsPerSecond).toBeGreaterThan(0);
    const rows = await readRows(path.join(dir, 'scored.parquet'));
    expect(rows.map((row) => row['score'])).toEqual([...expected]);
    expect(rows.map((row) => Number(row['id']))).toEqual(rows.map((_, i) => i));
    expect(new Set(rows.map((row) => row['model_version']))).toEqual(new Set([version]));
    expect(rows.some((row) => row['decision'] === true)).toBe(true);
    expect(rows.some((row) => row['decision'] === false)).toBe(true);
  });

  it('Parquet → CSV, with the champion of the spec in the folder by default', async () => {
    const r = flywheel(['predict', '--in', 'scored.parquet', '--out', 'again.csv'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Scored 3,000 rows of scored.parquet with ${version} in `);
    expect(r.stdout).toContain('the input columns plus score, decision, model_version');
    expect(r.stderr).toContain(
      'warning: scored.parquet already has score, decision, model_version',
    );
    const rows = await readRows(path.join(dir, 'again.csv'));
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      't',
      'x',
      'city',
      'y',
      'score',
      'decision',
      'model_version',
    ]);
    expect(rows.map((row) => row['score'])).toEqual([...expected]);
  });

  describe('bad input: exit 2 or 3, a clear message, nothing written', () => {
    it('a missing column (exit 3)', () => {
      writeFileSync(path.join(dir, 'no-x.csv'), 'id,t,city\n1,2024-01-02 10:00:00,Paris\n');
      const r = flywheel(['predict', '--in', 'no-x.csv', '--out', 'out.csv'], dir);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        'error [SCHEMA_MISSING_COLUMN]: no-x.csv lacks column "x", which the model needs',
      );
      expect(r.stderr).toContain('hint: the model reads: ');
      expect(outputs(dir)).toEqual([]);
    });

    it('a column of the wrong type (exit 3), also as JSON', () => {
      writeFileSync(
        path.join(dir, 'bad-x.csv'),
        't,x,city\n2024-01-02 10:00:00,1.5,Paris\n2024-01-02 11:00:00,lots,Paris\n',
      );
      const r = flywheel(['predict', '--in', 'bad-x.csv', '--out', 'out.parquet', '--json'], dir);
      expect(r.code).toBe(3);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(false);
      expect(out.error.code).toBe('SCHEMA_TYPE_MISMATCH');
      expect(out.error.message).toContain('bad-x.csv: column "x" should be numeric');
      expect(out.error.message).toContain('row 2: "lots"');
      expect(outputs(dir)).toEqual([]);
    });

    it('an unreadable or absent file (exit 3)', () => {
      writeFileSync(path.join(dir, 'broken.parquet'), 'PAR1 but not really');
      const broken = flywheel(['predict', '--in', 'broken.parquet', '--out', 'out.csv'], dir);
      expect(broken.code).toBe(3);
      expect(broken.stderr).toContain('error [DATA_UNREADABLE]: cannot read broken.parquet: ');
      const absent = flywheel(['predict', '--in', 'absent.csv', '--out', 'out.csv'], dir);
      expect(absent.code).toBe(3);
      expect(absent.stderr).toContain('error [DATA_NOT_FOUND]: input file not found: absent.csv');
      expect(outputs(dir)).toEqual([]);
    });

    it('an unknown model, alias or version, or a missing option (exit 2)', () => {
      for (const [ref, message] of [
        ['churn@champion', 'churn'],
        ['test_project@staging', 'has no alias staging'],
        ['test_project@42', 'has no version 42'],
      ] as const) {
        const r = flywheel(
          ['predict', '--model', ref, '--in', 'data.csv', '--out', 'out.csv'],
          dir,
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('error [NOT_FOUND]');
        expect(r.stderr).toContain(message);
      }
      expect(flywheel(['predict', '--in', 'data.csv'], dir).code).toBe(2);
      expect(flywheel(['predict', '--in', 'data.csv', '--out', 'out.xlsx'], dir).code).toBe(2);
      expect(outputs(dir)).toEqual([]);
    });
  });

  it.each([
    { signal: 'SIGINT', code: 130, message: 'interrupted' },
    { signal: 'SIGTERM', code: 143, message: 'terminated: nothing was written to out.parquet' },
  ] as const)(
    '$signal stops it with exit $code and leaves no file behind',
    async ({ signal, code, message }) => {
      const big = path.join(dir, 'big.parquet');
      if (!existsSync(big)) await writeBigParquet(big);
      // The child's scratch folder is ours to watch: once scores are being
      // written there, the scoring is under way.
      const scratch = testDir('fw-scratch');
      const child: ChildProcess = spawn(
        process.execPath,
        [bin, 'predict', '--in', big, '--out', 'out.parquet', '--chunk-rows', '2000'],
        { cwd: dir, env: { ...env, TMPDIR: scratch }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d) => {
        stderr += String(d);
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const scoring = () =>
        readdirSync(scratch).some((d) => {
          try {
            return statSync(path.join(scratch, d, 'scores.csv')).size > 0;
          } catch {
            return false;
          }
        });
      while (!scoring() && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill(signal);
      expect(await closed).toBe(code);
      expect(stderr).toContain(message);
      expect(outputs(dir)).toEqual([]);
      expect(readdirSync(scratch)).toEqual([]);
    },
    60_000,
  );
});

describe('flywheel predict outside a project', () => {
  it('asks which model when no spec names it (exit 2)', () => {
    const r = flywheel(['predict', '--in', 'x.csv', '--out', 'y.csv'], testDir('fw-empty'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error [USAGE]: which model? no --model and no spec here to name it',
    );
  });
});
