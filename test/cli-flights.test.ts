/**
 * The CLI end to end, as a user runs it: the built `bin/flywheel.js` in a
 * child process, on the real flights example.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDir } from './fixtures/tmp.js';

const bin = path.resolve('bin/flywheel.js');
const work = testDir('fw-cli');
const project = path.join(work, 'flights');

function flywheel(args: string[], cwd = work) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectNoStack(text: string) {
  expect(text).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
}

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli/main.js')))
    throw new Error('run `npm run build` first (npm test does)');
});

describe('flywheel on the flights example', () => {
  it('init writes a ready project', () => {
    const r = flywheel(['init', 'flights', '--example', 'flights']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('flywheel check');
    for (const f of ['flywheel.yaml', 'README.md', 'data/flights-3m.parquet']) {
      expect(existsSync(path.join(project, f))).toBe(true);
    }
  });

  it('check passes and prints the implied threshold, base rate and policy costs', () => {
    const r = flywheel(['check'], project);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('act when P(positive) > 0.2500');
    expect(r.stdout).toMatch(/3,000,000 rows/);
    const json = JSON.parse(flywheel(['check', '--json'], project).stdout);
    expect(json.implications.breakEvenThreshold).toBeCloseTo(0.25, 12);
    const train = json.implications.data.splits.find((s: { split: string }) => s.split === 'train');
    expect(train.rows).toBeGreaterThan(900_000);
    expect(train.baseRate).toBeGreaterThan(0.1);
    expect(train.baseRate).toBeLessThan(0.3);
    expect(train.alwaysNegative.perDecision).toBeCloseTo(train.baseRate * 80, 9);
    expect(train.alwaysPositive.perDecision).toBeCloseTo(20, 9);
  });

  it('data describe reports rows, columns, missing rates and base rate per split', () => {
    const r = flywheel(['data', 'describe', '--json'], project);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.rows).toBe(3_000_000);
    expect(d.columns.map((c: { name: string }) => c.name)).toEqual([
      'distance',
      'origin',
      'destination',
      'origin_delay_2h',
      'origin_departures_2h',
      'hour',
      'day_of_week',
      'month',
      'delay',
      'date',
    ]);
    expect(d.splits.map((s: { split: string }) => s.split)).toEqual([
      'train',
      'validation',
      'test',
    ]);
    const human = flywheel(['data', 'describe', project]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/base rate/);
    expect(human.stdout).toMatch(/\(no split\)/);
  });

  it('refuses to overwrite a project (exit 5)', () => {
    const r = flywheel(['init', 'flights', '--example', 'flights']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('already exists');
  });
});

describe('errors and exit codes', () => {
  it('exits 2 on an unknown flag or command, with a suggestion', () => {
    const flag = flywheel(['check', '--jsn']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--jsn'");
    expect(flag.stderr).toContain('--json');
    expect(flywheel(['chek']).code).toBe(2);
  });

  it('exits 2 with a clear message when the spec is missing, and 0 for --help', () => {
    const r = flywheel(['check', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SPEC_NOT_FOUND');
    expectNoStack(r.stderr);
    expect(flywheel(['--help']).code).toBe(0);
  });

  it('exits 2 pointing at file:line:column for an invalid spec, also as JSON', () => {
    const dir = testDir('fw-bad');
    const text = readFileSync(path.join(project, 'flywheel.yaml'), 'utf8').replace(
      'task: binary',
      'task: [binary',
    );
    writeFileSync(path.join(dir, 'flywheel.yaml'), text);
    const r = flywheel(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flywheel\.yaml:\d+:\d+: YAML syntax error/);
    expectNoStack(r.stderr);
    const json = flywheel(['check', dir, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('SPEC_SYNTAX');
  });

  it('exits 2 for a framing that cannot fail', () => {
    const dir = testDir('fw-lint');
    const text = readFileSync(path.join(project, 'flywheel.yaml'), 'utf8').replace(
      'min: 0.62',
      'min: 0.5',
    );
    writeFileSync(path.join(dir, 'flywheel.yaml'), text);
    const r = flywheel(['check', dir, '--no-data']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SPEC_NOT_FALSIFIABLE');
    expect(r.stderr).toMatch(
      /flywheel\.yaml:\d+:\d+: acceptance\.metrics\.roc_auc\.min: .*cannot fail/,
    );
  });

  it('exits 3 when the data is missing', () => {
    const dir = testDir('fw-nodata');
    writeFileSync(
      path.join(dir, 'flywheel.yaml'),
      readFileSync(path.join(project, 'flywheel.yaml')),
    );
    const r = flywheel(['check', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('file not found: data/flights-3m.parquet');
    expect(flywheel(['data', 'describe', dir]).code).toBe(3);
  });
});
