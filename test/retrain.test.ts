/**
 * Step 8's join and retraining on a small trained project (the canary
 * fixture with a consent column, a derived feature and a retraining
 * policy), its traffic served by the real model host on a chosen clock:
 * labelled predictions become snapshot rows equal to what was served, after
 * the base rows of the window; consent and retention apply; the policy says
 * when a retrain is due; labels far from the champion's rate hold a retrain
 * with an alert that clean labels resolve; and the gate lets a challenger
 * through only when it is better. The whole loop on real data is
 * test/demo.test.ts.
 */
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, sqlString } from '../src/data/index.js';
import { FlywheelError } from '../src/errors.js';
import { ingestFeedback } from '../src/feedback/index.js';
import { applyOutcome } from '../src/monitor/index.js';
import {
  buildFeedbackSnapshot,
  gateChallenger,
  retrainProject,
  retrainTrigger,
} from '../src/pipeline/index.js';
import { CHAMPION, type ModelBundle, ModelRegistry } from '../src/registry/index.js';
import { PredictionLogger, RegistryModelHost } from '../src/serve/index.js';
import { feedbackSettings, type LoadedSpec, loadSpec, type Spec } from '../src/spec/index.js';
import {
  type LabelledPrediction,
  openStore,
  resolveStoreLocation,
  type Stores,
} from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec, flippedModel } from './fixtures/canary-project.js';
import { flywheelJson } from './fixtures/data-projects.js';
import { type SpecObject, writeProject } from './fixtures/project.js';
import { testDir } from './fixtures/tmp.js';

const MODEL = 'canary_project';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** An instant written without its zone (UTC), as the fixture's data writes `t`. */
const utc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
const timeText = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The canary project with a consent column `ok`, a derived feature and a
 * retraining policy whose min_labels no test reaches, so a retrain that
 * passes its checks stops before training. The consent column is a model
 * input: the scorer accepts no other field in a request (see the last
 * describe).
 */
function retrainSpec(consentIsInput = true): SpecObject {
  return {
    ...canarySpec(),
    entity: 'id',
    features: { exclude: consentIsInput ? ['id'] : ['id', 'ok'], derive: { x_sq: 'x * x' } },
    // Long enough to keep the 2024 training rows when `flywheel run` applies it today.
    governance: { consent: 'ok', retention_days: 3650 },
    feedback: {
      retrain: {
        after_labels: 100,
        window: '15d',
        holdout: '3d',
        validation: '3d',
        min_labels: 5000,
      },
      label_quality: { max_rate_shift: 0.5, min_labels: 50 },
    },
  };
}

/** The fixture's 3,000 rows (1–10 January 2024, 10:00), every one consenting. */
const trainingRows = canaryRows(3000, 11).map((r, i) => ({
  ...r,
  t: `2024-01-${String(1 + (i % 10)).padStart(2, '0')} 10:00:00`,
}));
const retrainCsv = () =>
  `${canaryCsv()
    .trimEnd()
    .split('\n')
    .map((line, i) => `${line},${i === 0 ? 'ok' : 'true'}`)
    .join('\n')}\n`;

function trainedProject(consentIsInput = true): string {
  const dir = writeProject(retrainSpec(consentIsInput), { 'data.csv': retrainCsv() });
  expect(flywheelJson<{ blessed: boolean }>(['run'], dir).blessed).toBe(true);
  return dir;
}

let base: string;

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli/main.js'))) {
    throw new Error('run `npm run build` first (npm test does)');
  }
  base = trainedProject();
}, 120_000);

/** A fresh copy of the trained project: its own store, so scenarios never meet. */
async function scenario(): Promise<{ dir: string; stores: Stores }> {
  const dir = testDir('fw-retrain');
  cpSync(base, dir, { recursive: true });
  return { dir, stores: await openStore(resolveStoreLocation({ specDir: dir, env: {} })) };
}

/** A request's row (a type, not an interface, so that it is a JSON record). */
type LiveRow = {
  readonly id: string;
  readonly t: string;
  readonly x: number;
  readonly city: string;
  readonly ok?: boolean;
};

