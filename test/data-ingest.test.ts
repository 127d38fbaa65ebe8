import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DuckSession,
  describeDataset,
  type LoadedDataset,
  loadDataset,
  mixUnit,
  prepareDataset,
  rowsOf,
} from '../src/data/index.js';
import { FlywheelError } from '../src/errors.js';
import { loadSpec } from '../src/spec/index.js';
import { baseSpec, type SpecObject, sampleCsv, writeProject } from './fixtures/project.js';

const sessions: DuckSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function load(dir: string): Promise<LoadedDataset> {
  const session = await DuckSession.open({ threads: 1 });
  sessions.push(session);
  const prepared = await prepareDataset(session, loadSpec(dir));
  return loadDataset(session, prepared);
}

async function failure(dir: string): Promise<FlywheelError> {
  try {
    await load(dir);
  } catch (err) {
    if (err instanceof FlywheelError) return err;
    throw err;
  }
  throw new Error('expected loading to fail');
}

function numeric(data: LoadedDataset, name: string): Float64Array {
  const c = data.features.columns.get(name);
  if (c?.type !== 'numeric') throw new Error(`${name} is not numeric`);
  return c.values;
}

/** Writes `data.csv` of the sample into a folder, converted by DuckDB to `format`. */
async function sampleIn(format: 'parquet' | 'json' | 'ndjson'): Promise<string> {
  const dir = writeProject(baseSpec(), { 'data.csv': sampleCsv() });
  const session = await DuckSession.open();
  const target = path.join(dir, `data.${format}`);
  const copy =
    format === 'parquet'
      ? '(FORMAT parquet)'
      : format === 'ndjson'
        ? '(FORMAT json)'
        : '(FORMAT json, ARRAY true)';
  await session.run(
    `COPY (SELECT * FROM read_csv('${path.join(dir, 'data.csv')}')) TO '${target}' ${copy}`,
  );
  session.close();
  return target;
}

describe('ingestion of each format', () => {
  it('reads CSV into typed columns with missing values as NaN', async () => {
    const data = await load(writeProject(baseSpec(), { 'data.csv': sampleCsv() }));
    expect(data.features.rowCount).toBe(30);
    expect(data.features.schema.map((f) => [f.name, f.type])).toEqual([
      ['x', 'numeric'],
      ['city', 'categorical'],
    ]);
    const x = numeric(data, 'x');
    expect(Number.isNaN(x[0]!)).toBe(true);
    expect(x[1]).toBe(1.5);
    const city = data.features.columns.get('city');
    expect(city?.type === 'categorical' && city.dictionary).toEqual(['Lyon', 'Nice', 'Paris']);
    expect(city?.type === 'categorical' && [...city.codes.slice(0, 3)]).toEqual([2, 0, 1]);
    expect(data.target.type === 'numeric' && [...data.target.values.slice(0, 4)]).toEqual([
      1, 0, 0, 1,
    ]);
  });

  for (const format of ['parquet', 'json', 'ndjson'] as const) {
    it(`reads ${format} to the same frame as CSV`, async () => {
      const file = await sampleIn(format);
      const spec = baseSpec({ data: { sources: { main: { path: path.basename(file) } } } });
      const dir = writeProject(spec);
      const { copyFileSync } = await import('node:fs');
      copyFileSync(file, path.join(dir, path.basename(file)));
      const fromFormat = await load(dir);
      const fromCsv = await load(writeProject(baseSpec(), { 'data.csv': sampleCsv() }));
      expect([...numeric(fromFormat, 'x')]).toEqual([...numeric(fromCsv, 'x')]);
      expect(fromFormat.split).toEqual(fromCsv.split);
      expect(fromFormat.target).toEqual(fromCsv.target);
    });
  }

  it('runs a SQL query over several sources', async () => {
    const cities = 'city,population\nParis,2100000\nLyon,520000\nNice,340000\n';
    const spec = baseSpec({
      data: {
        sources: { main: { path: 'data.csv' }, cities: { path: 'cities.csv' } },
        query: 'SELECT main.*, cities.population FROM main JOIN cities USING (city) ORDER BY id',
      },
    });
    const data = await load(writeProject(spec, { 'data.csv': sampleCsv(), 'cities.csv': cities }));
    expect(numeric(data, 'population')[0]).toBe(2100000);
  });

  it('handles a BOM, CRLF line ends and quoted newlines', async () => {
    const csv =
      '\uFEFFid,t,x,city,y\r\n1,2024-01-01,1,"New\r\nYork",1\r\n2,2024-01-02,2,Paris,0\r\n3,2024-01-06,3,Paris,1\r\n4,2024-01-09,4,Lyon,0\r\n';
    const data = await load(writeProject(baseSpec(), { 'data.csv': csv }));
    const city = data.features.columns.get('city');
    expect(city?.type === 'categorical' && city.dictionary).toContain('New\r\nYork');
    expect(data.features.rowCount).toBe(4);
  });

  it('computes derived features and applies include/exclude', async () => {
    const spec = baseSpec({
      features: { include: ['x'], derive: { day: 'day_of_month(t)', big: 'x > 20', x2: 'x * 2' } },
    });
    const data = await load(writeProject(spec, { 'data.csv': sampleCsv() }));
    expect(data.features.schema.map((f) => f.name)).toEqual(['x', 'day', 'big', 'x2']);
    expect([...numeric(data, 'day').slice(0, 3)]).toEqual([1, 2, 3]);
    expect(numeric(data, 'big')[20]).toBe(1);
    expect(numeric(data, 'x2')[3]).toBe(9);
    expect(Number.isNaN(numeric(data, 'x2')[0]!)).toBe(true);
  });

  it('treats NaN in a Parquet DOUBLE as missing, in features and in expressions', async () => {
    const dir = writeProject(
      baseSpec({
        data: { sources: { main: { path: 'd.parquet' } } },
        features: { exclude: ['id'], derive: { has_x: 'x is not null' } },
      }),
    );
    const session = await DuckSession.open();
    await session.run(
      `COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-01', 'NaN'::DOUBLE, 'a', 1), (2, TIMESTAMP '2024-01-02', 2.0, 'b', 0), (3, TIMESTAMP '2024-01-06', 3.0, 'a', 1), (4, TIMESTAMP '2024-01-09', 4.0, 'b', 0)) t(id, t, x, city, y)) TO '${path.join(dir, 'd.parquet')}' (FORMAT parquet)`,
    );
    session.close();
    const data = await load(dir);
    expect(Number.isNaN(numeric(data, 'x')[0]!)).toBe(true);
    expect([...numeric(data, 'has_x')]).toEqual([0, 1, 1, 1]);
  });

  it('applies a type override and rejects a non-numeric column declared numeric', async () => {
    const ok = await load(
      writeProject(
        baseSpec({
          data: { sources: { main: { path: 'data.csv' } }, schema: { x: 'categorical' } },
        }),
        { 'data.csv': sampleCsv() },
      ),
    );
    expect(ok.features.columns.get('x')?.type).toBe('categorical');
    const err = await failure(
      writeProject(
        baseSpec({
          data: { sources: { main: { path: 'data.csv' } }, schema: { city: 'numeric' } },
        }),
        { 'data.csv': sampleCsv() },
      ),
    );
    expect(err.code).toBe('SCHEMA_TYPE_MISMATCH');
    expect(err.message).toContain('data.schema.city');
    expect(err.message).toContain('row 1: "Paris"');
  });
});

