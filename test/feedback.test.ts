/**
 * Step 8's front door on a trained model: labels by HTTP and from a file,
 * keyed by prediction id or by model, entity and event time, turned into
 * the model's label by the spec's target, idempotent, conflicts flagged
 * (the first label kept), unknown predictions kept as orphans, late labels
 * counted, malformed batches refused whole; the labels then reach
 * monitoring's realised cost.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorModel } from '../src/monitor/index.js';
import { ModelRegistry } from '../src/registry/index.js';
import { PredictionLogger, RegistryModelHost } from '../src/serve/index.js';
import { createServer, type FlywheelServer } from '../src/server/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec } from './fixtures/canary-project.js';
import { flywheel, flywheelJson } from './fixtures/data-projects.js';
import { writeProject } from './fixtures/project.js';

const MODEL = 'canary_project';
let dir: string;
let stores: Stores;
let server: FlywheelServer;
let ids: string[];
const rows = canaryRows(400, 301);
/** Row i's entity and event time as the request carries them (no offset: UTC). */
const entityOf = (i: number) => `e${i}`;
const eventTimeOf = (i: number) =>
  new Date(Date.UTC(2024, 2, 1) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
const isoOf = (i: number) => new Date(`${eventTimeOf(i).replace(' ', 'T')}Z`).toISOString();

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/cli/main.js'))) {
    throw new Error('run `npm run build` first (npm test does)');
  }
  // The spec's entity (`id`) and event time (`t`) ride along with each request's row.
  dir = writeProject({ ...canarySpec(), entity: 'id' }, { 'data.csv': canaryCsv() });
  expect(flywheelJson<{ blessed: boolean }>(['run'], dir).blessed).toBe(true);
  stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  const host = await RegistryModelHost.open(new ModelRegistry(stores), {
    logger: new PredictionLogger(stores.metadata),
    models: [MODEL],
    pollIntervalMs: 0,
  });
  server = createServer({ host, auth: 'off', stores });
  const answer = await server.app.inject({
    method: 'POST',
    url: `/v1/models/${MODEL}/predict`,
    payload: {
      rows: rows.map(({ x, city }, i) => ({ id: entityOf(i), t: eventTimeOf(i), x, city })),
    },
  });
  ids = (answer.json() as { predictions: { prediction_id: string }[] }).predictions.map(
    (p) => p.prediction_id,
  );
  expect(ids).toHaveLength(400);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stores?.close();
});

const labelsOf = () =>
  stores.metadata.labelsInWindow([`${MODEL}@1`], '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');

const post = (payload: unknown, source?: string) =>
  server.app.inject({
    method: 'POST',
    url: `/v1/feedback${source ? `?source=${source}` : ''}`,
    payload: payload as object,
  });

