#!/usr/bin/env node
// bench:monitor — one monitoring window over 1M logged predictions × 8
// features (5 numeric, 3 categorical) against a 200k-row reference, with
// drift planted in two features: drift for every feature, prediction drift,
// latency percentiles, rates and the estimated cost (`computeWindow`, best of
// 3 after a warm-up), beside the same statistics in numpy/scipy in a child
// process on the same columns (bench/monitor_peer.py, statistics only, best
// of 3), whose results must agree with Flywheel's. Then the full path
// (`monitorModel`: the prediction log read back from SQLite, the features
// recomputed by the champion's scorer, the window cut and computed, best of 2)
// on a logistic model registered as champion. The issue's bar: one window
// under 2 s on this machine.
//
//   npm run bench:monitor
//   BENCH_ROWS=1000000 BENCH_FULL_ROWS=1000000 by default; BENCH_PYTHON picks the peer's Python.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFrame } from '../dist/data/index.js';
import { createEstimator } from '../dist/models/index.js';
import {
  computeWindow,
  monitorModel,
  permutationImportance,
  scoreProfile,
  scoreReference,
  windowContext,
} from '../dist/monitor/index.js';
import { createRng } from '../dist/random.js';
import { BUNDLE_FORMAT, CHAMPION, ModelRegistry } from '../dist/registry/index.js';
import { monitorSettings } from '../dist/spec/index.js';
import { openStore } from '../dist/store/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FULL_ROWS = Math.min(ROWS, Number(process.env.BENCH_FULL_ROWS ?? ROWS));
const REFERENCE_ROWS = 200_000;
const TRAIN_ROWS = 20_000;
const LOG_BATCH = 10_000;
const TARGET_S = 2;
const MODEL = 'bench_monitor';
const here = path.dirname(fileURLToPath(import.meta.url));