interface Live {
  readonly row: LiveRow;
  readonly y: 0 | 1;
  /** Event time (ms): the request's `t`, and when it was served. */
  readonly time: number;
}

/** `n` requests, one every `stepMs` from `from`; `consent(i)` is row i's `ok` (undefined: absent). */
function traffic(
  n: number,
  seed: number,
  from: string,
  stepMs: number,
  consent: (i: number) => boolean | undefined = () => true,
): Live[] {
  const start = utc(from).getTime();
  return canaryRows(n, seed).map(({ x, city, y }, i) => {
    const time = start + i * stepMs;
    const ok = consent(i);
    const row = { id: `s${seed}-${i}`, t: timeText(time), x, city };
    return { row: ok === undefined ? row : { ...row, ok }, y, time };
  });
}

/** Serves each row through the real host at its event time; returns the prediction ids. */
async function serve(stores: Stores, live: readonly Live[]): Promise<string[]> {
  let now = new Date(0);
  const host = await RegistryModelHost.open(new ModelRegistry(stores), {
    logger: new PredictionLogger(stores.metadata),
    models: [MODEL],
    pollIntervalMs: 0,
    clock: () => now,
  });
  const ids: string[] = [];
  try {
    for (const { row, time } of live) {
      now = new Date(time);
      const outcome = await host.predict(MODEL, { rows: [row], requestId: row.id });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
      ids.push(outcome.rows[0]!.predictionId);
    }
  } finally {
    await host.close();
  }
  return ids;
}

async function label(stores: Stores, ids: readonly string[], labels: readonly number[], now: Date) {
  const report = await ingestFeedback(
    stores,
    ids.map((id, i) => ({ prediction_id: id, label: labels[i] })),
    { source: 'test', now },
  );
  expect(report.added).toBe(ids.length);
}

/** The spec with governance replaced. */
const governed = (loaded: LoadedSpec, governance: Spec['governance']): LoadedSpec => ({
  ...loaded,
  spec: { ...loaded.spec, governance },
});

async function parquetRows(stores: Stores, id: string, select: string, where = 'true') {
  const session = await DuckSession.open();
  try {
    const file = await stores.artifacts.localPath(id);
    return await session.rows(
      `SELECT ${select} FROM read_parquet(${sqlString(file)}) WHERE ${where}`,
    );
  } finally {
    session.close();
  }
}

const sortedKeys = (tuples: readonly unknown[][]) => tuples.map((t) => JSON.stringify(t)).sort();

