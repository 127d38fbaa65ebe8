#!/usr/bin/env node
// bench:serve — the online server and batch scoring on the flights example.
// The example is initialised in a temp folder and `flywheel run` makes its
// blessed GBDT the champion. Then, on loopback, with autocannon in this
// process: single-row predictions through `flywheel serve` with the
// prediction log in sync (group commit: answered only once logged) and in
// async mode, next to a bare fastify route that answers a constant to the
// same request, all on this machine in this run. Each server gets a warm-up,
// a closed-loop run (CONNECTIONS connections for DURATION seconds: throughput)
// and an open-loop run at a fixed RATE requests/s (latency: p50/p99, corrected
// for coordinated omission). Last, `flywheel predict` scores the 3M flights
// rows from Parquet to Parquet (the file has no point-in-time columns, which
// are scored as missing: a throughput figure, not a forecast).
//
//   npm run bench:serve
//   BENCH_DURATION=10 BENCH_CONNECTIONS=50 BENCH_RATE=1000 by default;
//   BENCH_PROJECT=<folder> reuses a project that `flywheel run` already made.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const WARMUP = 3;
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'flywheel.js');
const env = { ...process.env, CI: 'true', FLYWHEEL_STORE: '' };

function flywheel(args, cwd) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`flywheel ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

/** Initialises the flights example and runs it; the champion must be a blessed GBDT. */
function makeProject(dir) {
  const project = path.join(dir, 'flights');
  flywheel(['init', project, '--example', 'flights', '--json'], dir);
  console.error('flywheel run on the flights example (a few minutes) …');
  const run = JSON.parse(flywheel(['run', project, '--json'], dir));
  if (!run.blessed) throw new Error('the flights run was not blessed: no champion to serve');
  return project;
}

/** The champion's bundle, and one real flights row as a request carries it. */
async function championRow(project) {
  const { openStore, resolveStoreLocation } = await import('../dist/store/index.js');
  const { ModelRegistry } = await import('../dist/registry/index.js');
  const { DuckSession, sqlString } = await import('../dist/data/index.js');
  const stores = await openStore(resolveStoreLocation({ specDir: project, env: {} }));
  let version;
  let bundle;
  try {
    const registry = new ModelRegistry(stores);
    version = await registry.resolve('flights_delay@champion');
    bundle = await registry.loadBundle(version);
  } finally {
    await stores.close();
  }
  if (bundle.rung !== 'gbdt') throw new Error(`the champion is ${bundle.rung}, not the GBDT`);
  const session = await DuckSession.open();
  const file = path.join(project, 'data', 'flights-3m.parquet');
  const [raw] = await session.rows(
    `SELECT * FROM read_parquet(${sqlString(file)}) WHERE origin = 'ORD' AND hour(date) = 17 LIMIT 1`,
  );
  session.close();
  // Point-in-time features are not in the file: the request carries them.
  const row = {};
  for (const input of bundle.inputs) {
    const value = raw[input.name];
    if (value === undefined) row[input.name] = input.name.includes('departures') ? 42 : 12.5;
    else if (input.type === 'numeric') row[input.name] = Number(value);
    else if (input.type === 'timestamp') row[input.name] = `${String(value).replace(' ', 'T')}Z`;
    else row[input.name] = value;
  }
  return { version: `${version.name}@${version.version}`, row };
}

/** Server processes still running, stopped if the bench fails half-way. */
const running = new Set();

/** Starts a server process and resolves its base URL from `listening on URL`. */
function start(args) {
  const child = spawn(process.execPath, args, {
    cwd: path.join(here, '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve({ child, url: m[1], stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

async function stop(server) {
  const exited = new Promise((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Runs autocannon; `onResponse(status, ms)` sees every response time unrounded. */
function cannon(options, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    if (onResponse)
      instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Warm-up, closed-loop throughput, then open-loop latency at RATE requests/s. */
async function measure(label, url, route, body) {
  const request = {
    url: `${url}${route}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  };
  const check = await fetch(request.url, request);
  if (check.status !== 200) throw new Error(`${label}: ${check.status} ${await check.text()}`);
  const answer = await check.json();
  console.error(`${label} …`);
  const warm = await cannon({ ...request, connections: CONNECTIONS, duration: WARMUP });
  const load = await cannon({ ...request, connections: CONNECTIONS, duration: DURATION });
  const times = [];
  const rated = await cannon(
    { ...request, connections: 10, duration: DURATION, overallRate: RATE },
    (status, ms) => {
      if (status < 300) times.push(ms);
    },
  );
  times.sort((a, b) => a - b);
  const failed = (r) => r.errors + r.timeouts + r.non2xx;
  return {
    label,
    answer,
    rps: load.requests.average,
    loadP50: load.latency.p50,
    loadP99: load.latency.p99,
    rateRps: rated.requests.average,
    rateP50: rated.latency.p50,
    rateP99: rated.latency.p99,
    rateMax: rated.latency.max,
    rawP50: percentile(times, 0.5),
    rawP99: percentile(times, 0.99),
    failed: failed(load) + failed(rated),
    // Every 2xx answer of this server: the check, the warm-up and both runs.
    ok: 1 + warm['2xx'] + load['2xx'] + rated['2xx'],
  };
}