describe('bad data gets a clear error', () => {
  const cases: [string, SpecObject, Record<string, string>, string, RegExp][] = [
    ['a missing file', baseSpec(), {}, 'DATA_NOT_FOUND', /file not found: data.csv/],
    ['an empty file', baseSpec(), { 'data.csv': '' }, 'DATA_EMPTY', /data.csv is empty/],
    [
      'a header without rows',
      baseSpec(),
      { 'data.csv': 'id,t,x,city,y\n' },
      'DATA_EMPTY',
      /0 rows/,
    ],
    [
      'ragged rows',
      baseSpec(),
      { 'data.csv': 'id,t,x,city,y\n1,2024-01-01,1,a,1\n2,2024-01-02,2\n3,2024-01-09,3,b,0\n' },
      'DATA_UNREADABLE',
      /line 3: missing columns/,
    ],
    [
      'a target column that does not exist',
      baseSpec({ target: { column: 'label', positive: 'label > 0' } }),
      { 'data.csv': sampleCsv() },
      'TARGET_INVALID',
      /"label" does not exist/,
    ],
    [
      'a target with one class',
      baseSpec({ target: { column: 'y', positive: 'y > 5' } }),
      { 'data.csv': sampleCsv() },
      'TARGET_INVALID',
      /one class/,
    ],
    [
      'a target that is all missing',
      baseSpec({
        target: { column: 'x', positive: 'x > 1000' },
        data: { sources: { main: { path: 'data.csv' } }, schema: { x: 'numeric' } },
      }),
      { 'data.csv': 'id,t,x,city,y\n1,2024-01-01,,a,1\n' },
      'TARGET_INVALID',
      /missing target/,
    ],
    [
      'a split that leaves a part empty',
      baseSpec({
        split: {
          method: 'time',
          train: { until: '2024-01-05' },
          validation: { from: '2024-01-05', until: '2024-01-08' },
          test: { from: '2025-01-01' },
        },
      }),
      { 'data.csv': sampleCsv() },
      'SPLIT_EMPTY',
      /split.test holds no rows .*runs from 2024-01-01/,
    ],
    [
      'a feature column that does not exist',
      baseSpec({ features: { include: ['distance'] } }),
      { 'data.csv': sampleCsv() },
      'SCHEMA_MISSING_COLUMN',
      /features.include\[0\]: column "distance" does not exist/,
    ],
    [
      'a Parquet file that is not Parquet',
      baseSpec({ data: { sources: { main: { path: 'data.parquet' } } } }),
      { 'data.parquet': 'id,t\n1,2\n' },
      'DATA_UNREADABLE',
      /cannot read data.parquet: .*Parquet file/,
    ],
    [
      'a file with an unknown extension',
      baseSpec({ data: { sources: { main: { path: 'data.xyz' } } } }),
      { 'data.xyz': 'a' },
      'DATA_UNREADABLE',
      /cannot tell the format/,
    ],
    [
      'more rows than max_rows',
      baseSpec({ data: { sources: { main: { path: 'data.csv' } }, max_rows: 10 } }),
      { 'data.csv': sampleCsv() },
      'DATA_TOO_LARGE',
      /exceeds max_rows/,
    ],
  ];
  for (const [what, spec, files, code, message] of cases) {
    it(`rejects ${what}`, async () => {
      const err = await failure(writeProject(spec, files));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/\n\s+at /);
    });
  }

  it('rejects a directory given as a data file', async () => {
    const dir = writeProject(baseSpec({ data: { sources: { main: { path: 'folder' } } } }));
    mkdirSync(path.join(dir, 'folder'));
    const err = await failure(dir);
    expect(err.message).toContain('is a directory');
  });

  it('skips and reports bad rows when on_bad_rows is skip', async () => {
    const csv = `${sampleCsv().trimEnd()}\n99,2024-01-02,1\n`;
    const spec = baseSpec({
      data: { sources: { main: { path: 'data.csv', csv: { on_bad_rows: 'skip' } } } },
    });
    const data = await load(writeProject(spec, { 'data.csv': csv }));
    expect(data.features.rowCount).toBe(30);
    expect(data.prepared.sources[0]!.rejected).toEqual([
      expect.objectContaining({
        source: 'main',
        line: 32,
        error: expect.stringContaining('missing columns'),
      }),
    ]);
  });
});

