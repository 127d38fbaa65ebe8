import { beforeAll, describe, expect, it } from 'vitest';
import { type Column, DuckSession, makeFrame, takeRows } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { createEstimator, registerModelKind } from '../models/index.js';
import type { ModelBundle } from '../registry/index.js';
import { parseExpression, toSql } from '../spec/index.js';
import {
  CITIES,
  DERIVED,
  type ServeFixture,
  serveFixture,
  trainingFrame,
} from './fixtures/serve-bundle.js';
import { createScorer, type Scorer } from './scorer.js';
import { smokeCheck } from './smoke-check.js';

let binary: ServeFixture;
let scorer: Scorer;

beforeAll(async () => {
  binary = await serveFixture({ task: 'binary', threshold: 0.4 });
  scorer = createScorer(binary.bundle);
});

const valid = {
  customer: 'c1',
  x1: 0.5,
  x2: -0.25,
  city: 'berlin',
  seen_at: '2024-03-01T17:30:00Z',
};

function errorsOf(rows: unknown[]) {
  const result = scorer.score(rows);
  if (result.ok) throw new Error('expected field errors');
  return result.errors;
}

function scoresOf(s: Scorer, rows: unknown[]) {
  const result = s.score(rows);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rows;
}

describe('scorer: validation', () => {
  it('accepts a valid row', () => {
    const [row] = scoresOf(scorer, [valid]);
    expect(Number.isFinite(row!.score)).toBe(true);
  });

  it('names an unknown field, with a suggestion', () => {
    const errors = errorsOf([
      { ...valid, x3: 1 },
      { ...valid, ciyt: 'berlin' },
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ row: 0, field: 'x3' });
    expect(errors[0]!.message).toMatch(/unknown field/);
    expect(errors[1]).toMatchObject({ row: 1, field: 'ciyt' });
    expect(errors[1]!.message).toMatch(/did you mean "city"/);
  });

  it('rejects wrong types field by field, never echoing the value', () => {
    const errors = errorsOf([
      { ...valid, x1: '3.5' },
      { ...valid, x1: { secret: 'value' } },
      { ...valid, x2: [1] },
      { ...valid, city: { a: 1 } },
      { ...valid, city: 3.5 },
      { ...valid, seen_at: true },
      { ...valid, seen_at: 'yesterday' },
      { ...valid, seen_at: '2024-02-30T00:00:00Z' },
      { ...valid, customer: { id: 1 } },
    ]);
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [0, 'x1'],
      [1, 'x1'],
      [2, 'x2'],
      [3, 'city'],
      [4, 'city'],
      [5, 'seen_at'],
      [6, 'seen_at'],
      [7, 'seen_at'],
      [8, 'customer'],
    ]);
    expect(errors[0]!.message).toBe('expected a number, got a string');
    expect(errors[1]!.message).toBe('expected a number, got an object');
    expect(errors[2]!.message).toBe('expected a number, got an array');
    for (const e of errors) expect(e.message).not.toMatch(/secret|yesterday|3\.5/);
  });

  it('rejects numbers that are not finite', () => {
    const errors = errorsOf([
      { ...valid, x1: Number.NaN },
      { ...valid, x2: Number.POSITIVE_INFINITY },
      { ...valid, seen_at: Number.NEGATIVE_INFINITY },
    ]);
    expect(errors.map((e) => e.field)).toEqual(['x1', 'x2', 'seen_at']);
    for (const e of errors) expect(e.message).toBe('must be a finite number');
  });

  it('rejects a row that is not an object', () => {
    const errors = errorsOf([null, [1, 2], 'row', valid]);
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [0, '(row)'],
      [1, '(row)'],
      [2, '(row)'],
    ]);
  });

  it('treats missing and null as missing: allowed when nullable, an error when not', () => {
    const ok = scoresOf(scorer, [{ x2: 0.1 }, { x1: null, x2: 0.1, city: null, seen_at: null }]);
    expect(ok[0]!.score).toBe(ok[1]!.score);
    expect(Number.isFinite(ok[0]!.score)).toBe(true);
    const errors = errorsOf([{ x1: 1 }, { x1: 1, x2: null }]);
    expect(errors).toEqual([
      { row: 0, field: 'x2', message: 'is required (missing or null)' },
      { row: 1, field: 'x2', message: 'is required (missing or null)' },
    ]);
  });

  it('treats an empty category as missing, as training does', () => {
    const [a, b] = scoresOf(scorer, [
      { ...valid, city: '' },
      { ...valid, city: null },
    ]);
    expect(a!.score).toBe(b!.score);
  });

  it('never lets __proto__ or constructor keys reach a prototype', () => {
    const rows = [
      JSON.parse('{"x2": 0.1, "__proto__": {"polluted": true}}'),
      JSON.parse('{"x2": 0.1, "constructor": {"prototype": {"polluted": true}}}'),
      JSON.parse('{"x2": 0.1, "prototype": 1}'),
    ];
    const errors = errorsOf(rows);
    expect(errors.map((e) => e.field)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('reads an input named like an Object.prototype member only as an own property', async () => {
    const n = 20;
    const frame = makeFrame(
      new Map<string, Column>([
        ['constructor', { type: 'numeric', values: Float64Array.from({ length: n }, (_, i) => i) }],
      ]),
    );
    const target: Column = {
      type: 'numeric',
      values: Float64Array.from({ length: n }, (_, i) => i % 2),
    };
    const model = await createEstimator('prior').fit(frame, target, { task: 'binary' });
    const bundle: ModelBundle = {
      ...binary.bundle,
      model: model.toFile(),
      inputs: [{ name: 'constructor', type: 'numeric', nullable: false }],
      derived: [],
      features: ['constructor'],
      entity: undefined,
      eventTime: undefined,
    };
    const s = createScorer(bundle);
    expect(s.score([{}])).toEqual({
      ok: false,
      errors: [{ row: 0, field: 'constructor', message: 'is required (missing or null)' }],
    });
    expect(s.score([{ constructor: 3 }]).ok).toBe(true);
  });

  it('caps the number of field errors in one answer', () => {
    const rows = Array.from({ length: 300 }, () => ({ x1: 'a', x2: 'b' }));
    const errors = errorsOf(rows);
    expect(errors).toHaveLength(100);
    expect(errors[99]).toMatchObject({ field: '(request)' });
    expect(errors[99]!.message).toMatch(/501 more field errors/);
  });
});

describe('scorer: values', () => {
  it('reads a timestamp as ISO (UTC without an offset) or as epoch milliseconds', () => {
    const at = Date.UTC(2024, 2, 1, 17, 30);
    const rows = scoresOf(scorer, [
      { ...valid, seen_at: '2024-03-01T17:30:00Z' },
      { ...valid, seen_at: '2024-03-01T17:30:00' },
      { ...valid, seen_at: '2024-03-01 19:30:00+02:00' },
      { ...valid, seen_at: at },
    ]);
    const scores = rows.map((r) => r.score);
    expect(scores).toEqual([scores[0], scores[0], scores[0], scores[0]]);
  });

  it('scores an unseen category like the model does (UNSEEN), in inputs and derived features', () => {
    const rows = [
      { ...valid, city: 'zanzibar' },
      { ...valid, city: 'berlin' },
    ];
    const served = scoresOf(scorer, rows).map((r) => r.score);
    // Training's way: a dictionary that holds the new value; the model's own alignment maps it to UNSEEN.
    const frame = trainingFrameWithUnseen(rows);
    expect(served).toEqual(Array.from(binary.model.predict(frame)));
  });

  it('gives exactly model.predict on the training frame, for every training row', () => {
    const served = scoresOf(scorer, binary.rows).map((r) => r.score);
    expect(served).toEqual(Array.from(binary.model.predict(binary.frame)));
  });

  it('scores the same rows alone or in a batch, in any order', () => {
    const rows = binary.rows.slice(0, 20);
    const batch = scoresOf(scorer, rows).map((r) => r.score);
    const alone = rows.map((row) => scoresOf(scorer, [row])[0]!.score);
    const reversed = scoresOf(scorer, [...rows].reverse())
      .map((r) => r.score)
      .reverse();
    expect(alone).toEqual(batch);
    expect(reversed).toEqual(batch);
  });

  it('applies the decision policy: act when P(positive) ≥ threshold', () => {
    for (const row of scoresOf(scorer, binary.rows)) {
      expect(row.decision).toBe(row.score >= 0.4);
    }
  });

  it('multiclass: the most probable class, its probability and all probabilities', async () => {
    const multi = await serveFixture({ task: 'multiclass' });
    const s = createScorer(multi.bundle);
    const rows = scoresOf(s, multi.rows.slice(0, 30));
    const raw = multi.model.predict(multi.frame);
    rows.forEach((row, i) => {
      const p = Array.from(raw.subarray(i * 3, i * 3 + 3));
      const best = p.indexOf(Math.max(...p));
      expect(row.decision).toBe(['low', 'mid', 'high'][best]);
      expect(row.score).toBe(p[best]);
      expect(row.probabilities).toEqual({ low: p[0], mid: p[1], high: p[2] });
    });
  });

  it('regression: the value is the score and the decision', async () => {
    const reg = await serveFixture({ task: 'regression' });
    const rows = scoresOf(createScorer(reg.bundle), reg.rows.slice(0, 10));
    const raw = reg.model.predict(reg.frame);
    rows.forEach((row, i) => {
      expect(row.score).toBe(raw[i]);
      expect(row.decision).toBe(raw[i]);
    });
  });
});

describe('scorer: derived features equal training (DuckDB) evaluation', () => {
  it('scores rows exactly as a model fed the features DuckDB computes with toSql', async () => {
    const rows = [
      ...binary.rows.slice(0, 50),
      { ...valid, city: 'zanzibar', x1: null },
      { x2: 0.3 },
    ];
    const session = await DuckSession.open();
    try {
      const values = rows
        .map((r) => {
          const lit = (v: unknown, type: string) =>
            v === null || v === undefined
              ? `NULL::${type}`
              : typeof v === 'string'
                ? `'${v.replace(/'/g, "''")}'::${type}`
                : `${v}::${type}`;
          return `(${lit(r['x1'], 'DOUBLE')}, ${lit(r['x2'], 'DOUBLE')}, ${lit(r['city'], 'VARCHAR')}, ${lit(
            r['seen_at'],
            'TIMESTAMP',
          )})`;
        })
        .join(', ');
      await session.run(
        `CREATE TEMP TABLE fw_typed AS SELECT * FROM (VALUES ${values}) t(x1, x2, city, seen_at)`,
      );
      const select = DERIVED.map((d) => {
        const sql = toSql(parseExpression(d.expression));
        return d.type === 'categorical'
          ? `CAST(${sql} AS VARCHAR) AS ${d.name}`
          : `CAST(${sql} AS DOUBLE) AS ${d.name}`;
      });
      const out = await session.rows(
        `SELECT x1, x2, city, ${select.join(', ')} FROM fw_typed ORDER BY rowid`,
      );
      const num = (name: string) =>
        Float64Array.from(out, (r) => (r[name] === null ? Number.NaN : Number(r[name])));
      const cat = (name: string): Column => {
        const dictionary = [
          ...new Set(out.map((r) => r[name]).filter((v) => v !== null)),
        ] as string[];
        const codes = Int32Array.from(out, (r) =>
          r[name] === null ? -1 : dictionary.indexOf(r[name] as string),
        );
        return { type: 'categorical', codes, dictionary };
      };
      const frame = makeFrame(
        new Map<string, Column>([
          ['x1', { type: 'numeric', values: num('x1') }],
          ['x2', { type: 'numeric', values: num('x2') }],
          ['city', cat('city')],
          ['hour', { type: 'numeric', values: num('hour') }],
          ['x_sum', { type: 'numeric', values: num('x_sum') }],
          ['big_city', { type: 'numeric', values: num('big_city') }],
          ['area', cat('area')],
        ]),
      );
      const expected = Array.from(binary.model.predict(frame));
      expect(scoresOf(scorer, rows).map((r) => r.score)).toEqual(expected);
    } finally {
      session.close();
    }
  });
});

describe('scorer: bundle checks', () => {
  it('refuses a bundle whose model needs a feature nobody provides', () => {
    const bundle = { ...binary.bundle, derived: binary.bundle.derived.slice(0, 2) };
    expect(() => createScorer(bundle)).toThrow(/needs feature "big_city"/);
  });

  it('refuses a derived feature whose expression does not type-check', () => {
    const derived = [...binary.bundle.derived];
    derived[0] = { name: 'hour', type: 'numeric', expression: 'hour(city)' };
    expect(() => createScorer({ ...binary.bundle, derived })).toThrow(FlywheelError);
  });

  it('refuses a model file that does not load', () => {
    expect(() => createScorer({ ...binary.bundle, model: { format: 'nope' } })).toThrow(
      expect.objectContaining({ code: 'ARTIFACT_CORRUPT' }),
    );
  });
});

describe('smokeCheck', () => {
  it('compares sample rows with the scores training gave them (train/serve skew)', async () => {
    const rows = binary.rows.slice(0, 5);
    const scores = Array.from(
      binary.model.predict(takeRows(binary.frame, Int32Array.of(0, 1, 2, 3, 4))),
    );
    await expect(
      smokeCheck({ ...binary.bundle, samples: { rows, scores } }),
    ).resolves.toBeUndefined();
    const skewed = [...scores];
    skewed[2] = skewed[2]! + 0.01;
    await expect(
      smokeCheck({ ...binary.bundle, samples: { rows, scores: skewed } }),
    ).rejects.toMatchObject({
      code: 'GATE_FAILED',
      message: expect.stringMatching(
        /sample row 2 scores .* when served but scored .* in training/,
      ),
    });
  });

  it('passes a servable bundle, with extra rows', async () => {
    await expect(smokeCheck(binary.bundle, { rows: [valid] })).resolves.toBeUndefined();
  });

  it('fails with GATE_FAILED when the model does not load', async () => {
    await expect(smokeCheck({ ...binary.bundle, model: {} })).rejects.toMatchObject({
      code: 'GATE_FAILED',
      details: { stage: 'load' },
    });
  });

  it('fails with GATE_FAILED when the model gives a non-finite score', async () => {
    registerModelKind({
      kind: 'serve-test-nan',
      description: 'scores NaN (smoke check test)',
      create: () => {
        throw new Error('not fittable');
      },
      load: (file) => ({
        kind: 'serve-test-nan',
        task: 'binary',
        schema: file.schema,
        predict: (frame) => new Float64Array(frame.rowCount).fill(Number.NaN),
        cost: () => ({ bytes: 0, parameters: 0, opsPerRow: 0 }),
        toFile: () => file,
      }),
    });
    const model = { ...(binary.bundle.model as object), kind: 'serve-test-nan' };
    await expect(smokeCheck({ ...binary.bundle, model })).rejects.toMatchObject({
      code: 'GATE_FAILED',
      details: { stage: 'score' },
      message: expect.stringMatching(/scored NaN, not a finite number/),
    });
  });

  it('fails when a sample row of the bundle is rejected', async () => {
    const bundle = { ...binary.bundle, samples: { rows: [{ x2: 'text' }], scores: [0.5] } };
    await expect(smokeCheck(bundle)).rejects.toMatchObject({
      code: 'GATE_FAILED',
      details: { stage: 'validate' },
    });
  });
});

function trainingFrameWithUnseen(rows: Record<string, unknown>[]) {
  const known = rows.map((r) => ({
    ...r,
    city: CITIES.includes(r['city'] as string) ? r['city'] : null,
  }));
  const frame = trainingFrame(known);
  const dictionary = [...CITIES, 'zanzibar'];
  const codes = Int32Array.from(rows, (r) => dictionary.indexOf(r['city'] as string));
  const area = { type: 'categorical' as const, codes, dictionary };
  const columns = new Map(frame.columns);
  columns.set('city', area);
  columns.set('area', area);
  const big = (columns.get('big_city') as { values: Float64Array }).values.slice();
  rows.forEach((r, i) => {
    big[i] = r['city'] === 'amsterdam' || r['city'] === 'berlin' ? 1 : 0;
  });
  columns.set('big_city', { type: 'numeric', values: big });
  return makeFrame(columns);
}