const NUMERIC = ['amount', 'distance', 'age_days', 'visits', 'ratio'];
const CATEGORICAL = ['channel', 'region', 'device'];
const PLANTED = ['distance', 'region'];
const names = (prefix, n) =>
  Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`);
const DICTIONARY = { channel: names('ch', 20), region: names('rg', 20), device: names('dv', 26) };
const NEW_REGION = 'rg_new';

/** A deterministic generator, so every run sees the same data. */
const rng = createRng;

function normal(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A sampler of 0..n−1 with Zipf-like weights 1/(i+1), from a uniform u. */
function zipf(n) {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1);
  return (u) => {
    let i = 0;
    while (i < n - 1 && cumulative[i] < u * sum) i++;
    return i;
  };
}

/**
 * Rows as a Frame with labels. `drifted` shifts distance by 0.3 reference
 * std and moves a quarter of region's traffic to its ten rarest values, plus
 * 3% to a region never seen in training.
 */
function makeRows(n, seed, drifted) {
  const rand = rng(seed);
  const num = Object.fromEntries(NUMERIC.map((name) => [name, new Float64Array(n)]));
  const cat = Object.fromEntries(CATEGORICAL.map((name) => [name, new Int32Array(n)]));
  const labels = new Float64Array(n);
  const pick = Object.fromEntries(CATEGORICAL.map((c) => [c, zipf(DICTIONARY[c].length)]));
  for (let i = 0; i < n; i++) {
    const amount = Math.exp(3 + 1.2 * normal(rand));
    num.amount[i] = rand() < 0.01 ? Number.NaN : amount;
    num.distance[i] = 500 + 150 * normal(rand) + (drifted ? 45 : 0);
    num.age_days[i] = Math.floor(rand() * 3650);
    num.visits[i] = Math.floor(Math.log(1 - rand()) / Math.log(0.8));
    num.ratio[i] = rand() ** 2;
    cat.channel[i] = pick.channel(rand());
    const u = rand();
    cat.region[i] = !drifted
      ? pick.region(rand())
      : u < 0.03
        ? 20
        : u < 0.28
          ? 10 + Math.floor(rand() * 10)
          : pick.region(rand());
    cat.device[i] = rand() < 0.02 ? -1 : pick.device(rand());
    const logit =
      -1.2 +
      0.6 * (Math.log(amount) - 3) +
      0.004 * (num.distance[i] - 500) +
      0.15 * num.visits[i] -
      0.8 * num.ratio[i] +
      (cat.channel[i] < 3 ? 0.7 : 0) +
      (cat.region[i] % 4 === 0 ? -0.5 : 0);
    labels[i] = rand() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  const columns = new Map([
    ...NUMERIC.map((name) => [name, { type: 'numeric', values: num[name] }]),
    ...CATEGORICAL.map((name) => [
      name,
      {
        type: 'categorical',
        codes: cat[name],
        dictionary:
          drifted && name === 'region' ? [...DICTIONARY.region, NEW_REGION] : DICTIONARY[name],
      },
    ]),
  ]);
  return { frame: makeFrame(columns), labels };
}

/** A categorical column's profile as the data profile makes it: the top 20 values and the rest. */
function categoricalProfile(name, column) {
  const n = column.codes.length;
  const byCode = new Array(column.dictionary.length).fill(0);
  let missing = 0;
  for (const code of column.codes) {
    if (code < 0) missing++;
    else byCode[code]++;
  }
  const present = n - missing;
  const seen = column.dictionary
    .map((value, code) => ({ value, count: byCode[code] }))
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  const top = seen.slice(0, 20);
  const other = present - top.reduce((s, t) => s + t.count, 0);
  return {
    name,
    type: 'categorical',
    count: n,
    missing,
    missingRate: missing / n,
    distinct: seen.length,
    top,
    other,
    histogram: {
      categories: top.map((t) => t.value),
      counts: [...top.map((t) => t.count), other],
      missing,
    },
  };
}

/** The logistic model, its reference and importance, as a bundle the registry accepts. */
async function makeBundle(reference) {
  const train = headOf(reference.frame, TRAIN_ROWS);
  const target = { type: 'numeric', values: reference.labels.subarray(0, TRAIN_ROWS) };
  const model = await createEstimator('logistic').fit(train, target, { task: 'binary', seed: 7 });
  const scores = model.predict(reference.frame);
  const columns = [
    ...NUMERIC.map((name) => scoreProfile(reference.frame.columns.get(name).values, name)),
    ...CATEGORICAL.map((name) => categoricalProfile(name, reference.frame.columns.get(name))),
  ];
  const bundle = {
    format: BUNDLE_FORMAT,
    name: MODEL,
    task: 'binary',
    rung: 'logistic',
    model: model.toFile(),
    inputs: [
      ...NUMERIC.map((name) => ({ name, type: 'numeric', nullable: true })),
      ...CATEGORICAL.map((name) => ({
        name,
        type: 'categorical',
        categories: DICTIONARY[name],
        nullable: true,
      })),
    ],
    derived: [],
    features: [...NUMERIC, ...CATEGORICAL],
    featureVersions: [],
    decision: { kind: 'threshold', threshold: 0.5 },
    costs: { tp: 20, fp: 20, fn: 80, tn: 0 },
    currency: 'USD',
    latencyBudget: { p99_ms: 20 },
    specHash: 'bench-monitor',
    referenceProfile: { version: 1, rows: REFERENCE_ROWS, columns },
    referenceScores: scoreReference(
      scores,
      Array.from(scores, (s) => s >= 0.5),
      reference.labels,
    ),
    importance: permutationImportance(model, train, target.values, 'binary'),
    lineage: { runId: 'bench-monitor', rungRunId: 'bench-monitor-logistic', snapshotId: null },
    blessing: { passed: true, criteria: [] },
    createdAt: new Date().toISOString(),
  };
  return { bundle, model };
}

/** What a window's input holds besides the features: scores, decisions, latencies, no labels yet. */
function windowInput(current, model, rows) {
  const frame = rows === current.frame.rowCount ? current.frame : headOf(current.frame, rows);
  const scores = model.predict(frame);
  const rand = rng(99);
  const latencyMs = Float64Array.from({ length: rows }, () =>
    rand() < 0.005 ? 40 + 30 * rand() : 3 * Math.exp(0.5 * normal(rand)),
  );
  return {
    from: new Date(Date.now() - 86_400_000).toISOString(),
    to: new Date().toISOString(),
    versions: [`${MODEL}@1`],
    features: frame,
    scores,
    decisions: Float64Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
    latencyMs,
    labels: new Float64Array(rows).fill(Number.NaN),
    requests: rows,
    errors: 0,
  };
}

function headOf(frame, rows) {
  const columns = new Map(
    [...frame.columns].map(([name, c]) => [
      name,
      c.type === 'categorical'
        ? { ...c, codes: c.codes.subarray(0, rows) }
        : { ...c, values: c.values.subarray(0, rows) },
    ]),
  );
  return { ...frame, rowCount: rows, columns };
}

async function bestOf(runs, fn) {
  let best = Number.POSITIVE_INFINITY;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    best = Math.min(best, performance.now() - t);
  }
  return { seconds: best / 1000, result };
}

/** The window's statistics in the shape the peer reports them. */
function statsOf(window) {
  const { features, prediction } = window;
  return {
    features: Object.fromEntries(features.map((f) => [f.name, { ...f, current: f.bins.current }])),
    ...prediction,
    current: prediction.bins.current,
    latency: window.latency,
    estimatedCost: window.business.estimatedCostPerDecision,
  };
}

/** Largest absolute differences between two windows' statistics, by kind. */
function differences(a, b) {
  const gap = { drift: 0, shares: 0, rates: 0, latency: 0 };
  const at = (kind, x, y) => {
    const d = x === y ? 0 : Math.abs(x - y);
    gap[kind] = Number.isNaN(d) ? Infinity : Math.max(gap[kind], d);
  };
  const bins = (x, y) => {
    if (x.length !== y.length) gap.shares = Infinity;
    else for (let i = 0; i < x.length; i++) at('shares', x[i], y[i]);
  };
  for (const [name, f] of Object.entries(a.features)) {
    const g = b.features[name];
    if (g === undefined) {
      gap.drift = Infinity;
      continue;
    }
    at('drift', f.statistic, g.statistic);
    at('drift', f.psi, g.psi);
    at('rates', f.missingRate, g.missingRate);
    at('rates', f.unseenRate, g.unseenRate);
    bins(f.current, g.current);
  }
  at('drift', a.statistic, b.statistic);
  at('drift', a.psi, b.psi);
  at('rates', a.positiveRate, b.positiveRate);
  at('rates', a.estimatedCost, b.estimatedCost);
  bins(a.current, b.current);
  for (const q of ['p50', 'p95', 'p99']) at('latency', a.latency[q], b.latency[q]);
  return gap;
}

/**
 * Python with numpy and scipy: Debian's (python3-numpy, python3-scipy), which
 * the bench installs with apt-get when missing, as bench:train installs its
 * peers; the one on PATH is a last resort, and named in the output.
 */
function python() {
  const candidates = process.env.BENCH_PYTHON
    ? [process.env.BENCH_PYTHON]
    : [...(existsSync('/usr/bin/python3') ? ['/usr/bin/python3'] : []), 'python3'];
  const works = (py) =>
    spawnSync(py, ['-c', 'import numpy, scipy'], { stdio: 'ignore' }).status === 0;
  if (!process.env.BENCH_PYTHON && existsSync('/usr/bin/python3') && !works('/usr/bin/python3')) {
    try {
      console.error('installing the peer: apt-get install python3-numpy python3-scipy');
      execFileSync('apt-get', ['update'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', 'python3-numpy', 'python3-scipy'], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (err) {
      console.error(`could not install Debian's numpy/scipy: ${err.message}`);
    }
  }
  for (const py of candidates) if (works(py)) return { py };
  return {
    skipped:
      `no Python among ${candidates.join(', ')} imports numpy and scipy ` +
      '(apt-get install python3-numpy python3-scipy)',
  };
}

