/**
 * Step 3 through the CLI, as a user runs it (the built `bin/flywheel.js` in a
 * child process): content-addressed snapshots with their lineage, training
 * that reads the snapshot and not the sources, `data diff`, blocking findings
 * (planted leak, declared ranges and domains) and their acknowledgement,
 * point-in-time features on the real flights data checked against a
 * brute-force recomputation, and `data profile`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readManifest } from '../src/data/index.js';
import type { Finding } from '../src/findings.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import {
  dataSpec,
  FLIGHTS_PARQUET,
  FLIGHTS_SLICE,
  flightsSliceSpec,
  flywheel,
  flywheelAsync,
  flywheelJson,
  parseSignalCsv,
  sha256File,
  signalCsv,
  storedArtifactPath,
} from './fixtures/data-projects.js';
import { writeProject } from './fixtures/project.js';

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli/main.js')))
    throw new Error('run `npm run build` first (npm test does)');
});

interface SnapshotJson {
  snapshot: string;
  created: boolean;
  rows: number;
  blocking: number;
  findings: Finding[];
  lineage: {
    specHash: string;
    sources: { name: string; files: { path: string; sha256: string }[] }[];
  };
}

interface RunJson {
  runId: string;
  snapshot: string;
  chosen: string;
  findings: Finding[];
  ladder: { name: string; score: number; auc: number; decision: string }[];
  test: Record<string, unknown>;
}

async function withStores<T>(dir: string, fn: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

/** Runs `sql` in a fresh in-memory DuckDB (independent of Flywheel's own session). */
async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const sqlPath = (file: string) => `'${file.replaceAll("'", "''")}'`;
const checksOf = (findings: readonly Finding[]) => findings.map((f) => f.check);