describe('the feedback join', () => {
  let stores: Stores;
  let loaded: LoadedSpec;
  let live: Live[];
  let ids: string[];
  const NOW = utc('2024-01-20 00:00:00');
  const options = { now: NOW, windowMs: 15 * DAY, holdoutMs: 3 * DAY, validationMs: 3 * DAY };
  const SINCE = utc('2024-01-05 00:00:00').getTime();
  const TEST_FROM = utc('2024-01-17 00:00:00').getTime();
  const VALIDATION_FROM = utc('2024-01-14 00:00:00').getTime();
  const splitOf = (t: number) =>
    t >= TEST_FROM ? 'test' : t >= VALIDATION_FROM ? 'validation' : 'train';
  const consented = () => live.filter((l) => l.row.ok === true);

  beforeAll(async () => {
    const made = await scenario();
    stores = made.stores;
    loaded = loadSpec(made.dir);
    // Ten days of hourly traffic from 9 January (inside the base data's last
    // two days); one row in eight carries no consent, one in eight says no.
    live = traffic(240, 21, '2024-01-09 00:00:00', HOUR, (i) =>
      i % 8 === 3 ? undefined : i % 8 !== 5,
    );
    ids = await serve(stores, live);
    await label(
      stores,
      ids,
      live.map((l) => l.y),
      NOW,
    );
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('freezes what was served with its label, split by time, after the window’s base rows', async () => {
    const joined = await buildFeedbackSnapshot(loaded, stores, options);
    const firstLive = Math.min(...consented().map((l) => l.time));
    expect(firstLive).toBe(utc('2024-01-09 00:00:00').getTime());

    // The joined rows are the logged inputs through the serving feature code (x_sq = x²).
    const logged = await stores.metadata.listLabelled({ modelVersions: [`${MODEL}@1`] });
    expect(logged).toHaveLength(240);
    const yOf = new Map(live.map((l) => [l.row.id, l.y]));
    for (const p of logged) expect(p.label).toBe(yOf.get((p.inputs as LiveRow).id));
    const expected = logged
      .filter((p) => (p.inputs as LiveRow).ok === true)
      .map((p) => {
        const row = p.inputs as LiveRow;
        const split = splitOf(utc(row.t).getTime());
        return [row.x, row.city, row.x * row.x, 1, p.label, split, row.t, row.id];
      });
    const joinedRows = await parquetRows(
      stores,
      joined.snapshot.id,
      `x, city, x_sq, ok, CAST(__target AS DOUBLE) AS y, __split, strftime(__event_time, '%Y-%m-%d %H:%M:%S') AS t, __entity`,
      `__event_time >= TIMESTAMP ${sqlString(timeText(firstLive))}`,
    );
    expect(sortedKeys(joinedRows.map((r) => Object.values(r)))).toEqual(sortedKeys(expected));
    expect(joined.feedbackRows).toBe(180);

    // The base rows: the training rows of the window that precede the live traffic, all `train`.
    const baseExpected = trainingRows
      .filter((r) => utc(r.t).getTime() >= SINCE && utc(r.t).getTime() < firstLive)
      .map((r) => [r.x, r.city, r.x * r.x, 1, r.y, 'train', r.t]);
    expect(baseExpected).toHaveLength(1200); // 5–8 January
    const baseRows = await parquetRows(
      stores,
      joined.snapshot.id,
      `x, city, x_sq, ok, CAST(__target AS DOUBLE) AS y, __split, strftime(__event_time, '%Y-%m-%d %H:%M:%S') AS t`,
      `__event_time < TIMESTAMP ${sqlString(timeText(firstLive))}`,
    );
    expect(sortedKeys(baseRows.map((r) => Object.values(r)))).toEqual(sortedKeys(baseExpected));
    expect(joined.baseRows).toBe(1200);

    // Splits and the holdout follow the boundaries; the holdout is oldest first.
    const count = (split: string) => consented().filter((l) => splitOf(l.time) === split).length;
    expect(joined.splits.map((s) => [s.split, s.rows])).toEqual([
      ['train', 1200 + count('train')],
      ['validation', count('validation')],
      ['test', count('test')],
    ]);
    expect(count('test')).toBeGreaterThan(0);
    expect(count('validation')).toBeGreaterThan(0);
    const holdoutIds = consented()
      .filter((l) => l.time >= TEST_FROM)
      .map((l) => ids[live.indexOf(l)]);
    expect(joined.holdout.map((p) => p.id)).toEqual(holdoutIds);
    const ats = joined.holdout.map((p) => p.at);
    expect(ats).toEqual([...ats].sort());

    // A new snapshot version of the base the champion trained on, with the join's lineage.
    const registry = new ModelRegistry(stores);
    const champion = await registry.loadBundle(await registry.resolve(`${MODEL}@${CHAMPION}`));
    const parent = await stores.metadata.getSnapshot(champion.lineage.snapshotId!);
    expect(parent.origin).toBe('sources');
    expect(joined.snapshot).toMatchObject({ origin: 'feedback', parentId: parent.id, rows: 1380 });
    expect(joined.manifest.lineage.feedback).toMatchObject({
      model: MODEL,
      window: { from: new Date(SINCE).toISOString(), until: NOW.toISOString() },
      holdoutFrom: new Date(TEST_FROM).toISOString(),
      validationFrom: new Date(VALIDATION_FROM).toISOString(),
      labelled: 240,
      joined: 180,
      baseRows: 1200,
      baseSnapshot: parent.id,
      versions: [`${MODEL}@1`],
      sources: ['test'],
      predictions: { count: 180 },
    });
  });

  it('leaves out predictions served without consent, and counts them', async () => {
    const joined = await buildFeedbackSnapshot(loaded, stores, options);
    expect(joined.excluded).toEqual({ withoutConsent: 60, pastRetention: 0, unscorable: 0 });
    const entities = await parquetRows(
      stores,
      joined.snapshot.id,
      '__entity',
      '__entity IS NOT NULL',
    );
    const kept = new Set(entities.map((r) => r['__entity']));
    for (const l of live) expect(kept.has(l.row.id)).toBe(l.row.ok === true);
    // Without a consent rule, every labelled prediction joins.
    const ungoverned = await buildFeedbackSnapshot(governed(loaded, undefined), stores, options);
    expect(ungoverned.feedbackRows).toBe(240);
    expect(ungoverned.excluded.withoutConsent).toBe(0);
  });

  it('leaves out predictions and base rows past retention, and counts them', async () => {
    const governance = loaded.spec.governance!;
    // 10 days before 20 January: the first day of traffic is past retention, and so is every base row.
    const tenDays = await buildFeedbackSnapshot(
      governed(loaded, { ...governance, retention_days: 10 }),
      stores,
      options,
    );
    const cutoff = utc('2024-01-10 00:00:00').getTime();
    const old = consented().filter((l) => l.time < cutoff).length;
    expect(old).toBe(18);
    expect(tenDays.excluded).toEqual({ withoutConsent: 60, pastRetention: old, unscorable: 0 });
    expect(tenDays.feedbackRows).toBe(180 - old);
    expect(tenDays.baseRows).toBe(0);
    const [oldest] = await parquetRows(
      stores,
      tenDays.snapshot.id,
      `strftime(min(__event_time), '%Y-%m-%d %H:%M:%S') AS t`,
    );
    expect(oldest!['t']).toBe('2024-01-10 00:00:00');
    // 13 days: no traffic is past retention, but the base rows of 5 and 6 January are.
    const thirteenDays = await buildFeedbackSnapshot(
      governed(loaded, { ...governance, retention_days: 13 }),
      stores,
      options,
    );
    expect(thirteenDays.excluded.pastRetention).toBe(0);
    expect(thirteenDays.baseRows).toBe(600);
  });

  it('refuses an empty window with a hint, and freezes the same rows once', async () => {
    const empty = buildFeedbackSnapshot(loaded, stores, {
      ...options,
      now: utc('2024-03-01 00:00:00'),
    });
    await expect(empty).rejects.toBeInstanceOf(FlywheelError);
    await expect(empty).rejects.toMatchObject({
      code: 'DATA_EMPTY',
      hint: expect.stringContaining('feedback'),
    });
    // Labels in the window, none joinable: the message says why.
    const allPast = buildFeedbackSnapshot(
      governed(loaded, { ...loaded.spec.governance!, retention_days: 1 }),
      stores,
      options,
    );
    await expect(allPast).rejects.toMatchObject({
      code: 'DATA_EMPTY',
      message: expect.stringContaining('(60 without consent, 180 past retention, 0 unscorable)'),
    });

    const later = { ...options, now: utc('2024-01-21 00:00:00') };
    const first = await buildFeedbackSnapshot(loaded, stores, later);
    const second = await buildFeedbackSnapshot(loaded, stores, later);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.snapshot.id).toBe(first.snapshot.id);
    const created = await stores.metadata.listAudit({
      action: 'snapshot.create',
      objectId: first.snapshot.id,
    });
    expect(created).toHaveLength(1);
  });
});

type RetrainPolicy = NonNullable<Spec['feedback']>['retrain'];

/** The spec's retraining policy with `patch` applied; no trigger or cooldown but those it sets. */
function withPolicy(spec: Spec, patch: Partial<RetrainPolicy>): Spec {
  const feedback = feedbackSettings(spec);
  const retrain: RetrainPolicy = {
    ...feedback.retrain,
    after_labels: undefined,
    every: undefined,
    cooldown: undefined,
    on_alerts: [],
    ...patch,
  };
  return { ...spec, feedback: { ...feedback, retrain } };
}

const alert = (rule: string, subject = '') => ({
  rule,
  subject,
  severity: 'ticket',
  message: `${rule} fired`,
  evidence: {},
});

/** Every retrain's audit entry, newest first (held ones are `model.retrain.held`). */
const retrainAudit = async (stores: Stores) =>
  (
    await Promise.all(
      ['model.retrain', 'model.retrain.held'].map((action) =>
        stores.metadata.listAudit({ action, objectType: 'model', objectId: MODEL }),
      ),
    )
  )
    .flat()
    .sort((a, b) => b.id - a.id);

describe('the retraining policy', () => {
  let dir: string;
  let stores: Stores;
  let spec: Spec;
  let ids: string[];
  const T0 = utc('2024-02-01 00:00:00').getTime();
  const at = (ms: number) => new Date(T0 + ms);

  beforeAll(async () => {
    ({ dir, stores } = await scenario());
    spec = loadSpec(dir).spec;
    const live = traffic(60, 31, '2024-02-01 00:00:00', 60_000);
    ids = await serve(stores, live);
    await label(
      stores,
      ids.slice(0, 40),
      live.slice(0, 40).map((l) => l.y),
      at(HOUR),
    );
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('is due after `after_labels` new labels', async () => {
    const policy = withPolicy(spec, { after_labels: 50 });
    expect(await retrainTrigger(stores, policy, at(2 * HOUR))).toBeUndefined();
    await label(stores, ids.slice(40, 50), Array(10).fill(0), at(2 * HOUR));
    expect(await retrainTrigger(stores, policy, at(2 * HOUR))).toBe('labels');
  });

  it('is due `every` so long after the model first served', async () => {
    const policy = withPolicy(spec, { every: '7d' });
    expect(await retrainTrigger(stores, policy, at(7 * DAY - 60_000))).toBeUndefined();
    expect(await retrainTrigger(stores, policy, at(7 * DAY))).toBe('schedule');
  });

  it('is due on a firing alert of a rule in `on_alerts`', async () => {
    const policy = withPolicy(spec, { on_alerts: ['prediction_drift', 'feature_drift'] });
    expect(await retrainTrigger(stores, policy, at(DAY))).toBeUndefined();
    const judged = new Set(['realised_cost', 'feature_drift']);
    await applyOutcome(stores.metadata, MODEL, { firing: [alert('realised_cost')], judged }, [], {
      now: at(DAY),
    });
    expect(await retrainTrigger(stores, policy, at(DAY))).toBeUndefined();
    await applyOutcome(
      stores.metadata,
      MODEL,
      { firing: [alert('realised_cost'), alert('feature_drift', 'x')], judged },
      [],
      { now: at(DAY + HOUR) },
    );
    expect(await retrainTrigger(stores, policy, at(DAY + HOUR))).toBe('alert:feature_drift:x');
  });

  it('is not due within `cooldown` of the last retrain that trained (a held one does not count)', async () => {
    const retrained = (asOf: Date, outcome: string) =>
      stores.metadata.audit({
        actor: 'test',
        action: outcome === 'held' ? 'model.retrain.held' : 'model.retrain',
        objectType: 'model',
        objectId: MODEL,
        details: { asOf: asOf.toISOString(), trigger: 'manual', outcome, reason: 'test' },
      });
    await retrained(at(3 * DAY), 'refused');
    await retrained(at(3 * DAY + 12 * HOUR), 'held');
    const policy = withPolicy(spec, { every: '1h', cooldown: '1d' });
    expect(await retrainTrigger(stores, policy, at(4 * DAY - HOUR))).toBeUndefined();
    // A day after the refused retrain; had the held one counted, 13 hours after it.
    expect(await retrainTrigger(stores, policy, at(4 * DAY + HOUR))).toBe('schedule');
  });

  it('is not due, and a retrain is held, while a canary runs', async () => {
    const policy = withPolicy(spec, { every: '1h' });
    const now = at(10 * DAY);
    expect(await retrainTrigger(stores, policy, now)).toBe('schedule');
    const registry = new ModelRegistry(stores);
    const champion = await registry.loadBundle(await registry.resolve(`${MODEL}@${CHAMPION}`));
    const twin: ModelBundle = {
      ...champion,
      createdAt: new Date(Date.parse(champion.createdAt) + 1000).toISOString(),
    };
    const { version } = await registry.register(twin, { actor: 'test' });
    await registry.startCanary({
      name: MODEL,
      version,
      weight: 10,
      shadow: false,
      actor: 'test',
      reason: 'a canary in flight',
    });
    expect(await retrainTrigger(stores, policy, now)).toBeUndefined();

    const before = (await retrainAudit(stores)).length;
    const skipped = await retrainProject(dir, { now, ifDue: true });
    expect(skipped).toMatchObject({ outcome: 'not_due', trigger: 'none' });
    expect(await retrainAudit(stores)).toHaveLength(before);
    const held = await retrainProject(dir, { now });
    expect(held).toMatchObject({ outcome: 'held', trigger: 'manual', asOf: now.toISOString() });
    expect(held.reason).toMatch(/still a canary/);
    const [entry] = await retrainAudit(stores);
    expect(entry!.details).toMatchObject({ asOf: now.toISOString(), outcome: 'held' });
  });
});

describe('label quality', () => {
  let dir: string;
  let stores: Stores;

  beforeAll(async () => {
    ({ dir, stores } = await scenario());
  });

  afterAll(async () => {
    await stores?.close();
  });

  it('holds a retrain with an alert when the labels are far from the champion’s rate; clean labels resolve it', async () => {
    const quiet = await retrainProject(dir, { now: utc('2024-01-31 00:00:00'), ifDue: true });
    expect(quiet.outcome).toBe('not_due');
    expect(await retrainAudit(stores)).toHaveLength(0);

    // 200 predictions, every one labelled positive.
    const flood = traffic(200, 41, '2024-02-01 00:00:00', 5 * 60_000);
    const floodIds = await serve(stores, flood);
    const first = utc('2024-02-02 00:00:00');
    await label(stores, floodIds, Array(200).fill(1), first);
    const held = await retrainProject(dir, { now: first, ifDue: true });
    expect(held).toMatchObject({ trigger: 'labels', outcome: 'held', asOf: first.toISOString() });
    expect(held.reason).toMatch(/^label quality: the labels' positive rate 100\.0%/);
    expect(held.labelQuality).toMatchObject({ labels: 200, positiveRate: 1, passed: false });
    expect(held.labelQuality!.expectedRate).toBeGreaterThan(0.1);
    expect(held.snapshot).toBeUndefined();
    const firing = await stores.metadata.listAlerts({ model: MODEL, state: 'firing' });
    expect(firing.map((a) => [a.rule, a.firstAt])).toEqual([
      ['label_quality', first.toISOString()],
    ]);

    // Three weeks later: clean labels only in the window; quality passes, and the alert resolves.
    const clean = traffic(300, 42, '2024-02-20 00:00:00', 5 * 60_000);
    const cleanIds = await serve(stores, clean);
    const second = utc('2024-02-22 00:00:00');
    await label(
      stores,
      cleanIds,
      clean.map((l) => l.y),
      second,
    );
    const retried = await retrainProject(dir, { now: second, ifDue: true });
    expect(retried).toMatchObject({ trigger: 'labels', outcome: 'held' });
    expect(retried.labelQuality).toMatchObject({ labels: 300, passed: true });
    expect(retried.reason).toMatch(/min_labels/);
    const [resolved] = (await stores.metadata.listAlerts({ model: MODEL })).filter(
      (a) => a.rule === 'label_quality',
    );
    expect(resolved).toMatchObject({ state: 'resolved', resolvedAt: second.toISOString() });
    const audit = await retrainAudit(stores);
    expect(audit.map((e) => e.details['asOf']).sort()).toEqual([
      first.toISOString(),
      second.toISOString(),
    ]);
  });
});

describe('the gate', () => {
  let stores: Stores;
  let spec: Spec;
  let rows: LabelledPrediction[];
  let champion: ModelBundle & { ref: string };
  let flipped: ModelBundle & { ref: string };

  beforeAll(async () => {
    let dir: string;
    ({ dir, stores } = await scenario());
    spec = loadSpec(dir).spec;
    const live = traffic(300, 51, '2024-02-01 00:00:00', 60_000);
    await label(
      stores,
      await serve(stores, live),
      live.map((l) => l.y),
      utc('2024-02-02 00:00:00'),
    );
    rows = await stores.metadata.listLabelled({ modelVersions: [`${MODEL}@1`] });
    const registry = new ModelRegistry(stores);
    const bundle = await registry.loadBundle(await registry.resolve(`${MODEL}@${CHAMPION}`));
    champion = { ...bundle, ref: `${MODEL}@1` };
    // The same inputs and threshold, a model fitted on the flipped labels: far costlier.
    const { samples: _samples, ...rest } = bundle;
    flipped = { ...rest, model: await flippedModel(), ref: `${MODEL}@2` };
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('passes a challenger cheaper per decision in at least min_probability of the resamples', () => {
    const better = gateChallenger(spec, flipped, champion, rows, { seed: 7 });
    expect(better.rows).toBe(300);
    expect(better.challengerCost).toBeLessThan(better.championCost);
    expect(better.difference.estimate).toBeLessThan(0);
    expect(better.probabilityBetter).toBeGreaterThanOrEqual(0.8);
    expect(better).toMatchObject({ minProbability: 0.8, passed: true, challenger: `${MODEL}@1` });

    // A lower threshold: a little cheaper on these rows, but not in every resample.
    const { decision } = champion;
    if (decision.kind !== 'threshold')
      throw new Error(`a threshold decision, not ${decision.kind}`);
    const lower = {
      ...champion,
      decision: { kind: 'threshold' as const, threshold: decision.threshold * 0.8 },
      ref: `${MODEL}@3`,
    };
    const near = gateChallenger(spec, champion, lower, rows, { seed: 7 });
    expect(near.difference.estimate).toBeLessThan(0);
    const p = near.probabilityBetter;
    expect(p).toBeGreaterThan(0.5);
    expect(p).toBeLessThan(0.99);
    const gate = (minProbability: number) =>
      gateChallenger(withPolicy(spec, { min_probability: minProbability }), champion, lower, rows, {
        seed: 7,
      });
    expect(gate(p).passed).toBe(true);
    expect(gate(p + 0.01).passed).toBe(false);
  });

  it('refuses a worse challenger, and the champion against itself even below a coin flip', () => {
    const worse = gateChallenger(spec, champion, flipped, rows, { seed: 7 });
    expect(worse.difference.estimate).toBeGreaterThan(0);
    expect(worse.probabilityBetter).toBeLessThan(0.2);
    expect(worse.passed).toBe(false);
    // Ties count half: identical models are "better" in half the resamples, so only the zero difference refuses them.
    const lenient = withPolicy(spec, { min_probability: 0.4 });
    const same = gateChallenger(lenient, champion, champion, rows, { seed: 7 });
    expect(same.difference.estimate).toBe(0);
    expect(same.challengerCost).toBe(same.championCost);
    expect(same.probabilityBetter).toBe(0.5);
    expect(same.passed).toBe(false);
  });
});

/**
 * The usual set-up, a consent column kept out of the features (as
 * examples/customers does): the bundle names the consent column, the
 * server accepts it beside the inputs and logs it, and the join honours it.
 */
describe('a consent column that is not a model input', () => {
  let stores: Stores;
  let loaded: LoadedSpec;

  beforeAll(async () => {
    const dir = trainedProject(false);
    loaded = loadSpec(dir);
    stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
  });

  it('is accepted in a prediction request', async () => {
    await serve(stores, traffic(1, 61, '2024-01-15 00:00:00', HOUR));
  });

  it('lets the predictions logged with consent join', async () => {
    const live = traffic(20, 62, '2024-01-15 00:00:00', HOUR);
    const ids = await stores.metadata.logPredictions(
      live.map(({ row, time }) => ({
        modelVersion: `${MODEL}@1`,
        at: new Date(time),
        inputs: row,
        score: 0.5,
        entity: row.id,
        eventTime: new Date(time),
      })),
    );
    await label(
      stores,
      ids,
      live.map((l) => l.y),
      utc('2024-01-20 00:00:00'),
    );
    const joined = await buildFeedbackSnapshot(loaded, stores, {
      now: utc('2024-01-20 00:00:00'),
      windowMs: 15 * DAY,
      holdoutMs: 3 * DAY,
      validationMs: 3 * DAY,
    });
    expect(joined.feedbackRows).toBe(20);
  });
});
