import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../findings.js';
import { DuckSession } from './duck.js';
import { type LeakageInput, runLeakageChecks } from './leakage.js';

const N = 4000;

/** A uniform number in [0, 1) per row `i` and stream `k`, from DuckDB's hash (seeded, platform-independent). */
const u = (k: number) => `((hash(i, ${k}) % 1000003) / 1000003.0)`;

/**
 * A learnable binary problem: x1 and city carry signal, x2 is noise. Rows are
 * split at random by entity (four rows per entity), over 4,000 minutes.
 */
const BASE = `
  SELECT i,
    ${u(1)} * 4 - 2 AS x1,
    ${u(2)} AS x2,
    ['amsterdam', 'berlin', 'cairo', 'delhi', 'evora'][1 + CAST(floor(${u(3)} * 5) AS INTEGER)] AS city,
    TIMESTAMP '2024-01-01' + to_minutes(CAST(i AS BIGINT)) AS __event_time,
    'e' || (i // 4) AS __entity,
    ${u(4)} AS noise,
    (hash(i // 4, 9) % 1000003) / 1000003.0 AS entity_draw,
    ${u(6)} AS row_draw
  FROM range(${N}) r(i)`;

const BINARY = `
  SELECT *, CASE WHEN ${u(5)} < 1 / (1 + exp(-(1.2 * x1 + CASE city WHEN 'cairo' THEN 1.5 WHEN 'amsterdam' THEN -1 ELSE 0 END))) THEN 1.0 ELSE 0.0 END AS __target
  FROM (${BASE})`;

const splitBy = (draw: string) =>
  `CASE WHEN ${draw} < 0.7 THEN 'train' WHEN ${draw} < 0.85 THEN 'validation' ELSE 'test' END`;

const CLEAN_FEATURES: LeakageInput['features'] = [
  { name: 'x1', type: 'numeric' },
  { name: 'x2', type: 'numeric' },
  { name: 'city', type: 'categorical' },
];

let session: DuckSession;
beforeAll(async () => {
  session = await DuckSession.open({ threads: 2 });
});
afterAll(() => session.close());

async function check(
  select: string,
  overrides: Partial<LeakageInput> = {},
  features: LeakageInput['features'] = CLEAN_FEATURES,
): Promise<Finding[]> {
  await session.run(`CREATE OR REPLACE TABLE fw_dataset AS ${select}`);
  return runLeakageChecks(session, {
    features,
    targetKind: 'binary',
    splitMethod: 'random',
    hasEntity: true,
    hasEventTime: true,
    ...overrides,
  });
}

const checks = (findings: Finding[]) => findings.map((f) => `${f.check}:${f.column ?? ''}`).sort();

