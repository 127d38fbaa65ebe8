#!/usr/bin/env node
// bench:train — Flywheel's histogram GBDT against XGBoost (hist) and
// scikit-learn's HistGradientBoostingClassifier on the flights example:
// train on Jan–Feb (~966k rows), test on April; 200 rounds, 31 leaves,
// learning rate 0.1, 255 bins, no early stopping, the same thread count.
// Every contender runs in its own fresh process on the same exported
// matrices, so peak RSS is each one's own; AUC and log loss are computed
// here, by one function, from the probabilities each one wrote.
//
//   npm run bench:train            (BENCH_THREADS=2 BENCH_ROUNDS=200 by default)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const PARAMS = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 200),
  num_leaves: 31,
  learning_rate: 0.1,
  max_bins: 255,
};
const here = path.dirname(fileURLToPath(import.meta.url));

if (process.argv[2] === '--flywheel')
  await flywheelContender(process.argv[3], Number(process.argv[4]));
else await main();

/** Python with scikit-learn and XGBoost: Debian's (the one on PATH may be a pyenv without them). */
function python() {
  const candidates = existsSync('/usr/bin/python3') ? ['/usr/bin/python3', 'python3'] : ['python3'];
  const works = (py) =>
    spawnSync(py, ['-c', 'import sklearn, xgboost'], { stdio: 'ignore' }).status === 0;
  for (const py of candidates) if (works(py)) return py;
  console.error('installing the peers: apt-get install python3-sklearn python3-xgboost');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'python3-sklearn', 'python3-xgboost'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  for (const py of candidates) if (works(py)) return py;
  throw new Error('python3 with sklearn and xgboost is not available');
}

/** Loads the flights project and writes the train/test matrices for every contender. */
async function exportData(dir) {
  const { initProject } = await import('../dist/pipeline/index.js');
  const { DuckSession, loadDataset, prepareDataset, rowsOf } = await import(
    '../dist/data/index.js'
  );
  const { loadSpec } = await import('../dist/spec/index.js');
  const project = path.join(dir, 'project');
  initProject({ dir: project, example: 'flights' });
  const session = await DuckSession.open();
  const data = await loadDataset(session, await prepareDataset(session, loadSpec(project)));
  session.close();
  const features = data.features.schema.map((f) => {
    const column = data.features.columns.get(f.name);
    return column.type === 'categorical'
      ? { name: f.name, type: 'categorical', dictionary: column.dictionary }
      : { name: f.name, type: column.type };
  });
  const k = features.length;
  const counts = {};
  for (const split of ['train', 'test']) {
    const rows = rowsOf(data, split);
    counts[split] = rows.length;
    const x = new Float64Array(rows.length * k);
    features.forEach((f, j) => {
      const column = data.features.columns.get(f.name);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        x[i * k + j] =
          column.type === 'categorical'
            ? column.codes[r] < 0
              ? Number.NaN
              : column.codes[r]
            : column.values[r];
      }
    });
    const y = Float64Array.from(rows, (r) => data.target.values[r]);
    writeFileSync(path.join(dir, `${split}_X.f64`), x);
    writeFileSync(path.join(dir, `${split}_y.f64`), y);
  }
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ features, params: PARAMS }));
  return counts;
}

function readF64(file) {
  const bytes = readFileSync(file);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** A Frame of the exported matrix (categorical codes back on their dictionaries). */
function frameOf(x, features) {
  const k = features.length;
  const n = x.length / k;
  const columns = new Map();
  features.forEach((f, j) => {
    if (f.type === 'categorical') {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = Number.isNaN(x[i * k + j]) ? -1 : x[i * k + j];
      columns.set(f.name, { type: 'categorical', codes, dictionary: f.dictionary });
    } else {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = x[i * k + j];
      columns.set(f.name, { type: f.type, values });
    }
  });
  return { rowCount: n, schema: features.map((f) => ({ name: f.name, type: f.type })), columns };
}

/** The Flywheel contender, in its own process like the peers. */
async function flywheelContender(dir, threads) {
  const { GBDT } = await import('../dist/models/gbdt/index.js');
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  const train = frameOf(readF64(path.join(dir, 'train_X.f64')), meta.features);
  const xTest = readF64(path.join(dir, 'test_X.f64'));
  const test = frameOf(xTest, meta.features);
  const target = { type: 'numeric', values: readF64(path.join(dir, 'train_y.f64')) };
  const p = meta.params;

  const start = performance.now();
  const model = await new GBDT({
    n_estimators: p.rounds,
    num_leaves: p.num_leaves,
    learning_rate: p.learning_rate,
    max_bins: p.max_bins,
    num_threads: threads,
  }).fit(train, target, { task: 'binary', seed: 1 });
  const trainSeconds = (performance.now() - start) / 1000;

  const proba = model.predict(test);
  writeFileSync(path.join(dir, 'flywheel.pred.f64'), proba);
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    model.predict(test);
    best = Math.min(best, performance.now() - t);
  }
  // One row at a time, as a server would: a one-row Frame per request.
  const rowFrames = Array.from({ length: 2000 }, (_, i) =>
    frameOf(
      xTest.subarray(i * meta.features.length, (i + 1) * meta.features.length),
      meta.features,
    ),
  );
  for (let i = 0; i < 500; i++) model.predict(rowFrames[i]);
  const times = rowFrames.map((frame) => {
    const t = performance.now();
    model.predict(frame);
    return performance.now() - t;
  });
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      name: 'flywheel',
      trainSeconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      batchRowsPerSecond: test.rowCount / (best / 1000),
      singleRowP50us: times[times.length >> 1] * 1000,
      trees: model.forest.treeRoot.length,
    }),
  );
}