describe('feedback labels', () => {
  it('stores labels once, flags a conflicting second label and keeps the first', async () => {
    const first = await post({
      labels: ids.slice(0, 100).map((id, i) => ({ prediction_id: id, label: rows[i]!.y })),
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      received: 100,
      added: 100,
      duplicates: 0,
      conflicts: 0,
      unknown: 0,
    });
    const again = await post({
      labels: ids.slice(0, 100).map((id, i) => ({ prediction_id: id, label: rows[i]!.y })),
    });
    expect(again.json()).toMatchObject({ added: 0, duplicates: 100, conflicts: 0 });
    const flipped = await post({ prediction_id: ids[0], label: 1 - rows[0]!.y });
    expect(flipped.json()).toMatchObject({ added: 0, conflicts: 1 });
    const issues = await stores.metadata.listFeedbackIssues({ kind: 'conflict' });
    expect(issues[0]).toMatchObject({
      predictionId: ids[0],
      raw: { stored: rows[0]!.y, received: 1 - rows[0]!.y },
    });
    const labels = await stores.metadata.labelsInWindow(
      [`${MODEL}@1`],
      '2000-01-01T00:00:00Z',
      '2100-01-01T00:00:00Z',
    );
    expect(labels.get(ids[0]!)).toBe(rows[0]!.y); // the first label stays
    // Another source may label the same prediction.
    const other = await post({ prediction_id: ids[0], label: rows[0]!.y }, 'audit');
    expect(other.json()).toMatchObject({ added: 1 });
  });

  it('reads the outcome through the spec target (y > 0), and accepts true/false', async () => {
    const report = await post({
      labels: [
        { prediction_id: ids[100], label: 5 },
        { prediction_id: ids[101], label: 0 },
        { prediction_id: ids[102], label: true },
      ],
    });
    expect(report.json()).toMatchObject({ added: 3, positives: 2 });
  });

  it('keeps labels for unknown predictions as orphans, counts late ones, and refuses malformed batches whole', async () => {
    const unknown = await post({
      labels: [
        { prediction_id: 'no-such-prediction', label: 1 },
        { prediction_id: ids[103], label: 'not a number' },
      ],
    });
    expect(unknown.json()).toMatchObject({ added: 0, unknown: 1, invalid: 1 });
    const orphans = await stores.metadata.listFeedbackIssues({ kind: 'unknown_prediction' });
    expect(orphans.map((o) => o.predictionId)).toEqual(['no-such-prediction']);
    const unreadable = await stores.metadata.listFeedbackIssues({ kind: 'invalid_label' });
    expect(unreadable[0]).toMatchObject({ predictionId: ids[103], raw: 'not a number' });

    const late = await post({
      prediction_id: ids[104],
      label: 1,
      observed_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    expect(late.json()).toMatchObject({ added: 1, late: 1 });

    const bad = await post({
      labels: [
        { prediction_id: ids[105], label: 1 },
        { prediction_id: '<script>', label: null },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<script>');
    expect(
      (bad.json() as { error: { fields: { row: number; field: string }[] } }).error.fields,
    ).toEqual([
      expect.objectContaining({ row: 1, field: 'prediction_id' }),
      expect.objectContaining({ row: 1, field: 'label' }),
    ]);
    const labels = await stores.metadata.labelsInWindow(
      [`${MODEL}@1`],
      '2000-01-01T00:00:00Z',
      '2100-01-01T00:00:00Z',
    );
    expect(labels.has(ids[105]!)).toBe(false); // nothing of the bad batch was stored
  });

  it('ingests a labels file through the CLI, all or nothing, and the labels reach monitoring', async () => {
    const good = path.join(dir, 'labels.csv');
    writeFileSync(
      good,
      `prediction_id,label\n${ids
        .slice(200, 400)
        .map((id, i) => `${id},${rows[200 + i]!.y}`)
        .join('\n')}\n`,
    );
    const bad = path.join(dir, 'bad-labels.csv');
    writeFileSync(bad, `prediction_id,label\n${ids[300]},1\n,1\n`);
    const refused = flywheel(['feedback', 'ingest', bad], dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('bad-labels.csv: row 2, prediction_id');
    const report = flywheelJson<{ added: number; received: number }>(
      ['feedback', 'ingest', good],
      dir,
    );
    expect(report).toMatchObject({ received: 200, added: 200 });
    const { business } = (
      await monitorModel(stores, MODEL, { window: '1h', count: 1, evaluate: false })
    ).current;
    expect(business.labelled).toBeGreaterThanOrEqual(300);
    expect(business.realisedCostPerDecision).not.toBeNull();
  });
});

describe('feedback labels keyed by model, entity and event time', () => {
  const keyed = (i: number, eventTime = isoOf(i)) => ({
    model: MODEL,
    entity: entityOf(i),
    event_time: eventTime,
    label: rows[i]!.y,
  });

  it('finds the prediction by entity and event time, whatever notation the time is in', async () => {
    // The requests carried "2024-03-01 01:50:00"; the labels say 2024-03-01T01:50:00.000Z or +01:00.
    const report = await post({
      labels: [
        ...Array.from({ length: 39 }, (_, j) => keyed(110 + j)),
        keyed(
          149,
          new Date(Date.parse(isoOf(149)) + 3_600_000).toISOString().replace('Z', '+01:00'),
        ),
      ],
    });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toMatchObject({ received: 40, added: 40, unknown: 0, ambiguous: 0 });
    const labels = await labelsOf();
    for (let i = 110; i < 150; i++) expect(labels.get(ids[i]!)).toBe(rows[i]!.y);
    const again = await post({ labels: [keyed(110)] });
    expect(again.json()).toMatchObject({ added: 0, duplicates: 1 });
  });

  it('keeps a label no prediction matches as an orphan filed under its key', async () => {
    const report = await post({
      labels: [
        keyed(150, '2030-01-01T00:00:00Z'),
        { ...keyed(151), model: 'no_such_model' },
        { ...keyed(152), entity: 'nobody' },
      ],
    });
    expect(report.json()).toMatchObject({ received: 3, added: 0, unknown: 3 });
    const orphans = await stores.metadata.listFeedbackIssues({ kind: 'unknown_prediction' });
    expect(orphans.map((o) => o.predictionId)).toContain(
      `${MODEL}:${entityOf(150)}@2030-01-01T00:00:00.000Z`,
    );
    expect(orphans.find((o) => o.predictionId.startsWith('no_such_model:'))?.reason).toMatch(
      /no prediction of no_such_model/,
    );
  });

  it('refuses a batch with a label keyed both ways or missing part of its key, whole', async () => {
    const bad = await post({
      labels: [
        keyed(153),
        { ...keyed(154), prediction_id: ids[154] },
        { model: MODEL, entity: entityOf(155), label: 1 },
        { ...keyed(156), model: `${MODEL}@1`, event_time: '<script>' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<script>');
    expect(
      (bad.json() as { error: { fields: { row: number; field: string }[] } }).error.fields,
    ).toEqual([
      expect.objectContaining({ row: 1, field: '(label)' }),
      expect.objectContaining({ row: 2, field: 'event_time' }),
      expect.objectContaining({ row: 3, field: 'model' }),
      expect.objectContaining({ row: 3, field: 'event_time' }),
    ]);
    expect((await labelsOf()).has(ids[153]!)).toBe(false); // nothing of the bad batch was stored
  });

  it('resolves a key served twice to the newest prediction and counts it ambiguous', async () => {
    const row = { id: 'twice', t: '2024-04-01 09:00:00', x: 5, city: 'Paris' };
    const served: string[] = [];
    for (let k = 0; k < 2; k++) {
      const answer = await server.app.inject({
        method: 'POST',
        url: `/v1/models/${MODEL}/predict`,
        payload: { rows: [row] },
      });
      served.push(
        (answer.json() as { predictions: { prediction_id: string }[] }).predictions[0]!
          .prediction_id,
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const report = await post({
      model: MODEL,
      entity: 'twice',
      event_time: '2024-04-01T09:00:00Z',
      label: 1,
    });
    expect(report.json()).toMatchObject({ added: 1, ambiguous: 1 });
    const labels = await labelsOf();
    expect(labels.get(served[1]!)).toBe(1);
    expect(labels.has(served[0]!)).toBe(false);
  });

  it('ingests a file keyed by entity and event_time for the model named by --model', async () => {
    const file = path.join(dir, 'keyed-labels.csv');
    writeFileSync(
      file,
      `entity,event_time,label\n${Array.from({ length: 40 }, (_, j) => 160 + j)
        .map((i) => `${entityOf(i)},${eventTimeOf(i)},${rows[i]!.y}`)
        .join('\n')}\n`,
    );
    const noModel = flywheel(['feedback', 'ingest', file], dir);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--model');
    const bad = path.join(dir, 'bad-keyed-labels.csv');
    writeFileSync(
      bad,
      `entity,event_time,label\n${entityOf(160)},${eventTimeOf(160)},1\n,${eventTimeOf(161)},1\n`,
    );
    const refused = flywheel(['feedback', 'ingest', bad, '--model', MODEL], dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('bad-keyed-labels.csv: row 2, entity');
    const report = flywheelJson<{ added: number; received: number; unknown: number }>(
      ['feedback', 'ingest', file, '--model', MODEL, '--source', 'ops'],
      dir,
    );
    expect(report).toMatchObject({ received: 40, added: 40, unknown: 0, ambiguous: 0 });
    const labels = await labelsOf();
    for (let i = 160; i < 200; i++) expect(labels.get(ids[i]!)).toBe(rows[i]!.y);
  });
});
