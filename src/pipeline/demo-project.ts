/**
 * `flywheel demo`: the whole loop on real data, in one process. Frame the
 * flights problem, run the baselines and the ladder on January–February,
 * deploy the champion, then replay March–June in time order through the
 * model host as live traffic on a replayed clock: the departures feed fills
 * the online store, each day's true outcomes come back as labels when the
 * day ends, monitoring evaluates its rules on the day, the canary controller
 * checks any canary, and the retraining policy decides whether a challenger
 * is trained, gated and canaried. The report sets the business cost of the
 * model frozen at the start against what the flywheel served, month by month.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckSession, sqlString } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { durationSeconds, OnlineFeatures } from '../features/index.js';
import { ingestFeedback, labelCostSource, realisedCost } from '../feedback/index.js';
import { monitorModel, projectMonitorSettings } from '../monitor/index.js';
import { type ModelBundle, ModelRegistry } from '../registry/index.js';
import { type DemoReport, renderDemoReport } from '../report/index.js';
import {
  type CanaryCheck,
  createScorer,
  PredictionLogger,
  RegistryModelHost,
  ServingMinutes,
} from '../serve/index.js';
import { feedbackSettings } from '../spec/index.js';
import type { LabelledPrediction, Stores } from '../store/index.js';
import { writeDemoData, writeDemoSpec } from './demo-data.js';
import { openOnlineStore, projectOnlineDefinitions } from './online-project.js';
import { type RetrainResult, retrainWithStores } from './retrain-project.js';
import { runProject } from './run-project.js';
import { loadCheckedSpec, openProjectStore } from './train-project.js';

const DAY_MS = 86_400_000;
/** Marks a directory the demo wrote, so a rerun may replace it. */
const MARKER = '.flywheel-demo';
const HOUR_MS = 3_600_000;

export interface DemoOptions {
  /** Where the demo project is written (replaced if it holds an earlier demo). */
  readonly dir: string;
  /** Share of flights kept (default 0.05). */
  readonly sample?: number;
  readonly seed?: number;
  /** First replayed day and the day after the last (default 2001-03-01 to 2001-07-01). */
  readonly from?: string;
  readonly until?: string;
  /** Percent of traffic a canary gets (default 25). */
  readonly canaryWeight?: number;
  /** The retraining schedule (default 21d). */
  readonly retrainEvery?: string;
  /** Canary checks that must pass in a row to promote (default 3, one per replayed day). */
  readonly canaryChecks?: number;
  /** Canary requests a daily check needs (default 50). */
  readonly canaryMinRequests?: number;
  readonly onProgress?: (event: DemoProgress) => void;
}

export type DemoProgress =
  | { readonly kind: 'stage'; readonly stage: string }
  | {
      readonly kind: 'day';
      readonly day: string;
      readonly index: number;
      readonly days: number;
      readonly requests: number;
      readonly champion: number;
      readonly canary: number | null;
    }
  | { readonly kind: 'retrain'; readonly result: RetrainResult }
  | { readonly kind: 'canary'; readonly check: CanaryCheck; readonly action: string };

export interface DemoResult {
  readonly dir: string;
  readonly reportPath: string;
  readonly report: DemoReport;
  readonly retrains: readonly RetrainResult[];
  readonly store: string;
}

interface LiveRow {
  readonly t: number;
  readonly row: Record<string, unknown>;
  readonly delay: number;
}

interface DayTally {
  requests: number;
}