/** Area under the ROC curve, ties counted half (rank statistic). */
function auc(y, p) {
  const order = Int32Array.from(p.keys()).sort((a, b) => p[a] - p[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && p[order[j]] === p[order[i]]) j++;
    const rank = (i + j + 1) / 2;
    for (let t = i; t < j; t++) {
      if (y[order[t]] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j;
  }
  const negatives = y.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function logLoss(y, p) {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    sum -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / y.length;
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, {
    cwd: here,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

async function main() {
  const py = python();
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-train-'));
  try {
    console.error('loading the flights project …');
    const counts = await exportData(dir);
    const threads = String(THREADS);
    const results = [];
    console.error(`training Flywheel (${threads} threads) …`);
    results.push(
      run(process.execPath, [fileURLToPath(import.meta.url), '--flywheel', dir, threads]),
    );
    console.error('training XGBoost …');
    results.push(run(py, [path.join(here, 'peers', 'xgboost_peer.py'), dir, threads]));
    console.error('training scikit-learn …');
    const omp = { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: '1' };
    results.push(run(py, [path.join(here, 'peers', 'sklearn_peer.py'), dir], omp));
    const y = readF64(path.join(dir, 'test_y.f64'));
    for (const r of results) {
      const p = readF64(path.join(dir, `${r.name}.pred.f64`));
      r.auc = auc(y, p);
      r.logLoss = logLoss(y, p);
    }
    print(results, counts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(results, counts) {
  const label = { flywheel: 'Flywheel GBDT', xgboost: 'XGBoost hist', sklearn: 'scikit-learn HGB' };
  const fmt = (v, d) =>
    v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  console.log(
    `\nbench:train — flights, train ${counts.train.toLocaleString('en-US')} rows (Jan–Feb), ` +
      `test ${counts.test.toLocaleString('en-US')} rows (April); ${PARAMS.rounds} rounds, ${PARAMS.num_leaves} leaves, ` +
      `learning rate ${PARAMS.learning_rate}, ${PARAMS.max_bins} bins, ${THREADS} threads\n`,
  );
  console.log(
    '| model | train s | peak RSS MB | test AUC | test log loss | batch rows/s | single-row p50 µs |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${label[r.name]} | ${fmt(r.trainSeconds, 2)} | ${fmt(r.peakRssMB, 0)} | ${fmt(r.auc, 4)} | ${fmt(r.logLoss, 4)} | ${fmt(r.batchRowsPerSecond, 0)} | ${fmt(r.singleRowP50us, 1)} |`,
    );
  }
  const [fw, xgb, skl] = results;
  console.log('\n| Flywheel vs | train time | peak RSS | AUC | batch rows/s | single-row p50 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const peer of [xgb, skl]) {
    console.log(
      `| ${label[peer.name]} | ${fmt(fw.trainSeconds / peer.trainSeconds, 2)}× | ${fmt(fw.peakRssMB / peer.peakRssMB, 2)}× | ${fw.auc - peer.auc >= 0 ? '+' : ''}${fmt(fw.auc - peer.auc, 4)} | ${fmt(fw.batchRowsPerSecond / peer.batchRowsPerSecond, 2)}× | ${fmt(fw.singleRowP50us / peer.singleRowP50us, 3)}× |`,
    );
  }
  const bestPeerAuc = Math.max(xgb.auc, skl.auc);
  const bars = [
    ['training time no worse than XGBoost hist', fw.trainSeconds <= xgb.trainSeconds],
    ['AUC within 0.003 of the better peer', fw.auc >= bestPeerAuc - 0.003],
    ["batch prediction at least XGBoost's rows/s", fw.batchRowsPerSecond >= xgb.batchRowsPerSecond],
    ['single-row p50 under 20 µs', fw.singleRowP50us < 20],
    ['peak memory under 1.5 GB', fw.peakRssMB < 1536],
  ];
  console.log('\nbars:');
  for (const [bar, ok] of bars) console.log(`- ${ok ? 'met' : 'MISSED'}: ${bar}`);
  console.log(
    `\nNode ${process.version}, ${availableParallelism()} cores, load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