describe('runLeakageChecks', () => {
  it('is quiet on clean data split at random by entity', async () => {
    const findings = await check(
      `SELECT x1, x2, city, __target, ${splitBy('entity_draw')} AS __split, __event_time, __entity FROM (${BINARY})`,
    );
    expect(findings).toEqual([]);
  });

  it('computes the rank AUC exactly, ties counting one half, against the spec threshold', async () => {
    const x = [1, 2, 2, 3, 4, 4, 4, 5, 6, 6];
    const y = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1];
    let wins = 0;
    let pairs = 0;
    x.forEach((xp, p) => {
      if (y[p] !== 1) return;
      x.forEach((xn, q) => {
        if (y[q] !== 0) return;
        pairs++;
        wins += xp > xn ? 1 : xp === xn ? 0.5 : 0;
      });
    });
    const rows = x.map((v, i) => `(${v}, ${y[i]}, ${i})`).join(', ');
    const findings = await check(
      `SELECT CAST(x AS DOUBLE) AS x, CAST(y AS DOUBLE) AS __target,
         CASE WHEN i < 6 THEN 'train' ELSE 'test' END AS __split,
         TIMESTAMP '2024-01-01' AS __event_time, NULL::VARCHAR AS __entity
       FROM (VALUES ${rows}) v(x, y, i)`,
      { checks: { single_feature_auc_max: 0.6 }, hasEntity: false },
      [{ name: 'x', type: 'numeric' }],
    );
    const [f] = findings.filter((g) => g.check === 'leakage.single_feature_auc');
    expect(f!.evidence['auc']).toBeCloseTo(wins / pairs, 4);
    expect(f!.evidence['threshold']).toBe(0.6);
  });

  it('blocks a noisy copy of the target, numeric or categorical', async () => {
    const findings = await check(
      `SELECT x1, x2, city, __target + (noise - 0.5) * 1.2 AS copy,
         CASE WHEN (__target = 1) <> (row_draw < 0.02) THEN 'refunded' ELSE 'kept' END AS status,
         __target, ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (${BINARY})`,
      {},
      [
        ...CLEAN_FEATURES,
        { name: 'copy', type: 'numeric' },
        { name: 'status', type: 'categorical' },
      ],
    );
    expect(checks(findings)).toEqual([
      'leakage.single_feature_auc:copy',
      'leakage.single_feature_auc:status',
    ]);
    const copy = findings.find((f) => f.column === 'copy')!;
    expect(copy.severity).toBe('block');
    expect(copy.evidence['auc']).toBeGreaterThan(0.97);
    expect(copy.evidence['rows']).toBe(N);
    expect(copy.evidence['direction']).toBe('higher values → positive');
    const status = findings.find((f) => f.column === 'status')!;
    expect(status.evidence['method']).toMatch(/learned on train/);
  });

  it('blocks a feature whose missingness is the label', async () => {
    const findings = await check(
      `SELECT x1, x2, city, CASE WHEN __target = 1 THEN NULL ELSE x2 END AS refund_amount,
         __target, ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (${BINARY})`,
      {},
      [...CLEAN_FEATURES, { name: 'refund_amount', type: 'numeric' }],
    );
    expect(checks(findings)).toEqual(['leakage.single_feature_auc:refund_amount']);
  });

  it('blocks a timestamp recorded after the event time', async () => {
    const findings = await check(
      `SELECT x1, x2, city,
         CASE WHEN noise < 0.3 THEN __event_time + INTERVAL 3 DAY ELSE __event_time - INTERVAL 1 HOUR END AS closed_at,
         __event_time - INTERVAL 2 DAY AS opened_at,
         __target, ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (${BINARY})`,
      {},
      [
        ...CLEAN_FEATURES,
        { name: 'closed_at', type: 'timestamp' },
        { name: 'opened_at', type: 'timestamp' },
      ],
    );
    expect(checks(findings)).toEqual(['leakage.future_timestamp:closed_at']);
    const [f] = findings;
    expect(f!.evidence['share']).toBeGreaterThan(0.25);
    expect(f!.evidence['share']).toBeLessThan(0.35);
    expect(f!.evidence['medianLeadHours']).toBe(72);
    expect((f!.evidence['examples'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('warns about row ids, numeric or text, and sequence numbers', async () => {
    const findings = await check(
      `SELECT x1, x2, city, CAST(i AS DOUBLE) AS row_id, 'ORD-' || i AS order_code, i + noise AS sequence,
         __target, ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (${BINARY})`,
      {},
      [
        ...CLEAN_FEATURES,
        { name: 'row_id', type: 'numeric' },
        { name: 'order_code', type: 'categorical' },
        { name: 'sequence', type: 'numeric' },
      ],
    );
    expect(checks(findings)).toEqual([
      'leakage.id_like:order_code',
      'leakage.id_like:row_id',
      'leakage.id_like:sequence',
    ]);
    expect(findings.every((f) => f.severity === 'warn')).toBe(true);
    const sequence = findings.find((f) => f.column === 'sequence')!;
    expect(sequence.evidence['monotonicWith']).toBe('row order');
    expect(findings.find((f) => f.column === 'row_id')!.evidence['examples']).toEqual([
      '0.0',
      '1.0',
      '2.0',
    ]);
  });

  it('blocks entities shared by train and test under a random split', async () => {
    const findings = await check(
      `SELECT x1, x2, city, __target, ${splitBy('row_draw')} AS __split, __event_time, __entity
       FROM (${BINARY})`,
    );
    expect(checks(findings)).toEqual(['leakage.entity_overlap:']);
    const [f] = findings;
    expect(f!.severity).toBe('block');
    expect(f!.evidence['trainTest']).toBeGreaterThan(100);
    expect(f!.evidence['examples']).toHaveLength(5);
  });

  it('reports the entity overlap of a time split as information', async () => {
    const findings = await check(
      `SELECT x1, x2, city, __target,
         CASE WHEN i < 2800 THEN 'train' WHEN i < 3400 THEN 'validation' ELSE 'test' END AS __split,
         __event_time, 'e' || (i % 100) AS __entity
       FROM (${BINARY})`,
      { splitMethod: 'time' },
    );
    expect(findings.map((f) => [f.check, f.severity])).toEqual([
      ['leakage.entity_overlap', 'info'],
    ]);
    expect(findings[0]!.evidence['testShareSeenInTrain']).toBe(1);
  });

  it('scores a multiclass target one-vs-rest, catching a class code stored as a number', async () => {
    const findings = await check(
      `SELECT x1, x2, city, CAST(code AS DOUBLE) + (noise - 0.5) * 0.2 AS code_copy, ['low', 'mid', 'high'][code + 1] AS __target,
         ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (SELECT *, CASE WHEN x1 < -0.7 THEN 0 WHEN x1 < 0.9 THEN 1 ELSE 2 END AS code FROM (${BASE}))`,
      { targetKind: 'categorical', classes: ['low', 'mid', 'high'] },
      [CLEAN_FEATURES[1]!, CLEAN_FEATURES[2]!, { name: 'code_copy', type: 'numeric' }],
    );
    expect(checks(findings)).toEqual(['leakage.single_feature_auc:code_copy']);
    expect(Object.keys(findings[0]!.evidence['perClass'] as object).sort()).toEqual([
      'high',
      'low',
      'mid',
    ]);
  });

  it('scores a regression target by rank correlation and learned group means', async () => {
    const regression = `SELECT *, 3 * x1 + 2 * x2 + (noise - 0.5) * 2 AS y FROM (${BASE})`;
    const findings = await check(
      `SELECT x1, x2, city, y + (row_draw - 0.5) * 0.1 AS y_copy,
         CASE WHEN y > 0 THEN 'up' ELSE 'down' END AS sign_of_y, y AS __target,
         ${splitBy('entity_draw')} AS __split, __event_time, __entity
       FROM (${regression})`,
      { targetKind: 'numeric' },
      [
        CLEAN_FEATURES[1]!,
        CLEAN_FEATURES[2]!,
        { name: 'y_copy', type: 'numeric' },
        { name: 'sign_of_y', type: 'categorical' },
      ],
    );
    expect(checks(findings)).toEqual(['leakage.single_feature_auc:y_copy']);
    expect(findings[0]!.evidence['spearman']).toBeGreaterThan(0.99);
  });
});