/** Writes the columns and the profiles for the peer. */
function exportForPeer(dir, bundle, reference, input) {
  const profiles = new Map(bundle.referenceProfile.columns.map((c) => [c.name, c]));
  const numeric = (p) => ({
    name: p.name,
    edges: p.histogram.edges,
    referenceCounts: p.histogram.counts,
    std: p.std,
    p99: p.quantiles.p99,
    max: p.max,
  });
  const meta = {
    numeric: NUMERIC.map((name) => numeric(profiles.get(name))),
    categorical: CATEGORICAL.map((name) => ({
      name,
      categories: profiles.get(name).histogram.categories,
      referenceCounts: profiles.get(name).histogram.counts,
      known: DICTIONARY[name],
      dictionary: input.features.columns.get(name).dictionary,
    })),
    scores: numeric(bundle.referenceScores.profile),
    costs: bundle.costs,
  };
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
  for (const name of NUMERIC) {
    writeFileSync(path.join(dir, `ref_${name}.f64`), reference.frame.columns.get(name).values);
    writeFileSync(path.join(dir, `cur_${name}.f64`), input.features.columns.get(name).values);
  }
  for (const name of CATEGORICAL) {
    writeFileSync(path.join(dir, `ref_${name}.i32`), reference.frame.columns.get(name).codes);
    writeFileSync(path.join(dir, `cur_${name}.i32`), input.features.columns.get(name).codes);
  }
  writeFileSync(path.join(dir, 'cur_scores.f64'), input.scores);
  writeFileSync(path.join(dir, 'cur_decisions.f64'), input.decisions);
  writeFileSync(path.join(dir, 'cur_latency.f64'), input.latencyMs);
}