describe('flywheel data snapshot', () => {
  it('is content-addressed: same rows, same id; the id is the Parquet sha256; lineage is recorded', async () => {
    const csv = signalCsv();
    const dir = writeProject(dataSpec(), { 'data.csv': csv });
    const first = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    expect(first.created).toBe(true);
    expect(first.snapshot).toMatch(/^[0-9a-f]{64}$/);
    expect(first.rows).toBe(3000);

    const again = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    expect(again.snapshot).toBe(first.snapshot);
    expect(again.created).toBe(false);

    // The id is the sha256 of the stored Parquet file.
    const stored = storedArtifactPath(dir, first.snapshot);
    expect(existsSync(stored)).toBe(true);
    expect(sha256File(stored)).toBe(first.snapshot);
    expect(readFileSync(stored).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const counted = await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlPath(stored)})`);
    expect(Number(counted[0]!['n'])).toBe(3000);

    const list = flywheelJson<{ id: string; rows: number }[]>(['data', 'snapshots'], dir);
    expect(list.map((s) => s.id)).toEqual([first.snapshot]);
    expect(list[0]!.rows).toBe(3000);

    // The manifest: each source file's real sha256, the spec hash, the profile.
    const specHash = sha256File(path.join(dir, 'flywheel.yaml'));
    const dataHash = sha256File(path.join(dir, 'data.csv'));
    expect(first.lineage.specHash).toBe(specHash);
    expect(first.lineage.sources).toMatchObject([
      { name: 'main', files: [{ path: 'data.csv', sha256: dataHash }] },
    ]);
    await withStores(dir, async (stores) => {
      const record = await stores.metadata.getSnapshot(first.snapshot);
      expect(record).toMatchObject({ id: first.snapshot, rows: 3000, specHash });
      const manifest = await readManifest(stores, record);
      expect(manifest.id).toBe(first.snapshot);
      expect(manifest.lineage.specHash).toBe(specHash);
      expect(manifest.lineage.sources[0]!.files).toEqual([
        expect.objectContaining({ path: 'data.csv', sha256: dataHash }),
      ]);
      const profile = manifest.profile as { rows: number; columns: { name: string }[] };
      expect(profile.rows).toBe(3000);
      expect(profile.columns.map((c) => c.name)).toEqual(['x', 'city', '__target']);
      expect(manifest.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['x', 'city']));
    });

    // One changed value: a different snapshot; changing it back: the first one again.
    const lines = csv.split('\n');
    const fields = lines[5]!.split(',');
    fields[2] = '9.8765';
    lines[5] = fields.join(',');
    writeFileSync(path.join(dir, 'data.csv'), lines.join('\n'));
    const changed = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    expect(changed.snapshot).not.toBe(first.snapshot);
    expect(changed.created).toBe(true);
    expect(changed.lineage.sources[0]!.files[0]!.sha256).toBe(
      sha256File(path.join(dir, 'data.csv')),
    );
    expect(flywheelJson<{ id: string }[]>(['data', 'snapshots'], dir).map((s) => s.id)).toEqual([
      changed.snapshot,
      first.snapshot,
    ]);

    writeFileSync(path.join(dir, 'data.csv'), csv);
    const restored = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    expect(restored).toMatchObject({ snapshot: first.snapshot, created: false });
  });
});

describe('training reads the snapshot', () => {
  it('records the snapshot id, and retrains from it after the source is deleted', async () => {
    const dir = writeProject(dataSpec(), { 'data.csv': signalCsv() });
    const run = flywheelJson<RunJson>(['run'], dir);
    expect(run.snapshot).toMatch(/^[0-9a-f]{64}$/);
    const shown = flywheelJson<{ run: { snapshotId: string; kind: string } }>(
      ['runs', 'show', run.runId],
      dir,
    );
    expect(shown.run).toMatchObject({ kind: 'run', snapshotId: run.snapshot });
    await withStores(dir, async ({ metadata }) => {
      const children = (await metadata.listRuns({ limit: 100 })).filter(
        (r) => r.parentRunId === run.runId,
      );
      expect(children.length).toBe(run.ladder.length);
      for (const child of children) expect(child.snapshotId).toBe(run.snapshot);
    });

    rmSync(path.join(dir, 'data.csv'));
    expect(flywheel(['run'], dir).code).toBe(3); // the sources are gone

    const again = flywheelJson<RunJson>(['run', '--snapshot', run.snapshot.slice(0, 10)], dir);
    expect(again.snapshot).toBe(run.snapshot);
    expect(again.chosen).toBe(run.chosen);
    expect(again.ladder.map((r) => [r.name, r.score, r.auc])).toEqual(
      run.ladder.map((r) => [r.name, r.score, r.auc]),
    );
    expect(again.test).toEqual(run.test);

    const trained = flywheelJson<{
      runId: string;
      chosen: string;
      rungs: { name: string; score: number; auc: number }[];
    }>(['train', '--snapshot', run.snapshot], dir);
    expect(trained.chosen).toBe(run.chosen);
    expect(trained.rungs.map((r) => [r.name, r.score, r.auc])).toEqual(
      run.ladder.map((r) => [r.name, r.score, r.auc]),
    );
    expect(
      flywheelJson<{ run: { snapshotId: string } }>(['runs', 'show', trained.runId], dir).run
        .snapshotId,
    ).toBe(run.snapshot);
  });

  it('refuses an unknown, malformed or ambiguous --snapshot with exit 2 and a clear message', async () => {
    const dir = writeProject(dataSpec(), { 'data.csv': signalCsv({ rows: 600 }) });
    const { snapshot } = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    const unknown = snapshot.startsWith('0000') ? 'ffff0000' : '0000ffff';

    const bad = ['abc', 'XYZW', snapshot.toUpperCase().slice(0, 8), `${snapshot}00`, "ab%'"];
    const [missingRun, missingTrain, ...malformed] = await Promise.all([
      flywheelAsync(['run', '--snapshot', unknown], dir),
      flywheelAsync(['train', '--snapshot', unknown], dir),
      ...bad.map((id) => flywheelAsync(['run', '--snapshot', id], dir)),
    ]);
    for (const missing of [missingRun!, missingTrain!]) {
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`no snapshot ${unknown}`);
      expect(missing.stderr).toContain('flywheel data snapshots');
    }
    for (const [i, r] of malformed.entries()) {
      expect(r.code, bad[i]).toBe(2);
      expect(r.stderr, bad[i]).toContain('4 to 64 lowercase hexadecimal characters');
      expect(r.stderr, bad[i]).not.toMatch(/\n\s+at .*:\d+:\d+/);
    }

    // A second snapshot sharing the first eight characters makes that prefix ambiguous.
    await withStores(dir, async ({ metadata }) => {
      const record = await metadata.getSnapshot(snapshot);
      const twin = `${snapshot.slice(0, 8)}${snapshot[8] === '0' ? '1' : '0'}${snapshot.slice(9)}`;
      await metadata.insertSnapshot({ ...record, id: twin });
    });
    const [ambiguous, longer] = await Promise.all([
      flywheelAsync(['run', '--snapshot', snapshot.slice(0, 8)], dir),
      flywheelAsync(['train', '--snapshot', snapshot.slice(0, 12)], dir),
    ]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`snapshot id ${snapshot.slice(0, 8)} is ambiguous`);
    expect(longer.code).toBe(0);
  });
});

describe('flywheel data diff', () => {
  it('reports rows, schema changes and the drifted column, and leaves the others alone', () => {
    const dir = writeProject(dataSpec(), { 'data.csv': signalCsv() });
    const a = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir).snapshot;
    writeFileSync(
      path.join(dir, 'data.csv'),
      signalCsv({ rows: 2500, shiftX: 20, extraColumn: true }),
    );
    const b = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir).snapshot;
    expect(b).not.toBe(a);

    interface ColumnDiff {
      name: string;
      status: string;
      meanA?: number;
      meanB?: number;
      drift?: { drifted: boolean; method: string };
    }
    const diff = flywheelJson<{
      rows: { a: number; b: number };
      splits: { split: string; a: number; b: number }[];
      specChanged: boolean;
      sourcesChanged: string[];
      columns: ColumnDiff[];
    }>(['data', 'diff', a.slice(0, 12), b.slice(0, 12)], dir);
    expect(diff.rows).toEqual({ a: 3000, b: 2500 });
    expect(diff.splits).toEqual([
      { split: 'train', a: 1200, b: 1000 },
      { split: 'validation', a: 900, b: 750 },
      { split: 'test', a: 900, b: 750 },
    ]);
    expect(diff.specChanged).toBe(false);
    expect(diff.sourcesChanged).toEqual(['data.csv']);
    const column = (name: string) => diff.columns.find((c) => c.name === name);
    expect(column('w')).toMatchObject({ status: 'added' });
    expect(column('x')).toMatchObject({ status: 'same', drift: { drifted: true } });
    expect(column('x')!.meanB! - column('x')!.meanA!).toBeCloseTo(20, 0);
    expect(column('city')).toMatchObject({ status: 'same', drift: { drifted: false } });
    expect(column('__target')?.drift?.drifted).toBe(false);
    expect(diff.columns.filter((c) => c.drift?.drifted).map((c) => c.name)).toEqual(['x']);

    const back = flywheelJson<{ columns: ColumnDiff[] }>(['data', 'diff', b, a], dir);
    expect(back.columns.find((c) => c.name === 'w')).toMatchObject({ status: 'removed' });

    const text = flywheel(['data', 'diff', a.slice(0, 12), b.slice(0, 12)], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('3,000 → 2,500 rows');
    expect(text.stdout).toContain('Source files changed: data.csv');
    const line = (name: string) => text.stdout.split('\n').find((l) => l.startsWith(`${name} `));
    expect(line('x')).toContain('DRIFTED');
    expect(line('city')).not.toContain('DRIFTED');
    expect(line('w')).toContain('added');
  });
});

describe('blocking findings', () => {
  const leakKey = 'leakage.single_feature_auc:leak';

  it('a planted leak stops run and validate with exit 3, and no training run is recorded', async () => {
    const dir = writeProject(dataSpec(), { 'data.csv': signalCsv({ leak: true }) });
    const r = flywheel(['run'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('DATA_CHECK_FAILED');
    expect(r.stderr).toContain('leakage.single_feature_auc (leak)');
    expect(r.stderr).toContain('checks.acknowledge');

    const [runs, json, text] = await Promise.all([
      flywheelAsync(['runs', 'list', '--json'], dir),
      flywheelAsync(['data', 'validate', '--json'], dir),
      flywheelAsync(['data', 'validate'], dir),
    ]);
    expect(JSON.parse(runs.stdout).runs).toEqual([]);
    expect(json.code).toBe(3);
    const v = JSON.parse(json.stdout) as SnapshotJson;
    expect(v.blocking).toBe(1);
    const leak = v.findings.find((f) => f.severity === 'block')!;
    expect(leak).toMatchObject({ check: 'leakage.single_feature_auc', column: 'leak' });
    expect(leak.evidence['auc']).toBeGreaterThan(0.95);
    expect(leak.acknowledged).toBeUndefined();
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/✗ leakage\.single_feature_auc \[leak\]/);
  });

  it('acknowledging the leak with a reason lets run proceed and shows it as acknowledged', () => {
    const reason = 'the score is published before the decision';
    const dir = writeProject(dataSpec({ checks: { acknowledge: { [leakKey]: reason } } }), {
      'data.csv': signalCsv({ leak: true }),
    });
    const r = flywheel(['run', '--json'], dir);
    expect([0, 4]).toContain(r.code);
    const run = JSON.parse(r.stdout) as RunJson;
    const leak = run.findings.find((f) => f.check === 'leakage.single_feature_auc');
    expect(leak).toMatchObject({ column: 'leak', severity: 'warn', acknowledged: reason });
    expect(run.findings.filter((f) => f.severity === 'block')).toEqual([]);
    expect(flywheel(['data', 'validate'], dir).stdout).toContain(`(acknowledged: ${reason})`);
  });

  it('the clean data stays quiet for leakage, range and domain checks', () => {
    const dir = writeProject(
      dataSpec({
        checks: {
          ranges: { x: { min: 0, max: 10 } },
          domains: { city: ['Paris', 'Lyon', 'Nice'] },
        },
      }),
      { 'data.csv': signalCsv() },
    );
    const v = flywheelJson<SnapshotJson>(['data', 'validate'], dir);
    expect(v.blocking).toBe(0);
    const checks = checksOf(v.findings);
    for (const check of [
      'leakage.single_feature_auc',
      'leakage.future_timestamp',
      'leakage.id_like',
      'quality.range',
      'quality.domain',
    ])
      expect(checks).not.toContain(check);
  });

  it('values outside a declared range or domain block', () => {
    const lines = signalCsv().trimEnd().split('\n');
    lines[10] = lines[10]!.replace(/^(\d+,[^,]+),[^,]*,/, '$1,42,');
    lines[20] = lines[20]!.replace(/,(Paris|Lyon|Nice),/, ',Marseille,');
    const dir = writeProject(
      dataSpec({
        checks: {
          ranges: { x: { min: 0, max: 10 } },
          domains: { city: ['Paris', 'Lyon', 'Nice'] },
        },
      }),
      { 'data.csv': `${lines.join('\n')}\n` },
    );
    const r = flywheel(['run'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('quality.range (x)');
    expect(r.stderr).toContain('quality.domain (city)');
    const v = flywheelJson<SnapshotJson>(['data', 'validate'], dir, 3);
    const range = v.findings.find((f) => f.check === 'quality.range');
    expect(range).toMatchObject({ column: 'x', severity: 'block' });
    expect(range!.evidence['outside']).toBe(1);
    expect(range!.evidence['examples']).toEqual([{ value: 42, rows: 1 }]);
    const domain = v.findings.find((f) => f.check === 'quality.domain');
    expect(domain).toMatchObject({ column: 'city', severity: 'block' });
    expect(domain!.evidence['outside']).toBe(1);
  });

  it('training from a recorded snapshot still applies the current spec: a withdrawn acknowledgement blocks again', () => {
    const reason = 'the score is published before the decision';
    const acknowledged = dataSpec({ checks: { acknowledge: { [leakKey]: reason } } });
    const dir = writeProject(acknowledged, { 'data.csv': signalCsv({ leak: true }) });
    const { snapshot } = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    // The acknowledgement is withdrawn: the leak must block again, from the
    // sources and from the snapshot alike.
    writeFileSync(path.join(dir, 'flywheel.yaml'), stringify(dataSpec()));
    expect(flywheel(['run'], dir).code).toBe(3);
    const fromSnapshot = flywheel(['run', '--snapshot', snapshot], dir);
    expect(fromSnapshot.stderr).toContain('leakage.single_feature_auc (leak)');
    expect(fromSnapshot.code).toBe(3);
  });

  it('training from a recorded snapshot still applies the current spec: a newly declared range blocks', () => {
    const lines = signalCsv().trimEnd().split('\n');
    lines[10] = lines[10]!.replace(/^(\d+,[^,]+),[^,]*,/, '$1,42,');
    const dir = writeProject(dataSpec(), { 'data.csv': `${lines.join('\n')}\n` });
    const { snapshot } = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    writeFileSync(
      path.join(dir, 'flywheel.yaml'),
      stringify(dataSpec({ checks: { ranges: { x: { min: 0, max: 10 } } } })),
    );
    expect(flywheel(['run'], dir).code).toBe(3);
    const fromSnapshot = flywheel(['run', '--snapshot', snapshot], dir);
    expect(fromSnapshot.stderr).toContain('quality.range (x)');
    expect(fromSnapshot.code).toBe(3);
  });
});

describe('point-in-time features on the flights data', () => {
  it('the example feature is leak-free and equals a brute-force recomputation from the raw file', async () => {
    const dir = writeProject(flightsSliceSpec());
    const v = flywheelJson<SnapshotJson>(['data', 'validate'], dir);
    expect(checksOf(v.findings)).not.toContain('leakage.future_event');
    expect(checksOf(v.findings)).not.toContain('features.mismatch');
    expect(v.blocking).toBe(0);

    const snapshot = v.snapshot;
    const again = flywheelJson<SnapshotJson>(['data', 'snapshot'], dir);
    expect(again).toMatchObject({ snapshot, created: false });
    expect(again.lineage.sources[0]!.files[0]!.sha256).toBe(sha256File(FLIGHTS_PARQUET));

    const file = storedArtifactPath(dir, snapshot);
    const rows = (
      await duckRows(
        `SELECT origin, epoch_ms(__event_time) AS t, origin_delay_2h AS v FROM read_parquet(${sqlPath(file)})`,
      )
    ).map((r) => ({
      origin: String(r['origin']),
      t: Number(r['t']),
      value: r['v'] === null ? null : Number(r['v']),
    }));
    const { origins, from, until } = FLIGHTS_SLICE;
    const inSlice = await duckRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(FLIGHTS_PARQUET)}) WHERE date >= '${from}' AND date < '${until}' AND origin IN (${origins.map((o) => `'${o}'`).join(', ')})`,
    );
    expect(rows.length).toBe(Number(inSlice[0]!['n']));

    // Every departure of these airports scheduled before the slice ends (a
    // flight can leave up to a day late), known once it has left.
    const raw = await duckRows(
      `SELECT origin, epoch_ms(date) AS t, delay FROM read_parquet(${sqlPath(FLIGHTS_PARQUET)}) WHERE date < '${until}' AND origin IN (${origins.map((o) => `'${o}'`).join(', ')})`,
    );
    const byOrigin = new Map<string, { at: number; delay: number }[]>();
    for (const r of raw) {
      const delay = Number(r['delay']);
      const list = byOrigin.get(String(r['origin'])) ?? [];
      list.push({ at: Number(r['t']) + Math.max(delay, 0) * 60_000, delay });
      byOrigin.set(String(r['origin']), list);
    }
    const window = 2 * 3600_000;
    let checked = 0;
    let withValue = 0;
    let eventAtPredictionTime = 0;
    const wrong: unknown[] = [];
    for (const row of rows) {
      const events = byOrigin.get(row.origin) ?? [];
      const inWindow = events.filter((e) => e.at >= row.t - window && e.at < row.t);
      if (events.some((e) => e.at === row.t)) eventAtPredictionTime++;
      const expected =
        inWindow.length === 0 ? null : inWindow.reduce((s, e) => s + e.delay, 0) / inWindow.length;
      checked++;
      if (expected !== null) withValue++;
      const agrees =
        expected === null || row.value === null
          ? expected === row.value
          : Math.abs(expected - row.value) <= 1e-9 * Math.max(1, Math.abs(expected));
      if (!agrees && wrong.length < 5) wrong.push({ ...row, expected });
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
    // The comparison is not vacuous: most rows have a value, and many rows
    // have an event exactly at their prediction time (the flight itself
    // leaving on time), which the strict window must leave out.
    expect(withValue).toBeGreaterThan(checked / 2);
    expect(eventAtPredictionTime).toBeGreaterThan(checked / 10);
  });

  it('the naive version, timed at the schedule and inclusive, is caught as leakage.future_event', () => {
    const dir = writeProject(flightsSliceSpec({ naive: true }));
    const v = flywheelJson<SnapshotJson>(['data', 'validate'], dir, 3);
    const leak = v.findings.find((f) => f.check === 'leakage.future_event');
    expect(leak).toMatchObject({ column: 'origin_delay_2h', severity: 'block' });
    expect(leak!.evidence['rows_affected']).toBeGreaterThan(0);
    expect(v.blocking).toBeGreaterThanOrEqual(1);
    expect(leak!.message).toContain('inclusive: true');
  });
});

