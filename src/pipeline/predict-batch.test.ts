/**
 * Batch scoring against training: a GBDT fitted on a project's data scores
 * the project's own file through `scoreFile` exactly as `model.predict`
 * scores the training Frame (derived features, categories, missing values),
 * in CSV and Parquet, across chunk boundaries; bad input fails clearly and
 * leaves nothing behind.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, writeProject } from '../../test/fixtures/project.js';
import { prng, synthetic } from '../../test/fixtures/synthetic.js';
import { testDir } from '../../test/fixtures/tmp.js';
import {
  type CategoricalColumn,
  DuckSession,
  type NumericColumn,
  sqlString,
} from '../data/index.js';
import { FlywheelError } from '../errors.js';
import type { GateVerdict } from '../evaluate/index.js';
import { createEstimator, type FittedModel } from '../models/index.js';
import { BUNDLE_FORMAT, type ModelBundle, ModelRegistry } from '../registry/index.js';
import type { Stores } from '../store/index.js';
import { buildBundle } from './bundle.js';
import { predictBatch, scoreFile } from './predict-batch.js';
import {
  loadCheckedSpec,
  loadProjectData,
  openProjectStore,
  type ProjectData,
} from './train-project.js';

const ROWS = 5_000;

/** Rows over ten days; x and the city carry signal; some x and cities are missing. */
function projectCsv(extra: (i: number) => string = () => '', header = 'id,t,x,city,y'): string {
  const rand = prng(3);
  const lines = [header];
  const cities = ['Paris', 'Lyon', 'Nice', 'Lille'];
  for (let i = 0; i < ROWS; i++) {
    const x = rand() * 10;
    const city = i % 17 === 0 ? '' : cities[i % 4]!;
    const z = 0.7 * x - 3.5 + (city === 'Paris' ? 1 : 0) + (rand() - 0.5);
    const hour = String(i % 24).padStart(2, '0');
    lines.push(
      `${i},2024-01-${String(1 + (i % 10)).padStart(2, '0')} ${hour}:00:00,${i % 13 === 0 ? '' : x.toFixed(3)},${city},${rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0}${extra(i)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const spec = baseSpec({
  features: {
    exclude: ['id'],
    derive: { hour: 'hour(t)', big: 'x > 5', place: "coalesce(city, 'nowhere')" },
  },
});

const verdict: GateVerdict = {
  passed: true,
  confidence: 0.95,
  candidate: 'gbdt',
  resamples: 0,
  seed: 1,
  criteria: [],
};

async function readAll(file: string): Promise<Record<string, unknown>[]> {
  const session = await DuckSession.open();
  try {
    const reader = file.endsWith('.parquet') ? 'read_parquet' : 'read_csv';
    return await session.rows(`SELECT * FROM ${reader}(${sqlString(file)})`);
  } finally {
    session.close();
  }
}

async function toParquet(csv: string, parquet: string): Promise<void> {
  const session = await DuckSession.open();
  try {
    await session.run(
      `COPY (SELECT * FROM read_csv(${sqlString(csv)})) TO ${sqlString(parquet)} (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
    );
  } finally {
    session.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<FlywheelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlywheelError);
  return err as FlywheelError;
}

/** Nothing but the files that were there: no output, no partial file. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('.out') || f.startsWith('out'));
}

describe('scoreFile on a project', () => {
  let dir: string;
  let stores: Stores;
  let project: ProjectData;
  let model: FittedModel;
  let bundle: ModelBundle;
  let expected: Float64Array;
  const threshold = 0.4;

  beforeAll(async () => {
    dir = writeProject(spec, { 'data.csv': projectCsv() });
    const loaded = loadCheckedSpec(dir);
    stores = await openProjectStore(loaded);
    project = await loadProjectData(loaded, stores);
    model = await createEstimator('gbdt', {
      n_estimators: 30,
      num_leaves: 8,
      min_data_in_leaf: 5,
    }).fit(project.train.frame, project.train.target, { task: 'binary', seed: 7 });
    bundle = buildBundle({
      project,
      rung: 'gbdt',
      model,
      policy: { kind: 'threshold', threshold, chosenOn: 'given' },
      verdict,
      runId: 'run-1',
      rungRunId: 'run-2',
    });
    expected = model.predict(project.data.features);
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('the bundle asks for the raw inputs and derives the rest', () => {
    expect(bundle.inputs.map((i) => i.name).sort()).toEqual(['city', 't', 'x']);
    expect(bundle.derived.map((d) => d.name)).toEqual(['hour', 'big', 'place']);
  });

  it.each([
    { from: 'csv', to: 'csv', chunkRows: 777 },
    { from: 'csv', to: 'parquet', chunkRows: 100_000 },
    { from: 'parquet', to: 'csv', chunkRows: 2048 },
    { from: 'parquet', to: 'parquet', chunkRows: 1 + ROWS / 2 },
  ])(
    '$from → $to in chunks of $chunkRows: the scores are the model’s on the training Frame',
    async ({ from, to, chunkRows }) => {
      const input = path.join(dir, 'data.csv');
      const source = from === 'csv' ? input : path.join(dir, 'data.parquet');
      if (from === 'parquet' && !existsSync(source)) await toParquet(input, source);
      const output = path.join(dir, `scored-${from}-${chunkRows}.${to}`);
      const progress: number[] = [];
      const result = await scoreFile({
        bundle,
        modelVersion: 'test_project@1',
        input: source,
        output,
        chunkRows,
        onProgress: (rows, total) => {
          expect(total).toBe(ROWS);
          progress.push(rows);
        },
      });
      expect(result).toMatchObject({ rows: ROWS, format: to, model: 'test_project@1' });
      expect(result.added).toEqual(['score', 'decision', 'model_version']);
      expect(progress.at(-1)).toBe(ROWS);
      expect(progress).toHaveLength(Math.ceil(ROWS / chunkRows));

      const rows = await readAll(output);
      expect(rows).toHaveLength(ROWS);
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
      rows.forEach((row, i) => {
        expect(Number(row['id'])).toBe(i);
        expect(row['score']).toBe(expected[i]);
        expect(row['decision']).toBe(expected[i]! >= threshold);
        expect(row['model_version']).toBe('test_project@1');
      });
    },
  );

  it('passes extra columns through and replaces columns named like its own', async () => {
    const input = path.join(dir, 'extra.csv');
    writeFileSync(
      input,
      projectCsv((i) => `,note ${i},${i}`, 'id,t,x,city,y,note,score'),
    );
    const output = path.join(dir, 'extra-out.csv');
    const result = await scoreFile({ bundle, modelVersion: 'm@2', input, output });
    expect(result.warnings).toEqual([`${input} already has score: replaced in the output`]);
    const rows = await readAll(output);
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      't',
      'x',
      'city',
      'y',
      'note',
      'score',
      'decision',
      'model_version',
    ]);
    expect(rows[42]!['note']).toBe('note 42');
    expect(rows[42]!['score']).toBe(expected[42]);
  });

  it('scores unseen categories as the model allows, and a categorical held as numbers', async () => {
    const input = path.join(dir, 'unseen.csv');
    writeFileSync(input, 't,x,city\n2024-01-02 10:00:00,3.5,Marseille\n2024-01-02 10:00:00,3.5,\n');
    const output = path.join(dir, 'unseen-out.parquet');
    await scoreFile({ bundle, modelVersion: 'm@1', input, output });
    const [unseen, missing] = await readAll(output);
    // The GBDT sends an unseen category where it sends a missing one.
    expect(unseen!['score']).toBe(missing!['score']);

    const numbers = path.join(dir, 'numbers.csv');
    writeFileSync(numbers, 't,x,city\n2024-01-02 10:00:00,3.5,75\n');
    await scoreFile({ bundle, modelVersion: 'm@1', input: numbers, output });
    expect((await readAll(output))[0]!['score']).toBe(missing!['score']);
  });

  it('predictBatch scores with the version an alias points at; an unknown model is exit 2', async () => {
    const registry = new ModelRegistry(stores);
    const version = await registry.register(bundle, { actor: 'test' });
    await registry.moveAlias({
      name: version.name,
      alias: 'champion',
      version: version.version,
      actor: 'test',
      reason: 'the test model',
    });
    const output = path.join(dir, 'champion.parquet');
    const input = path.join(dir, 'data.csv');
    const result = await predictBatch({ stores, ref: 'test_project@champion', input, output });
    expect(result.model).toBe(`test_project@${version.version}`);
    const rows = await readAll(output);
    expect(rows.map((r) => r['score'])).toEqual([...expected]);
    expect(new Set(rows.map((r) => r['model_version']))).toEqual(new Set([result.model]));

    for (const ref of ['nope@champion', 'test_project@staging', 'test_project@9']) {
      const err = await failure(
        predictBatch({ stores, ref, input, output: path.join(dir, 'out.csv') }),
      );
      expect(err.code).toBe('NOT_FOUND');
      expect(err.exitCode).toBe(2);
    }
    expect(leftovers(dir)).toEqual([]);
  });

  describe('bad input: a clear error, and no output left behind', () => {
    const score = (input: string, output = path.join(dir, 'out.csv')) =>
      failure(scoreFile({ bundle, modelVersion: 'm@1', input, output }));

    it('a missing column names the file and the column (exit 3)', async () => {
      const input = path.join(dir, 'missing.csv');
      writeFileSync(input, 'id,t,city\n1,2024-01-02 10:00:00,Paris\n');
      const err = await score(input);
      expect(err.code).toBe('SCHEMA_MISSING_COLUMN');
      expect(err.exitCode).toBe(3);
      expect(err.message).toBe(`${input} lacks column "x", which the model needs`);
      expect(err.hint).toContain('x (numeric)');
      expect(leftovers(dir)).toEqual([]);
    });

    it('a column of the wrong type names the column and the bad values', async () => {
      const input = path.join(dir, 'wrong.csv');
      writeFileSync(
        input,
        't,x,city\n2024-01-02 10:00:00,1.5,Paris\n2024-01-02 10:00:00,abc,Lyon\n',
      );
      const err = await score(input);
      expect(err.code).toBe('SCHEMA_TYPE_MISMATCH');
      expect(err.message).toBe(
        `${input}: column "x" should be numeric but holds values that are not (row 2: "abc")`,
      );
      const timestamps = path.join(dir, 'wrong-t.csv');
      writeFileSync(timestamps, 't,x,city\n5,1.5,Paris\n');
      const err2 = await score(timestamps);
      expect(err2.code).toBe('SCHEMA_TYPE_MISMATCH');
      expect(err2.message).toBe(
        `${timestamps}: column "t" is BIGINT, but the model reads it as timestamp`,
      );
      expect(leftovers(dir)).toEqual([]);
    });

    it('an unreadable, empty or absent file', async () => {
      const garbage = path.join(dir, 'garbage.parquet');
      writeFileSync(garbage, 'this is not parquet');
      const err = await score(garbage);
      expect(err.code).toBe('DATA_UNREADABLE');
      expect(err.message).toMatch(new RegExp(`^cannot read ${garbage}: `));
      const empty = path.join(dir, 'empty.csv');
      writeFileSync(empty, '');
      expect((await score(empty)).code).toBe('DATA_EMPTY');
      const absent = await score(path.join(dir, 'nope.csv'));
      expect(absent.code).toBe('DATA_NOT_FOUND');
      expect(absent.message).toBe(`input file not found: ${path.join(dir, 'nope.csv')}`);
      expect((await score(path.join(dir, 'data.csv'), path.join(dir, 'out.xlsx'))).code).toBe(
        'USAGE',
      );
      expect(
        (await score(path.join(dir, 'data.csv'), path.join(dir, 'no', 'such', 'out.csv'))).code,
      ).toBe('USAGE');
      expect(leftovers(dir)).toEqual([]);
    });

    it('keeps an existing output intact when scoring fails, and when it is aborted', async () => {
      const output = path.join(dir, 'out.csv');
      writeFileSync(output, 'previous\n');
      const input = path.join(dir, 'missing.csv');
      await score(input, output);
      expect(readdirSync(dir).filter((f) => /^\.?out\.csv/.test(f))).toEqual(['out.csv']);

      const abort = new AbortController();
      const aborted = await scoreFile({
        bundle,
        modelVersion: 'm@1',
        input: path.join(dir, 'data.csv'),
        output,
        chunkRows: 1000,
        signal: abort.signal,
        onProgress: () => abort.abort(),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(abort.signal.aborted).toBe(true);
      expect(aborted).toBe(abort.signal.reason);
      expect(readdirSync(dir).filter((f) => /^\.?out\.csv/.test(f))).toEqual(['out.csv']);
      expect((await readAll(output)).map((r) => Object.keys(r))).toEqual([]);
    });
  });
});

describe('scoreFile for multiclass and regression', () => {
  const data = synthetic(3_000, 5);
  const dir = testDir('fw-predict');
  const input = path.join(dir, 'rows.csv');
  const cities = data.frame.columns.get('city')! as CategoricalColumn;
  const x1 = (data.frame.columns.get('x1')! as NumericColumn).values;
  const x2 = (data.frame.columns.get('x2')! as NumericColumn).values;
  const lines = ['x1,x2,city'];
  for (let i = 0; i < data.frame.rowCount; i++) {
    const c = cities.codes[i]!;
    lines.push(
      `${Number.isNaN(x1[i]!) ? '' : x1[i]},${x2[i]},${c < 0 ? '' : cities.dictionary[c]}`,
    );
  }
  writeFileSync(input, `${lines.join('\n')}\n`);

  function handBundle(task: 'multiclass' | 'regression', model: FittedModel): ModelBundle {
    return {
      format: BUNDLE_FORMAT,
      name: 'synthetic',
      task,
      rung: 'gbdt',
      model: model.toFile(),
      inputs: [
        { name: 'x1', type: 'numeric', nullable: true },
        { name: 'x2', type: 'numeric', nullable: true },
        { name: 'city', type: 'categorical', categories: cities.dictionary, nullable: true },
      ],
      derived: [],
      features: ['x1', 'x2', 'city'],
      featureVersions: [],
      ...(task === 'multiclass' ? { classes: data.classes } : {}),
      decision: { kind: 'none' },
      currency: 'USD',
      specHash: 'hash',
      referenceProfile: {},
      lineage: { runId: 'r', rungRunId: 'r', snapshotId: null },
      blessing: { passed: true, criteria: [] },
      createdAt: '2025-01-01T00:00:00.000Z',
    };
  }

  it('multiclass: the top class, its probability, and one probability column per class', async () => {
    const model = await createEstimator('gbdt', { n_estimators: 10, num_leaves: 4 }).fit(
      data.frame,
      data.multiclass,
      { task: 'multiclass', classes: data.classes, seed: 1 },
    );
    const expected = model.predict(data.frame);
    const k = data.classes.length;
    const output = path.join(dir, 'multiclass.parquet');
    const result = await scoreFile({
      bundle: handBundle('multiclass', model),
      modelVersion: 'synthetic@4',
      input,
      output,
      chunkRows: 1000,
    });
    expect(result.added).toEqual([
      'score',
      'decision',
      ...data.classes.map((c) => `probability_${c}`),
      'model_version',
    ]);
    const rows = await readAll(output);
    rows.forEach((row, i) => {
      const p = Array.from({ length: k }, (_, j) => expected[i * k + j]!);
      const best = p.indexOf(Math.max(...p));
      expect(row['score']).toBe(p[best]);
      expect(row['decision']).toBe(data.classes[best]);
      for (const [j, c] of data.classes.entries()) expect(row[`probability_${c}`]).toBe(p[j]);
    });
  });

  it('regression: the value is the score and the decision', async () => {
    const model = await createEstimator('gbdt', { n_estimators: 10, num_leaves: 4 }).fit(
      data.frame,
      data.regression,
      { task: 'regression', seed: 1 },
    );
    const expected = model.predict(data.frame);
    const output = path.join(dir, 'regression.csv');
    await scoreFile({
      bundle: handBundle('regression', model),
      modelVersion: 's@1',
      input,
      output,
    });
    const rows = await readAll(output);
    expect(rows.map((r) => r['score'])).toEqual([...expected]);
    expect(rows.map((r) => r['decision'])).toEqual([...expected]);
  });
});
