/**
 * Each quality check on a small `fw_dataset` table: a planted problem it must
 * find, and clean data on which it stays quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../findings.js';
import { SpecSchema } from '../spec/index.js';
import { DuckSession } from './duck.js';
import { type QualityInput, runQualityChecks } from './quality.js';

/**
 * 2,000 clean rows: `x` unique, `c` five categories, a binary target with
 * about a third positive, the same mix in every split, unique entity keys.
 */
const CLEAN = `
  SELECT i::DOUBLE AS x, 'c' || ((i // 10) % 5) AS c,
    CASE WHEN hash(i) % 3 = 0 THEN 1.0 ELSE 0.0 END AS __target,
    CASE WHEN i % 10 < 6 THEN 'train' WHEN i % 10 < 8 THEN 'validation' ELSE 'test' END AS __split,
    TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS __event_time,
    'e' || i AS __entity
  FROM range(2000) r(i)`;

const INPUT: QualityInput = {
  features: [
    { name: 'x', type: 'numeric' },
    { name: 'c', type: 'categorical' },
  ],
  targetKind: 'binary',
  targetName: 'churn',
  hasEntity: true,
  hasEventTime: true,
};

let session: DuckSession;

beforeAll(async () => {
  session = await DuckSession.open();
});

afterAll(() => session.close());

async function check(
  sql: string,
  input: Partial<QualityInput> = {},
): Promise<{ all: Finding[]; of: (id: string) => Finding[] }> {
  await session.run(`CREATE OR REPLACE TABLE fw_dataset AS ${sql}`);
  const all = await runQualityChecks(session, { ...INPUT, ...input });
  return { all, of: (id) => all.filter((f) => f.check === id) };
}