describe('flywheel data profile', () => {
  it('gives each column its counts and a histogram that adds up to the rows', () => {
    const csv = signalCsv({ missingEvery: 7 });
    const dir = writeProject(dataSpec(), { 'data.csv': csv });
    const data = parseSignalCsv(csv);
    interface Histogram {
      edges?: number[];
      categories?: string[];
      counts: number[];
      missing: number;
    }
    interface ColumnProfile {
      name: string;
      type: string;
      count: number;
      missing: number;
      distinct: number;
      min?: number;
      max?: number;
      top?: { value: string; count: number }[];
      histogram: Histogram;
    }
    const out = flywheelJson<{
      snapshot: string;
      profile: { rows: number; columns: ColumnProfile[] };
    }>(['data', 'profile'], dir);
    expect(out.snapshot).toMatch(/^[0-9a-f]{64}$/);
    const { profile } = out;
    expect(profile.rows).toBe(3000);
    expect(profile.columns.map((c) => [c.name, c.type])).toEqual([
      ['x', 'numeric'],
      ['city', 'categorical'],
      ['__target', 'binary'],
    ]);
    for (const c of profile.columns) {
      const sum = c.histogram.counts.reduce((a, b) => a + b, 0);
      expect(sum + c.histogram.missing, c.name).toBe(profile.rows);
      expect(c.count, c.name).toBe(profile.rows);
      expect(c.histogram.missing, c.name).toBe(c.missing);
    }

    // x against the CSV: missing count, range, and bin counts (right-closed, open ends).
    const xs = data.x.filter((v): v is number => v !== null);
    const x = profile.columns[0]!;
    expect(x.missing).toBe(data.x.length - xs.length);
    expect(x.min).toBe(Math.min(...xs));
    expect(x.max).toBe(Math.max(...xs));
    expect(x.distinct).toBe(new Set(xs).size);
    const edges = x.histogram.edges!;
    expect(edges.length).toBeGreaterThan(5);
    expect(x.histogram.counts).toHaveLength(edges.length + 1);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
    const expected = new Array<number>(edges.length + 1).fill(0);
    for (const v of xs) {
      const bin = edges.findIndex((e) => v <= e);
      expected[bin === -1 ? edges.length : bin]!++;
    }
    expect(x.histogram.counts).toEqual(expected);

    const city = profile.columns[1]!;
    const cityCounts = new Map<string, number>();
    for (const c of data.city) cityCounts.set(c, (cityCounts.get(c) ?? 0) + 1);
    expect(Object.fromEntries(city.top!.map((t) => [t.value, t.count]))).toEqual(
      Object.fromEntries(cityCounts),
    );
    const target = profile.columns[2]!;
    const positives = data.y.filter((y) => y === 1).length;
    expect(target.histogram.categories).toEqual(['0', '1']);
    expect(target.histogram.counts.slice(0, 2)).toEqual([3000 - positives, positives]);

    const text = flywheel(['data', 'profile'], dir);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`Profile of snapshot ${out.snapshot.slice(0, 12)}: 3,000 rows`);
    expect(lines[1]).toMatch(/^column\s+type\s+missing\s+distinct\s+.*histogram$/);
    expect(lines[2]).toMatch(/^-+(\s+-+)+$/);
    expect(lines.find((l) => l.startsWith('x '))).toMatch(/^x\s+numeric\s+14\.3%\s+/);
    expect(lines.find((l) => l.startsWith('city '))).toMatch(
      /Lyon 33\.3%|Paris 33\.3%|Nice 33\.3%/,
    );
  });
});
