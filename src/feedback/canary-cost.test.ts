import { describe, expect, it } from 'vitest';
import type { LabelledPrediction, Stores } from '../store/index.js';
import { labelCostSource, realisedCost } from './canary-cost.js';

const COSTS = { tp: 20, fp: 20, fn: 80, tn: 0 };

function row(version: string, at: string, acted: boolean, label: number): LabelledPrediction {
  return {
    id: `${version}-${at}-${acted}-${label}`,
    at,
    modelVersion: version,
    inputs: {},
    score: acted ? 0.9 : 0.1,
    outputs: { score: acted ? 0.9 : 0.1, decision: acted },
    entity: null,
    eventTime: null,
    label,
    source: 'ops',
    observedAt: at,
  };
}

/** A store holding `rows` and, optionally, a running canary. */
function fakeStores(rows: LabelledPrediction[], canaryStartedAt?: string) {
  const reads: { versions: readonly string[]; since?: string; until?: string }[] = [];
  const metadata = {
    async listLabelled(f: { modelVersions: readonly string[]; since?: Date; until?: Date }) {
      reads.push({
        versions: f.modelVersions,
        ...(f.since ? { since: f.since.toISOString() } : {}),
        ...(f.until ? { until: f.until.toISOString() } : {}),
      });
      return rows.filter(
        (r) =>
          f.modelVersions.includes(r.modelVersion) &&
          (f.since === undefined || r.at >= f.since.toISOString()) &&
          (f.until === undefined || r.at < f.until.toISOString()),
      );
    },
    async findCanary() {
      return canaryStartedAt === undefined ? undefined : { startedAt: canaryStartedAt };
    },
  };
  return { stores: { metadata, artifacts: {} } as unknown as Stores, reads };
}

describe('realisedCost', () => {
  it('prices each decision as it was served', () => {
    const rows = [
      row('m@1', '2001-03-01T00:00:00.000Z', true, 1), // tp 20
      row('m@1', '2001-03-01T00:00:00.000Z', true, 0), // fp 20
      row('m@1', '2001-03-01T00:00:00.000Z', false, 1), // fn 80
      row('m@1', '2001-03-01T00:00:00.000Z', false, 0), // tn 0
    ];
    expect(realisedCost(rows, COSTS)).toEqual({ cost: 30, n: 4 });
  });

  it('skips rows without a binary decision, and is NaN on none', () => {
    const odd = { ...row('m@1', '2001-03-01T00:00:00.000Z', true, 1), outputs: { decision: 'a' } };
    const r = realisedCost([odd], COSTS);
    expect(r.n).toBe(0);
    expect(Number.isNaN(r.cost)).toBe(true);
  });
});

describe('labelCostSource', () => {
  const day = (d: number, h = 0) => new Date(Date.UTC(2001, 2, d, h)).toISOString();
  const rows = [
    ...Array.from({ length: 40 }, (_, i) =>
      row('m@1', day(2, i % 20), i % 4 === 0, i % 5 === 0 ? 1 : 0),
    ),
    ...Array.from({ length: 40 }, (_, i) => row('m@2', day(3, i % 20), i % 2 === 0, 1)),
  ];

  it('reads each side since the canary started, not just since the last check', async () => {
    const { stores, reads } = fakeStores(rows, day(2));
    const source = labelCostSource(stores, { costs: COSTS });
    const reading = await source({
      name: 'm',
      champion: 'm@1',
      canary: 'm@2',
      since: new Date(day(3, 12)),
      until: new Date(day(4)),
    });
    expect(reads.every((r) => r.since === day(2))).toBe(true);
    expect(reading?.champion).toBeCloseTo(realisedCost(rows.slice(0, 40), COSTS).cost, 12);
    expect(reading?.canary).toBeCloseTo(realisedCost(rows.slice(40), COSTS).cost, 12);
  });

  it('reads only since the last check with span "tick", and leaves out a side with too few labels', async () => {
    const { stores } = fakeStores(rows, day(2));
    const source = labelCostSource(stores, { costs: COSTS, span: 'tick' });
    const reading = await source({
      name: 'm',
      champion: 'm@1',
      canary: 'm@2',
      since: new Date(day(3)),
      until: new Date(day(4)),
    });
    expect(reading).toEqual({ canary: realisedCost(rows.slice(40), COSTS).cost });
  });

  it('shifts the window back by the labels lag', async () => {
    const { stores, reads } = fakeStores(rows);
    await labelCostSource(stores, { costs: COSTS, lagMs: 86_400_000 })({
      name: 'm',
      champion: 'm@1',
      canary: 'm@2',
      since: new Date(day(4)),
      until: new Date(day(5)),
    });
    expect(reads[0]).toMatchObject({ since: day(3), until: day(4) });
  });
});