describe('runQualityChecks', () => {
  it('finds nothing in clean data, with the schema defaults', async () => {
    const { all } = await check(CLEAN);
    expect(all).toEqual([]);
  });

  it('quality.missing: a column missing in more than missing_max of rows', async () => {
    const sql = (share: number) =>
      `SELECT * REPLACE (CASE WHEN hash(x) % 100 < ${share} THEN NULL ELSE x END AS x) FROM (${CLEAN})`;
    const { of } = await check(sql(62));
    const [f] = of('quality.missing');
    expect(f).toMatchObject({ column: 'x', severity: 'warn', evidence: { threshold: 0.5 } });
    expect(f!.message).toMatch(
      /^column "x" is missing in 6\d\.\d% of rows \(.* of 2,000; threshold 50%\)$/,
    );
    expect((await check(sql(40))).of('quality.missing')).toEqual([]);
    const strict = await check(sql(40), { checks: checksWith({ missing_max: 0.2 }) });
    expect(strict.of('quality.missing')[0]!.message).toContain('threshold 20%');
  });

  it('quality.constant: a feature with a single non-missing value', async () => {
    const { of } = await check(
      `SELECT * REPLACE (CASE WHEN x < 100 THEN NULL ELSE 7.0 END AS x, 'same' AS c) FROM (${CLEAN})`,
    );
    const found = of('quality.constant');
    expect(found.map((f) => f.column)).toEqual(['x', 'c']);
    expect(found[0]!.message).toBe(
      'column "x" is constant: all 1,900 non-missing values are 7 (100 missing); it cannot inform a model',
    );
    expect(found[1]!.evidence).toMatchObject({ value: 'same', rows: 2000 });
  });

  it('quality.duplicate_rows: rows repeating another on every feature and the target', async () => {
    const { of } = await check(
      `${CLEAN} UNION ALL SELECT * FROM (${CLEAN}) WHERE x < 10 UNION ALL SELECT * FROM (${CLEAN}) WHERE x = 3`,
    );
    const [f] = of('quality.duplicate_rows');
    expect(f).toMatchObject({ severity: 'warn', evidence: { duplicateRows: 11 } });
    expect(f!.message).toMatch(
      /^11 rows \(0\.5%\) repeat another row .*\(x=3, c="c0"\) appears 3 times$/,
    );
    expect(of('quality.conflicting_labels')).toEqual([]);
    // No feature is unique here, so the query runs; no two rows are equal.
    const paired = await check(
      `SELECT * REPLACE (floor(x / 2) AS x, 'c' || CAST(x % 2 AS INTEGER) AS c) FROM (${CLEAN})`,
    );
    expect(paired.all).toEqual([]);
    // Same features with another label is a conflict, not a duplicate.
    const relabelled = await check(
      `${CLEAN} UNION ALL SELECT * REPLACE (1 - __target AS __target) FROM (${CLEAN}) WHERE x < 10`,
    );
    expect(relabelled.of('quality.duplicate_rows')).toEqual([]);
  });

  it('quality.conflicting_labels: identical features with different labels', async () => {
    const { of } = await check(
      `${CLEAN} UNION ALL SELECT * REPLACE (1 - __target AS __target) FROM (${CLEAN}) WHERE x < 10`,
    );
    const [f] = of('quality.conflicting_labels');
    expect(f).toMatchObject({ severity: 'warn', evidence: { rows: 20, groups: 10 } });
    expect(f!.message).toMatch(
      /^20 labelled rows \(1\.0%\) in 10 groups .* has labels "[01]" ×1, "[01]" ×1$/,
    );
    // A regression target's labels differ by nature: not checked.
    const numeric = await check(
      `${CLEAN} UNION ALL SELECT * REPLACE (1 - __target AS __target) FROM (${CLEAN}) WHERE x < 10`,
      { targetKind: 'numeric' },
    );
    expect(numeric.of('quality.conflicting_labels')).toEqual([]);
  });

  it('quality.duplicate_keys: entity + event time repeated, only when both are declared', async () => {
    const sql = `SELECT * REPLACE (CASE WHEN x < 6 THEN 'e0' ELSE __entity END AS __entity,
      CASE WHEN x < 6 THEN TIMESTAMP '2024-01-01' ELSE __event_time END AS __event_time) FROM (${CLEAN})`;
    const [f] = (await check(sql)).of('quality.duplicate_keys');
    expect(f).toMatchObject({ severity: 'warn', evidence: { rows: 6, keys: 1 } });
    expect(f!.message).toBe(
      '6 rows share their entity and event time with another row (1 key); e.g. entity "e0" at 2024-01-01 00:00:00 appears 6 times',
    );
    expect((await check(sql, { hasEntity: false })).of('quality.duplicate_keys')).toEqual([]);
  });

  it('quality.range: values outside a declared range block', async () => {
    const { of } = await check(CLEAN, {
      checks: checksWith({ ranges: { x: { min: 0, max: 1989.5 } } }),
    });
    const [f] = of('quality.range');
    expect(f).toMatchObject({
      column: 'x',
      severity: 'block',
      evidence: { min: 0, max: 1989.5, outside: 10, present: 2000 },
    });
    expect(f!.message).toBe(
      'column "x" has 10 values (0.5% of non-missing) outside its declared range [0, 1989.5], e.g. 1990 ×1, 1991 ×1, 1992 ×1',
    );
    expect((f!.evidence['exampleRows'] as unknown[]).length).toBe(3);
    const quiet = await check(CLEAN, { checks: checksWith({ ranges: { x: { min: 0 } } }) });
    expect(quiet.of('quality.range')).toEqual([]);
  });

  it('quality.range: a column that is not numeric is reported, not checked', async () => {
    const { of } = await check(CLEAN, { checks: checksWith({ ranges: { c: { min: 0 } } }) });
    expect(of('quality.range')).toEqual([
      expect.objectContaining({ column: 'c', severity: 'warn' }),
    ]);
  });

  it('quality.domain: values outside a declared domain block', async () => {
    const domain = ['c0', 'c1', 'c2', 'c3'];
    const { of } = await check(CLEAN, { checks: checksWith({ domains: { c: domain } }) });
    const [f] = of('quality.domain');
    expect(f).toMatchObject({ column: 'c', severity: 'block', evidence: { outside: 400 } });
    expect(f!.message).toBe(
      'column "c" has 400 values (20.0% of non-missing) outside its declared domain ("c0", "c1", "c2", "c3"), e.g. "c4" ×400',
    );
    const quiet = await check(CLEAN, { checks: checksWith({ domains: { c: [...domain, 'c4'] } }) });
    expect(quiet.of('quality.domain')).toEqual([]);
  });

  it('quality.single_class: one class among the labelled rows blocks', async () => {
    const { of } = await check(`SELECT * REPLACE (0.0 AS __target) FROM (${CLEAN})`);
    expect(of('quality.single_class')).toEqual([
      expect.objectContaining({
        severity: 'block',
        message:
          'the target "churn" has a single class ("0") in all 2,000 labelled rows; nothing can be learned',
      }),
    ]);
    const trainOnly = await check(
      `SELECT * REPLACE (CASE WHEN __split = 'train' THEN 0.0 ELSE __target END AS __target) FROM (${CLEAN})`,
    );
    expect(trainOnly.of('quality.single_class')[0]!.message).toContain('labelled training rows');
  });

  it('quality.imbalance: the rarest class below imbalance_min', async () => {
    const sql = (positives: number) =>
      `SELECT * REPLACE (CASE WHEN x % 100 = 0 AND x < ${positives * 100} THEN 1.0 ELSE 0.0 END AS __target) FROM (${CLEAN})`;
    const [f] = (await check(sql(5))).of('quality.imbalance');
    expect(f).toMatchObject({
      severity: 'warn',
      evidence: { class: '1', rows: 5, labelled: 2000 },
    });
    expect(f!.message).toBe(
      'the rarest class of the target "churn", "1", is 0.3% of the 2,000 labelled rows (5 rows; threshold 1%)',
    );
    expect((await check(sql(20))).of('quality.imbalance')).toEqual([]);
    const multiclass = await check(
      `SELECT * REPLACE (CASE WHEN x < 4 THEN 'rare' WHEN x % 2 = 0 THEN 'a' ELSE 'b' END AS __target) FROM (${CLEAN})`,
      { targetKind: 'categorical' },
    );
    expect(multiclass.of('quality.imbalance')[0]!.evidence).toMatchObject({
      class: 'rare',
      rows: 4,
    });
  });

  it('quality.split_drift: a feature shifted in one split', async () => {
    const { of } = await check(
      `SELECT * REPLACE (CASE WHEN __split = 'test' THEN x + 500 ELSE x END AS x,
        CASE WHEN __split = 'validation' AND x % 3 = 0 THEN 'c0' ELSE c END AS c) FROM (${CLEAN})`,
    );
    const found = of('quality.split_drift');
    expect(found.map((f) => [f.column, f.evidence['split'], f.evidence['method']])).toEqual([
      ['x', 'test', 'wasserstein'],
      ['c', 'validation', 'jensen_shannon'],
    ]);
    expect(found[0]!.message).toMatch(
      /^column "x" shifts from train to test: normed Wasserstein distance 0\.\d+ ≥ 0\.1 \(PSI \d+\.?\d*\)$/,
    );
    expect(found[0]!.evidence).toMatchObject({
      threshold: 0.1,
      referenceRows: 1200,
      currentRows: 400,
    });
  });

  it('quality.split_drift: small splits use the KS and chi-square tests', async () => {
    const small = `SELECT * FROM (${CLEAN}) WHERE x < 1000`;
    const shifted = await check(
      `SELECT * REPLACE (CASE WHEN __split = 'test' THEN x + 300 ELSE x END AS x) FROM (${small})`,
    );
    const [f] = shifted.of('quality.split_drift');
    expect(f).toMatchObject({
      column: 'x',
      evidence: { split: 'test', method: 'ks', threshold: 0.05 },
    });
    expect(f!.message).toMatch(/KS test p = .* < 0\.05/);
    expect((await check(small)).of('quality.split_drift')).toEqual([]);
  });

  it('reuses a given profile of the features', async () => {
    await session.run(`CREATE OR REPLACE TABLE fw_dataset AS ${CLEAN}`);
    const profile = {
      version: 1 as const,
      rows: 2000,
      columns: [
        {
          name: 'x',
          type: 'numeric' as const,
          count: 2000,
          missing: 1500,
          missingRate: 0.75,
          distinct: 500,
          min: 0,
          max: 1999,
          mean: 1000,
          std: 577,
          quantiles: null,
          histogram: { edges: [999], counts: [250, 250], missing: 1500 },
        },
      ],
    };
    const findings = await runQualityChecks(session, {
      ...INPUT,
      features: [{ name: 'x', type: 'numeric' }],
      profile,
    });
    expect(findings.map((f) => f.check)).toEqual(['quality.missing']);
  });
});

/** The spec's `checks` section with the given keys set and the schema's defaults for the rest. */
function checksWith(overrides: Record<string, unknown>): QualityInput['checks'] {
  return SpecSchema.shape.checks.unwrap().parse(overrides);
}