/** A bare fastify route that parses the same body and answers a constant. */
const BARE = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
const answer = { model: 'flights_delay', predictions: [{ prediction_id: '00000000-0000-0000-0000-000000000000', score: 0.5, decision: true, model_version: 'flights_delay@1' }], request_id: 'r' };
app.post('/v1/models/:name/predict', async () => answer);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log('listening on ' + url);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

async function predictionsLogged(project) {
  const { openStore, resolveStoreLocation } = await import('../dist/store/index.js');
  const stores = await openStore(resolveStoreLocation({ specDir: project, env: {} }));
  try {
    return await stores.metadata.countPredictions();
  } finally {
    await stores.close();
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-serve-'));
  try {
    const project = process.env.BENCH_PROJECT ?? makeProject(dir);
    const { version, row } = await championRow(project);
    const body = JSON.stringify({ rows: [row] });
    const route = '/v1/models/flights_delay/predict';
    const results = [];

    const bare = await start(['--input-type=module', '-e', BARE]);
    results.push(await measure('bare fastify (constant)', bare.url, route, body));
    await stop(bare);

    const logged = [];
    for (const mode of ['sync', 'async']) {
      const before = await predictionsLogged(project);
      const server = await start([
        bin,
        'serve',
        project,
        '--port',
        '0',
        '--auth',
        'off',
        '--log-mode',
        mode,
      ]);
      const r = await measure(`Flywheel, ${mode} log`, server.url, route, body);
      await stop(server);
      logged.push({ mode, logged: (await predictionsLogged(project)) - before, answered: r.ok });
      results.push(r);
    }

    console.error('flywheel predict: the 3M flights rows, Parquet → Parquet …');
    const batch = JSON.parse(
      flywheel(
        [
          'predict',
          project,
          '--model',
          'flights_delay@champion',
          '--in',
          path.join(project, 'data', 'flights-3m.parquet'),
          '--out',
          path.join(dir, 'scored.parquet'),
          '--json',
        ],
        dir,
      ),
    );
    print(results, logged, batch, version, row);
  } finally {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(results, logged, batch, version, row) {
  const fmt = (v, d) =>
    v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const [bare, sync, async] = results;
  console.log(
    `\nbench:serve — flights, champion ${version} (GBDT); one row per request: ${JSON.stringify(row)}\n` +
      `closed loop: ${CONNECTIONS} connections for ${DURATION} s; open loop: ${RATE} requests/s for ${DURATION} s (10 connections)\n`,
  );
  const at = `at ${RATE.toLocaleString('en-US')}/s`;
  console.log(
    `| server | req/s | p50 ms | p99 ms | p50 ms ${at} | p99 ms ${at} | max ms ${at} | raw p50 / p99 ms ${at} | failed |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.label} | ${fmt(r.rps, 0)} | ${fmt(r.loadP50, 0)} | ${fmt(r.loadP99, 0)} | ${fmt(r.rateP50, 0)} | ${fmt(r.rateP99, 0)} | ${fmt(r.rateMax, 0)} | ${fmt(r.rawP50, 2)} / ${fmt(r.rawP99, 2)} | ${r.failed} |`,
    );
  }
  console.log(
    `\nautocannon's latencies are whole milliseconds (its histogram truncates), and ${at} corrected for\n` +
      'coordinated omission; the raw column is every 2xx response time as measured, unrounded and uncorrected.',
  );
  console.log(`\n| Flywheel vs bare fastify | throughput | p99 ${at} |`);
  console.log('| --- | ---: | ---: |');
  for (const r of [sync, async]) {
    console.log(
      `| ${r.label} | ${fmt(r.rps / bare.rps, 2)}× | ${fmt(r.rateP99, 0)} ms vs ${fmt(bare.rateP99, 0)} ms |`,
    );
  }
  console.log('\nprediction log (rows the server added, against the 2xx answers it gave):');
  for (const l of logged) {
    console.log(
      `- ${l.mode}: ${l.logged.toLocaleString('en-US')} logged, ${l.answered.toLocaleString('en-US')} answered`,
    );
  }
  console.log(
    `\nbatch: flywheel predict scored ${batch.rows.toLocaleString('en-US')} rows (Parquet → Parquet) in ${fmt(batch.seconds, 2)} s: ${fmt(batch.rowsPerSecond, 0)} rows/s`,
  );
  for (const w of batch.warnings) console.log(`  (${w})`);
  const bars = [
    ['throughput with sync logging at least 0.6× bare fastify', sync.rps / bare.rps >= 0.6],
    [`p99 under 5 ms ${at} (sync logging)`, sync.rateP99 < 5],
    ['no failed requests', results.every((r) => r.failed === 0)],
    ['every answered prediction is in the log', logged.every((l) => l.logged >= l.answered)],
  ];
  console.log('\nbars:');
  for (const [bar, ok] of bars) console.log(`- ${ok ? 'met' : 'MISSED'}: ${bar}`);
  console.log(
    `\nNode ${process.version}, ${availableParallelism()} cores, load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