/** The demo project's store: a SQLite file inside it. */
function demoStore(dir: string): string {
  return `sqlite:${path.join(dir, '.flywheel', 'flywheel.db')}`;
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Runs the demo and writes its report.
 *
 * @example
 * const result = await runDemo({ dir: 'flywheel-demo', sample: 0.05 });
 * console.log(result.reportPath);
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const stages: { name: string; seconds: number }[] = [];
  let stageStart = performance.now();
  const progress = options.onProgress ?? (() => {});
  const stage = (name: string) => {
    progress({ kind: 'stage', stage: name });
  };
  const lap = (name: string) => {
    const now = performance.now();
    stages.push({ name, seconds: (now - stageStart) / 1000 });
    stageStart = now;
  };
  const dir = path.resolve(options.dir);
  const sample = options.sample ?? 0.05;
  const seed = options.seed ?? 42;
  const from = options.from ?? '2001-03-01';
  const until = options.until ?? '2001-07-01';
  for (const [flag, day] of [
    ['--from', from],
    ['--until', until],
  ] as const) {
    if (!/^\d{4}-\d\d-\d\d$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      throw new FlywheelError(
        'USAGE',
        `${flag} must be a day such as 2001-03-01, got ${day.slice(0, 40)}`,
      );
    }
  }
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const untilMs = Date.parse(`${until}T00:00:00Z`);
  if (!(fromMs < untilMs) || fromMs < Date.parse('2001-02-01T00:00:00Z')) {
    throw new FlywheelError(
      'USAGE',
      `the replay runs from ${from} to ${until}: it must start after January and end after it starts`,
    );
  }
  // A fresh project each time: the demo owns this directory, and only this one.
  const marker = path.join(dir, MARKER);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(marker)) {
    throw new FlywheelError(
      'USAGE',
      `${dir} is not empty and was not written by flywheel demo; refusing to replace what is in it`,
      { hint: 'choose another --dir (the demo creates it)' },
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(marker, 'written by flywheel demo: replaced on every run\n');
  rmSync(path.join(dir, '.flywheel'), { recursive: true, force: true });
  rmSync(path.join(dir, 'reports'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = demoStore(dir);

  stage('sampling the flights');
  const data = await writeDemoData(dir, { fraction: sample, seed, from, until });
  writeDemoSpec(dir, {
    canaryWeight: options.canaryWeight ?? 25,
    retrainEvery: options.retrainEvery ?? '21d',
  });
  lap('sample the data');

  stage('framing, baselines and the model ladder on January–February');
  const first = await runProject(dir, {
    store,
    seed,
    onStage: (s) => stage(`first run: ${s}`),
  });
  if (!first.registered?.champion) {
    throw new FlywheelError(
      'GATE_FAILED',
      `the first model was not blessed on this sample (${first.verdict.criteria
        .filter((c) => !c.passed)
        .map((c) => c.name)
        .join(', ')}); the demo needs a champion to serve`,
      {
        hint: `see ${first.reportPath}; another --sample or --seed draws other airports`,
      },
    );
  }
  lap('first run (frame, baselines, ladder, gate)');

  const loaded = loadCheckedSpec(dir);
  const stores = await openProjectStore(loaded, store);
  try {
    const replay = await replayLive(dir, stores, loaded, data.liveFile, {
      fromMs,
      untilMs,
      seed,
      canaryChecks: options.canaryChecks ?? 3,
      canaryMinRequests: options.canaryMinRequests ?? 50,
      progress,
      stage,
    });
    lap('replay (serve, label, monitor, retrain)');

    stage('scoring the frozen model and writing the report');
    const report = await buildReport(stores, loaded.spec.name, {
      replay,
      data,
      sample,
      seed,
      fromMs,
      untilMs,
      currency: loaded.spec.business.currency ?? 'USD',
    });
    lap('frozen comparison and report');
    const full: DemoReport = {
      ...report,
      timing: { totalSeconds: (performance.now() - started) / 1000, stages },
    };
    const reportPath = path.join(dir, 'reports', 'demo.html');
    mkdirSync(path.dirname(reportPath), { recursive: true });
    const tmp = `${reportPath}.tmp-${process.pid}`;
    writeFileSync(tmp, renderDemoReport(full));
    renameSync(tmp, reportPath);
    writeFileSync(path.join(dir, 'reports', 'demo.json'), JSON.stringify(full, null, 2));
    return { dir, reportPath, report: full, retrains: replay.retrains, store };
  } finally {
    await stores.close();
  }
}

interface ReplayResult {
  readonly retrains: RetrainResult[];
  readonly days: Map<string, DayTally & { champion: number; canaryWeight: number | null }>;
  readonly requests: number;
  readonly labels: number;
  readonly firstChampion: number;
}

/** The live rows, in time order, as requests carry them. */
async function readLive(file: string, fromMs: number, untilMs: number): Promise<LiveRow[]> {
  const session = await DuckSession.open();
  try {
    const rows = await session.rows(
      `SELECT epoch_ms(date) AS t, strftime(date, '%Y-%m-%dT%H:%M:%S') AS date, distance, origin, destination, delay
         FROM read_parquet(${sqlString(file)})
        WHERE delay IS NOT NULL AND epoch_ms(date) >= ${fromMs} AND epoch_ms(date) < ${untilMs}
        ORDER BY date, origin, destination, delay, distance`,
    );
    return rows.map((r) => ({
      t: Number(r['t']),
      delay: Number(r['delay']),
      row: {
        date: r['date'],
        distance: r['distance'] === null ? null : Number(r['distance']),
        origin: r['origin'],
        destination: r['destination'],
      },
    }));
  } finally {
    session.close();
  }
}

/** The departures feed: the spec's own event query over the history and the live rows. */
async function readDepartures(
  dir: string,
  query: string,
  fromMs: number,
  untilMs: number,
): Promise<{ t: number; event: Record<string, unknown> }[]> {
  const session = await DuckSession.open();
  try {
    await session.run(
      `CREATE TEMP VIEW flights AS SELECT * FROM read_parquet([${sqlString(path.join(dir, 'data', 'history.parquet'))}, ${sqlString(path.join(dir, 'data', 'live.parquet'))}])`,
    );
    // From a day before the replay: the first requests' windows reach back two hours.
    const rows = await session.rows(
      `SELECT epoch_ms(departed_at) AS t, origin, delay, strftime(departed_at, '%Y-%m-%dT%H:%M:%SZ') AS departed_at, departure_id
         FROM (${query}) e
        WHERE departed_at IS NOT NULL AND origin IS NOT NULL
          AND epoch_ms(departed_at) >= ${fromMs - DAY_MS} AND epoch_ms(departed_at) < ${untilMs}
        ORDER BY departed_at, departure_id`,
    );
    return rows.map((r) => ({
      t: Number(r['t']),
      event: {
        origin: r['origin'],
        delay: r['delay'] === null ? null : Number(r['delay']),
        departed_at: r['departed_at'],
        departure_id: r['departure_id'],
      },
    }));
  } finally {
    session.close();
  }
}

async function replayLive(
  dir: string,
  stores: Stores,
  loaded: ReturnType<typeof loadCheckedSpec>,
  liveFile: string,
  o: {
    fromMs: number;
    untilMs: number;
    seed: number;
    canaryChecks: number;
    canaryMinRequests: number;
    progress: (event: DemoProgress) => void;
    stage: (name: string) => void;
  },
): Promise<ReplayResult> {
  const { spec } = loaded;
  const name = spec.name;
  let clock = o.fromMs;
  const now = () => new Date(clock);
  const registry = new ModelRegistry(stores, { now });
  const firstChampion = (await registry.deployment(name)).champion!.version;

  o.stage('reading the live traffic and the departures feed');
  const live = await readLive(liveFile, o.fromMs, o.untilMs);
  const departures = spec.events?.['departures']?.query;
  const feed = departures ? await readDepartures(dir, departures, o.fromMs, o.untilMs) : [];

  const onlineStore = await openOnlineStore(stores, 'embedded');
  const features = new OnlineFeatures(onlineStore, projectOnlineDefinitions(loaded), {
    clock: () => clock,
  });
  const logger = new PredictionLogger(stores.metadata, { mode: 'async' });
  const servingMinutes = new ServingMinutes((rows) => stores.metadata.addServingMinutes(rows), {
    intervalMs: 0,
  });
  let draws = o.seed >>> 0 || 1;
  const random = () => {
    // xorshift32: canary routing that repeats with the seed.
    draws ^= draws << 13;
    draws ^= draws >>> 17;
    draws ^= draws << 5;
    return (draws >>> 0) / 4_294_967_296;
  };
  const canarySpec = spec.deploy?.canary;
  const host = await RegistryModelHost.open(registry, {
    logger,
    models: [name],
    pollIntervalMs: 0,
    features,
    servingMinutes,
    clock: now,
    random,
    controller: {
      clock: now,
      cost: labelCostSource(stores),
      policy: {
        intervalMs: 2_147_483_647,
        successfulChecks: o.canaryChecks,
        minRequests: o.canaryMinRequests,
        ...(canarySpec?.cost_margin === undefined ? {} : { costMargin: canarySpec.cost_margin }),
        ...(canarySpec?.max_score_psi === undefined
          ? {}
          : { maxScorePsi: canarySpec.max_score_psi }),
      },
      actor: 'canary-controller',
      onCheck: (check, action) => o.progress({ kind: 'canary', check, action }),
    },
  });
  const retrains: RetrainResult[] = [];
  const days = new Map<string, DayTally & { champion: number; canaryWeight: number | null }>();
  const settings = projectMonitorSettings(spec);
  const lateAfterMs =
    durationSeconds(feedbackSettings(spec).late_after, 'feedback.late_after') * 1000;
  let requests = 0;
  let labels = 0;
  try {
    let next = 0; // next live row
    let fed = 0; // next departure
    const dayCount = Math.round((o.untilMs - o.fromMs) / DAY_MS);
    for (let d = 0; d < dayCount; d++) {
      const dayStart = o.fromMs + d * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      const served: { id: string; delay: number; at: string }[] = [];
      for (let hour = dayStart; hour < dayEnd; hour += HOUR_MS) {
        // The feed posts each hour's departures as they happen; lookups are as of each request.
        const batch: Record<string, unknown>[] = [];
        while (fed < feed.length && feed[fed]!.t < hour + HOUR_MS) batch.push(feed[fed++]!.event);
        clock = hour;
        for (let i = 0; i < batch.length; i += 500) {
          await features.ingest('departures', batch.slice(i, i + 500));
        }
        while (next < live.length && live[next]!.t < hour + HOUR_MS) {
          const t = live[next]!.t;
          const group: LiveRow[] = [];
          while (next < live.length && live[next]!.t === t) group.push(live[next++]!);
          clock = t;
          const outcome = await host.predict(name, {
            rows: group.map((g) => g.row),
            requestId: `demo-${t}-${next}`,
          });
          if (!outcome.ok) {
            throw new FlywheelError(
              'INTERNAL',
              `the demo's request at ${new Date(t).toISOString()} was refused: ${outcome.errors[0]?.message ?? 'unknown'}`,
            );
          }
          outcome.rows.forEach((r, i) => {
            served.push({
              id: r.predictionId,
              delay: group[i]!.delay,
              at: new Date(t).toISOString(),
            });
          });
        }
      }
      clock = dayEnd;
      await logger.flush();
      await servingMinutes.flush();
      // The day's outcomes come back once it is over.
      const report = await ingestFeedback(
        stores,
        served.map((s) => ({
          prediction_id: s.id,
          label: s.delay,
          observed_at: new Date(dayEnd).toISOString(),
        })),
        { source: 'ops', now: new Date(dayEnd), lateAfterMs },
      );
      labels += report.added;
      requests += served.length;
      await monitorModel(stores, name, {
        window: '1d',
        count: 1,
        now: new Date(dayEnd),
        settings,
        freshness: [],
      });
      if (host.controller !== undefined) {
        await host.controller.tick();
        await host.refresh();
      }
      const result = await retrainWithStores(loaded, stores, dir, {
        store: demoStore(dir),
        now: new Date(dayEnd),
        ifDue: true,
        seed: o.seed,
        actor: 'demo',
        onStage: (s) => {
          if (s !== 'checking the retraining policy') o.stage(`retrain: ${s}`);
        },
      });
      if (result.outcome !== 'not_due') {
        retrains.push(result);
        o.progress({ kind: 'retrain', result });
        await host.refresh();
      }
      const deployment = await registry.deployment(name);
      const day = isoDay(dayStart);
      days.set(day, {
        requests: served.length,
        champion: deployment.champion?.version ?? firstChampion,
        canaryWeight: deployment.canary?.weight ?? null,
      });
      o.progress({
        kind: 'day',
        day,
        index: d,
        days: dayCount,
        requests: served.length,
        champion: deployment.champion?.version ?? firstChampion,
        canary: deployment.canary?.version.version ?? null,
      });
    }
  } finally {
    await host.close();
    await servingMinutes.close();
    await onlineStore.close();
  }
  return { retrains, days, requests, labels, firstChampion };
}

/** What the model frozen at the start would have cost on the same labelled requests. */
function frozenDecisions(bundle: ModelBundle, rows: readonly LabelledPrediction[]): boolean[] {
  const scorer = createScorer(bundle);
  const out: boolean[] = [];
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const scored = scorer.score(part.map((r) => r.inputs));
    if (!scored.ok) {
      throw new FlywheelError(
        'INTERNAL',
        `the frozen model cannot score the logged inputs: ${scored.errors[0]?.message ?? ''}`,
      );
    }
    for (const s of scored.rows) out.push(s.decision === true);
  }
  return out;
}

async function buildReport(
  stores: Stores,
  name: string,
  o: {
    replay: ReplayResult;
    data: Awaited<ReturnType<typeof writeDemoData>>;
    sample: number;
    seed: number;
    fromMs: number;
    untilMs: number;
    currency: string;
  },
): Promise<Omit<DemoReport, 'timing'>> {
  const registry = new ModelRegistry(stores);
  const versions = await registry.listVersions(name);
  const labelled = await stores.metadata.listLabelled({
    modelVersions: versions.map((v) => `${name}@${v.version}`),
    since: new Date(o.fromMs),
    until: new Date(o.untilMs),
    limit: 5_000_000,
  });
  const frozenBundle = await registry.loadBundle(
    await registry.getVersion(name, o.replay.firstChampion),
  );
  const costs = frozenBundle.costs ?? { tp: 0, fp: 1, fn: 1, tn: 0 };
  const frozen = frozenDecisions(frozenBundle, labelled);
  const frozenRows = labelled.map((p, i) => ({ ...p, outputs: { decision: frozen[i] } }));
  const group = (key: (p: LabelledPrediction) => string) => {
    const out = new Map<string, { served: LabelledPrediction[]; frozen: LabelledPrediction[] }>();
    labelled.forEach((p, i) => {
      const k = key(p);
      const g = out.get(k) ?? { served: [], frozen: [] };
      if (g.served.length === 0) out.set(k, g);
      g.served.push(p);
      g.frozen.push(frozenRows[i]!);
    });
    return out;
  };
  const months = [...group((p) => p.at.slice(0, 7))].map(([month, g]) => {
    const f = realisedCost(g.frozen, costs);
    const s = realisedCost(g.served, costs);
    return {
      month,
      requests: g.served.length,
      labelled: s.n,
      positiveRate: g.served.filter((p) => p.label > 0).length / Math.max(1, g.served.length),
      frozenCost: f.cost,
      flywheelCost: s.cost,
      frozenTotal: f.cost * f.n,
      flywheelTotal: s.cost * s.n,
    };
  });
  const byDay = group((p) => p.at.slice(0, 10));
  const daily = [...o.replay.days].map(([day, tally]) => {
    const g = byDay.get(day);
    const f = g ? realisedCost(g.frozen, costs) : undefined;
    const s = g ? realisedCost(g.served, costs) : undefined;
    return {
      day,
      requests: tally.requests,
      frozenCost: f && f.n > 0 ? f.cost : null,
      flywheelCost: s && s.n > 0 ? s.cost : null,
      champion: tally.champion,
      canaryWeight: tally.canaryWeight,
    };
  });
  const alerts = (await stores.metadata.listAlerts({ model: name, limit: 10_000 }))
    .map((a) => ({
      rule: a.rule,
      subject: a.subject,
      severity: a.severity,
      firedAt: a.firstAt,
      resolvedAt: a.resolvedAt,
      message: a.message,
    }))
    .sort((a, b) => (a.firedAt < b.firedAt ? -1 : 1));
  const moves = await registry.aliasHistory(name);
  const deployments: DemoReport['deployments'][number][] = [];
  for (const m of moves) {
    const replayed = Date.parse(m.at) >= o.fromMs && Date.parse(m.at) <= o.untilMs;
    if (m.alias === 'champion' && m.action !== 'canary.promote') {
      deployments.push({
        at: replayed ? m.at : new Date(o.fromMs).toISOString(),
        action: 'champion',
        version: m.toVersion,
        reason: replayed
          ? m.reason
          : `${m.reason} (trained on January–February, serving from the first replayed day)`,
      });
    } else if (m.alias === 'canary') {
      deployments.push({
        at: m.at,
        action:
          m.action === 'canary.start' ? 'canary.start' : m.action.replace('canary.', 'canary.'),
        version: m.toVersion ?? m.fromVersion,
        reason: m.reason,
      });
    }
  }
  for (const r of o.replay.retrains) {
    if (r.outcome === 'held' || r.outcome === 'refused' || r.outcome === 'not_blessed') {
      deployments.push({
        at: r.asOf,
        action: r.outcome === 'held' ? 'retrain.held' : 'retrain.refused',
        version: r.run?.version ?? null,
        reason: r.reason,
      });
    }
  }
  deployments.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const totalFrozen = months.reduce((s, m) => s + m.frozenTotal, 0);
  const totalFlywheel = months.reduce((s, m) => s + m.flywheelTotal, 0);
  const snapshots = (await stores.metadata.listSnapshots({})).filter(
    (s) => s.origin === 'feedback',
  );
  return {
    title: `Flywheel demo: flights, ${new Date(o.fromMs).toISOString().slice(0, 10)} to ${new Date(o.untilMs - DAY_MS).toISOString().slice(0, 10)}`,
    generatedAt: new Date().toISOString(),
    model: name,
    currency: o.currency,
    costs,
    sample: {
      description: o.data.description,
      fraction: o.sample,
      seed: o.seed,
      trainRows: o.data.historyRows,
      replayedRequests: o.replay.requests,
      days: o.replay.days.size,
      from: new Date(o.fromMs).toISOString().slice(0, 10),
      to: new Date(o.untilMs - DAY_MS).toISOString().slice(0, 10),
    },
    months,
    daily,
    alerts,
    deployments,
    retrains: o.replay.retrains.map((r) => ({
      at: r.asOf,
      trigger: r.trigger,
      snapshotId: r.snapshot?.id ?? null,
      rows: r.snapshot?.rows ?? 0,
      feedbackRows: r.snapshot?.feedbackRows ?? 0,
      challenger: r.run?.version != null ? `${name}@${r.run.version}` : null,
      gate: r.gate
        ? {
            championCost: r.gate.championCost,
            challengerCost: r.gate.challengerCost,
            difference: r.gate.difference,
            probabilityBetter: r.gate.probabilityBetter,
            rows: r.gate.rows,
            passed: r.gate.passed,
          }
        : null,
      outcome: r.reason,
    })),
    totals: {
      frozenCost: totalFrozen,
      flywheelCost: totalFlywheel,
      saved: totalFrozen - totalFlywheel,
      labels: o.replay.labels,
      snapshots: snapshots.length,
    },
  };
}