function runPeer(py, dir) {
  const r = spawnSync(py, [path.join(here, 'monitor_peer.py'), dir], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', OPENBLAS_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`the numpy/scipy peer failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The input's rows as the server logs them, into a fresh SQLite store under a registered champion. */
async function logToStore(dir, bundle, input, rows) {
  const root = path.join(dir, 'store');
  const stores = await openStore({
    kind: 'sqlite',
    path: path.join(root, 'metadata.db'),
    artifactDir: path.join(root, 'artifacts'),
  });
  const registry = new ModelRegistry(stores);
  const version = await registry.register(bundle, { actor: 'bench' });
  await registry.moveAlias({
    name: MODEL,
    alias: CHAMPION,
    version: version.version,
    actor: 'bench',
    reason: 'bench:monitor',
  });
  const frame = input.features;
  const columns = [...NUMERIC, ...CATEGORICAL].map((name) => [name, frame.columns.get(name)]);
  const now = Date.now();
  // Spread over the 23 hours before now, oldest first, so a 1d window ending later holds them all.
  const span = 23 * 3_600_000;
  for (let start = 0; start < rows; start += LOG_BATCH) {
    const batch = [];
    for (let r = start; r < Math.min(rows, start + LOG_BATCH); r++) {
      const inputs = {};
      for (const [name, c] of columns) {
        if (c.type === 'categorical')
          inputs[name] = c.codes[r] < 0 ? null : c.dictionary[c.codes[r]];
        else inputs[name] = Number.isNaN(c.values[r]) ? null : c.values[r];
      }
      const score = input.scores[r];
      batch.push({
        modelVersion: `${MODEL}@${version.version}`,
        at: new Date(now - span + Math.floor((r / rows) * span)),
        inputs,
        outputs: { score, decision: input.decisions[r] === 1 },
        score,
        latencyMs: input.latencyMs[r],
      });
    }
    await stores.metadata.logPredictions(batch);
  }
  return stores;
}

const fmt = (x, digits = 2) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const count = (n) => n.toLocaleString('en-US');
const exp = (x) => (x === 0 ? '0' : x.toExponential(1));

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-monitor-'));
  try {
    console.error(`making ${count(REFERENCE_ROWS)} reference rows and the model …`);
    const reference = makeRows(REFERENCE_ROWS, 1, false);
    const { bundle, model } = await makeBundle(reference);
    console.error(`making the ${count(ROWS)}-row window …`);
    const current = makeRows(ROWS, 2, true);
    const input = windowInput(current, model, ROWS);
    const settings = monitorSettings({});
    const ctx = windowContext(bundle, settings);

    console.error('timing computeWindow …');
    computeWindow(ctx, input);
    const flywheel = await bestOf(3, () => computeWindow(ctx, input));
    const window = flywheel.result;
    // Parts: the same window with everything else switched off (a regression
    // bundle has no prediction drift or cost; an empty latency column sorts nothing).
    const part = async (features, { task = 'regression', latency = false } = {}) => {
      const sub = windowContext({ ...bundle, task, features }, settings);
      const only = latency ? input : { ...input, latencyMs: new Float64Array(0) };
      computeWindow(sub, only);
      return (await bestOf(3, () => computeWindow(sub, only))).seconds;
    };
    const parts = {
      numeric: await part(NUMERIC),
      categorical: await part(CATEGORICAL),
      prediction: await part([], { task: 'binary' }),
      latency: await part([], { latency: true }),
    };

    const found = python();
    let peer;
    if (found.py) {
      console.error(`timing the numpy/scipy peer (${found.py}) …`);
      exportForPeer(dir, bundle, reference, input);
      peer = runPeer(found.py, dir);
    }

    console.error(
      `logging ${count(FULL_ROWS)} predictions into SQLite (${count(LOG_BATCH)} a batch; not timed) …`,
    );
    const logStart = performance.now();
    const fullInput = FULL_ROWS === ROWS ? input : windowInput(current, model, FULL_ROWS);
    const stores = await logToStore(dir, bundle, fullInput, FULL_ROWS);
    const logSeconds = (performance.now() - logStart) / 1000;
    let full;
    let read;
    try {
      console.error('timing monitorModel …');
      // Interleaved, best of 2 each: the read is the same query monitorModel makes.
      for (let run = 0; run < 2; run++) {
        const f = await bestOf(1, () =>
          monitorModel(stores, MODEL, { window: '1d', count: 1, evaluate: false }),
        );
        const r = await bestOf(1, async () => {
          const now = Date.now();
          const records = await stores.metadata.listPredictions({
            modelVersions: [`${MODEL}@1`],
            since: new Date(now - 86_400_000),
            until: new Date(now),
            limit: 1_000_000,
          });
          return records.length;
        });
        if (full === undefined || f.seconds < full.seconds) full = f;
        if (read === undefined || r.seconds < read.seconds) read = r;
      }
    } finally {
      await stores.close();
    }

    print({ window, flywheel, parts, found, peer, full, read, logSeconds, input, fullInput });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print({ window, flywheel, parts, found, peer, full, read, logSeconds, input, fullInput }) {
  const ratio = (a, b) => (b === undefined ? '—' : `${fmt(a / b)}×`);
  const peerS = (s) => (s === undefined ? '—' : fmt(s, 3));
  console.log(
    `\nbench:monitor — one window: ${count(ROWS)} logged predictions × 8 features ` +
      `(${NUMERIC.length} numeric, ${CATEGORICAL.length} categorical with 20–26 categories), ` +
      `reference ${count(REFERENCE_ROWS)} rows; drift planted in ${PLANTED.join(' and ')}\n`,
  );
  console.log('| step | Flywheel s | numpy/scipy s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  const rows = [
    [
      'window statistics (`computeWindow`: drift of 8 features, prediction drift, latency p50/p95/p99, rates, cost)',
      flywheel.seconds,
      peer?.seconds,
    ],
    [`… ${NUMERIC.length} numeric features`, parts.numeric, peer?.parts.numeric],
    [`… ${CATEGORICAL.length} categorical features`, parts.categorical, peer?.parts.categorical],
    ['… prediction drift, positive rate, cost', parts.prediction, peer?.parts.prediction],
    ['… latency p50/p95/p99', parts.latency, peer?.parts.latency],
  ];
  for (const [step, fw, py] of rows) {
    console.log(`| ${step} | ${fmt(fw, 3)} | ${peerS(py)} | ${ratio(fw, py)} |`);
  }
  const fullLabel =
    FULL_ROWS === ROWS
      ? `${count(FULL_ROWS)} rows`
      : `${count(FULL_ROWS)} rows, not ${count(ROWS)}`;
  console.log(
    `| full path (\`monitorModel\`, ${fullLabel}: read the log from SQLite, features via the champion's scorer, window) | ${fmt(full.seconds)} | — | — |`,
  );
  console.log(
    `| … of which reading the log (\`listPredictions\`, ${count(read.result)} rows) | ${fmt(read.seconds)} | — | — |`,
  );
  console.log(
    '\nFlywheel: best of 3 after a warm-up (full path and log read: best of 2); each … row is\n' +
      '`computeWindow` with everything else switched off. numpy/scipy: statistics only, files\n' +
      'already loaded, best of 3 after a warm-up. ratio = Flywheel s ÷ numpy/scipy s.',
  );

  const met = flywheel.seconds < TARGET_S;
  console.log(
    `\ntarget: one window over ${count(ROWS)} predictions under ${TARGET_S} s — ` +
      `${met ? 'met' : 'MISSED'} (${fmt(flywheel.seconds, 3)} s)`,
  );
  const drifted = window.features.filter((f) => f.drifted).map((f) => f.name);
  console.log(
    `drifted features: ${drifted.join(', ') || 'none'} (planted: ${PLANTED.join(', ')}); ` +
      `prediction drift: ${window.prediction.drifted ? 'yes' : 'no'} ` +
      `(${window.prediction.method} ${fmt(window.prediction.statistic, 3)})`,
  );
  console.log('\n| feature | method | statistic | PSI | drifted |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const f of window.features) {
    console.log(
      `| ${f.name} | ${f.method} | ${fmt(f.statistic, 4)} | ${fmt(f.psi, 4)} | ${f.drifted ? 'yes' : 'no'} |`,
    );
  }

  const mine = statsOf(window);
  if (peer) {
    const gap = differences(mine, peer.stats);
    console.log(
      `\nnumpy/scipy agree with Flywheel (max |Δ|): drift statistics and PSI ${exp(gap.drift)}, ` +
        `bin shares ${exp(gap.shares)}, missing/unseen/positive rates and cost ${exp(gap.rates)}, ` +
        `latency percentiles ${exp(gap.latency)} ms`,
    );
    console.log(
      `reference bins: numpy's counts and std ${peer.referenceBinsDiffer.length === 0 ? "equal the profile's for every feature" : `DIFFER for ${peer.referenceBinsDiffer.join(', ')}`}`,
    );
    console.log(
      `peer: ${found.py}, Python ${peer.python}, numpy ${peer.numpy}, scipy ${peer.scipy}`,
    );
  } else {
    console.log(`\nnumpy/scipy peer skipped: ${found.skipped}`);
  }
  if (FULL_ROWS === ROWS) {
    const gap = differences(mine, statsOf(full.result.current));
    console.log(
      `full path vs in-memory window (same rows through JSON, SQLite and the scorer), max |Δ|: ` +
        `drift ${exp(gap.drift)}, shares ${exp(gap.shares)}, rates ${exp(gap.rates)}, latency ${exp(gap.latency)}`,
    );
  }
  console.log(
    `full path: ${count(full.result.current.rows)} rows in the window; setup logged ` +
      `${count(fullInput.scores.length)} predictions in ${fmt(logSeconds, 1)} s (not timed above)`,
  );
  console.log(
    `\nNode ${process.version}, ${availableParallelism()} cores, load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${count(input.scores.length)} rows in the window`,
  );
}

await main();