describe('splits', () => {
  it('assigns rows by event time', async () => {
    const data = await load(writeProject(baseSpec(), { 'data.csv': sampleCsv() }));
    expect([...data.split.slice(0, 10)]).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(rowsOf(data, 'train')).toHaveLength(12);
  });

  it('gives the same random split for the same seed, and another for another seed', async () => {
    const random = (seed: number) =>
      baseSpec({
        event_time: undefined,
        split: { method: 'random', seed, ratios: { train: 0.6, validation: 0.2, test: 0.2 } },
      });
    const csv = sampleCsv(3000);
    const a = await load(writeProject(random(7), { 'data.csv': csv }));
    const b = await load(writeProject(random(7), { 'data.csv': csv }));
    const c = await load(writeProject(random(8), { 'data.csv': csv }));
    expect(a.split).toEqual(b.split);
    expect(a.split).not.toEqual(c.split);
    const share = rowsOf(a, 'train').length / 3000;
    expect(share).toBeGreaterThan(0.55);
    expect(share).toBeLessThan(0.65);
    // the SQL mixer and its TypeScript twin agree
    for (let row = 0; row < 50; row++) {
      const u = mixUnit(row, 7);
      expect(a.split[row]).toBe(u < 0.6 ? 0 : u < 0.8 ? 1 : 2);
    }
  });

  it('keeps each entity in one part of a random split', async () => {
    const spec = baseSpec({
      event_time: undefined,
      entity: 'city',
      split: { method: 'random', seed: 1 },
    });
    const csv = sampleCsv(300).replace(
      /,(Paris|Lyon|Nice),/g,
      (_m, c: string, offset: number) => `,${c}${offset % 40},`,
    );
    const data = await load(writeProject(spec, { 'data.csv': csv }));
    expect(data.features.columns.has('city')).toBe(false);
    expect(data.prepared.splits.every((s) => s.rows > 0)).toBe(true);
  });
});

describe('describe', () => {
  it('reports columns, missing rates and the base rate per split', async () => {
    const session = await DuckSession.open();
    sessions.push(session);
    const prepared = await prepareDataset(
      session,
      loadSpec(writeProject(baseSpec(), { 'data.csv': sampleCsv() })),
    );
    const d = await describeDataset(session, prepared);
    expect(d.rows).toBe(30);
    const x = d.columns.find((c) => c.name === 'x')!;
    expect(x.missing).toBe(5);
    expect(x.missingRate).toBeCloseTo(5 / 30, 12);
    expect(d.columns.find((c) => c.role === 'target')).toMatchObject({ name: 'y', type: 'binary' });
    const train = d.splits.find((s) => s.split === 'train')!;
    expect(train.rows).toBe(12);
    expect(train.baseRate).toBeCloseTo(4 / 12, 12);
  });
});
