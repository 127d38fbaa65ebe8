#!/usr/bin/env node
// bench:stream — streaming scoring and replicas, on loopback, against the
// NATS JetStream and PostgreSQL servers of this machine.
//
// 1. Streaming: MESSAGES single-row requests are published to a fresh
//    stream; `flywheel stream` (a child process) scores them, logs each
//    prediction with its answer record in the store, publishes the answer
//    with its message id and acks. Timed from its `ready` line to the last
//    answer, on the SQLite and on the PostgreSQL store. The peer, in this
//    process: a bare JetStream consumer that, as messages arrive, publishes
//    a constant answer with the message id and acks it (256 in flight), with
//    no scoring and no store: what NATS itself costs.
// 2. Replicas: `flywheel serve` on the PostgreSQL store, one process against
//    three, single-row predictions by autocannon (closed loop, CONNECTIONS in
//    all, DURATION seconds; the prediction log in sync mode).
//
//   npm run bench:stream
//   BENCH_MESSAGES=50000 BENCH_DURATION=10 BENCH_CONNECTIONS=48 by default.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import pg from 'pg';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
const NATS_URL = process.env.FLYWHEEL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URLS = process.env.FLYWHEEL_TEST_PG_URL
  ? [process.env.FLYWHEEL_TEST_PG_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'flywheel.js');
const env = { ...process.env, CI: 'true', FLYWHEEL_STORE: '' };
const RUN = randomBytes(3).toString('hex');
const CITIES = ['Paris', 'Lyon', 'Nice'];

function flywheel(args, cwd) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flywheel ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/** A small binary project (x, city → y) trained into `store`. */
function makeProject(dir, store) {
  const lines = ['id,t,x,city,y'];
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 3000; i++) {
    const x = Math.round(rand() * 10_000) / 1000;
    const city = CITIES[i % 3];
    const z = 0.9 * x - 6.5 + (city === 'Paris' ? 1.5 : 0) + (rand() - 0.5);
    const y = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    lines.push(`${i},2024-01-${String(1 + (i % 10)).padStart(2, '0')} 10:00:00,${x},${city},${y}`);
  }
  writeFileSync(path.join(dir, 'data.csv'), `${lines.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'flywheel.yaml'),
    `version: 1
name: bench_stream
task: binary
target: { column: y, positive: y > 0 }
event_time: t
features: { exclude: [id] }
data: { sources: { main: { path: data.csv } } }
split:
  method: time
  train: { until: 2024-01-05 }
  validation: { from: 2024-01-05, until: 2024-01-08 }
  test: { from: 2024-01-08 }
business: { decision: act, costs: { tp: 0, fp: 1, fn: 4, tn: 0 } }
acceptance: { metrics: { roc_auc: { min: 0.7 } } }
models: { ladder: [prior, linear] }
evaluation: { resamples: 50 }
checks: { learning_curve: false, label_issues: false }
`,
  );
  const run = JSON.parse(flywheel(['run', '--store', store, '--json'], dir));
  if (!run.blessed) throw new Error('the bench model was not blessed');
}

async function freshDatabase() {
  for (const url of PG_URLS) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const name = `flywheel_bench_${RUN}`;
      await client.query(`create database ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return {
        url: u.toString(),
        drop: async () => {
          await client.query(`drop database if exists ${name} with (force)`);
          await client.end();
        },
      };
    } catch {
      await client.end().catch(() => {});
    }
  }
  return undefined;
}

const rowOf = (i) => JSON.stringify({ x: (i % 1000) / 100, city: CITIES[i % 3] });

async function publishRequests(nc, stream, subject) {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const js = jetstream(nc);
  for (let start = 0; start < MESSAGES; start += 2000) {
    const acks = [];
    for (let i = start; i < Math.min(MESSAGES, start + 2000); i++) {
      acks.push(js.publish(subject, rowOf(i), { msgID: `m${i}` }));
    }
    await Promise.all(acks);
  }
}

/** `flywheel stream` over MESSAGES requests: messages/s from ready to the last answer. */
async function benchFlywheel(nc, dir, store, label) {
  const tag = `${RUN}${label}`;
  const [stream, subject, out] = [`BREQ_${tag}`, `bench.${tag}.req`, `bench.${tag}.out`];
  await publishRequests(nc, stream, subject);
  const child = spawn(
    process.execPath,
    [
      bin,
      'stream',
      '--model',
      'bench_stream@champion',
      '--in',
      subject,
      '--out',
      out,
      '--stream',
      stream,
      '--out-stream',
      `BOUT_${tag}`,
      '--nats',
      NATS_URL,
      '--spec',
      dir,
      '--store',
      store,
      '--json',
    ],
    { cwd: dir, env },
  );
  let ready;
  let answered = 0;
  let pending = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const finished = new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`flywheel stream exited ${code}\n${err}`)));
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const e = JSON.parse(line);
        if (e.type === 'ready') ready = performance.now();
        if (e.type === 'batch') answered += e.answered;
        if (answered >= MESSAGES) resolve(performance.now());
      }
    });
  });
  const end = await finished;
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  const jsm = await jetstreamManager(nc);
  for (const s of [stream, `BOUT_${tag}`]) await jsm.streams.delete(s).catch(() => {});
  return MESSAGES / ((end - ready) / 1000);
}

/** The floor: pull, publish a constant answer with the id, ack; no scoring, no store. */
async function benchBare(nc) {
  const tag = `${RUN}bare`;
  const [stream, subject, out] = [`BREQ_${tag}`, `bench.${tag}.req`, `bench.${tag}.out`];
  await publishRequests(nc, stream, subject);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `BOUT_${tag}`, subjects: [out] });
  await jsm.consumers.add(stream, { durable_name: 'bare', ack_policy: AckPolicy.Explicit });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, 'bare');
  const start = performance.now();
  let done = 0;
  // As messages arrive: publish the answer with the request's id, ack once JetStream has it.
  const messages = await consumer.consume({ max_messages: 1024 });
  const inFlight = new Set();
  for await (const m of messages) {
    const p = js
      .publish(out, '{"score":0.5}', { msgID: m.headers?.get('Nats-Msg-Id') })
      .then(() => m.ack())
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 256) await Promise.race(inFlight);
    done++;
    if (done >= MESSAGES) break;
  }
  await Promise.all(inFlight);
  await messages.close();
  const seconds = (performance.now() - start) / 1000;
  for (const s of [stream, `BOUT_${tag}`]) await jsm.streams.delete(s).catch(() => {});
  return MESSAGES / seconds;
}

function startServe(dir, store) {
  const child = spawn(
    process.execPath,
    [bin, 'serve', dir, '--auth', 'off', '--port', '0', '--store', store, '--controller'],
    { cwd: dir, env },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

async function hammer(urls) {
  const per = Math.max(1, Math.round(CONNECTIONS / urls.length));
  const body = JSON.stringify({ rows: [{ x: 4.2, city: 'Paris' }] });
  const runs = urls.map(
    (url) =>
      new Promise((resolve, reject) =>
        autocannon(
          {
            url: `${url}/v1/models/bench_stream/predict`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            connections: per,
            duration: DURATION,
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        ),
      ),
  );
  const results = await Promise.all(runs);
  const errors = results.reduce((s, r) => s + r.errors + r.non2xx, 0);
  if (errors > 0) throw new Error(`${errors} failed requests`);
  return results.reduce((s, r) => s + r.requests.average, 0);
}

async function benchReplicas(dir, store, count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startServe(dir, store));
    await hammer(servers.map((s) => s.url)); // warm-up
    return await hammer(servers.map((s) => s.url));
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const nc = await connect({ servers: NATS_URL, timeout: 3000, maxReconnectAttempts: 0 }).catch(
  (err) => {
    console.error(`bench:stream needs NATS JetStream at ${NATS_URL}: ${err.message}`);
    process.exit(2);
  },
);
const database = await freshDatabase();
if (database === undefined) {
  console.error('bench:stream needs PostgreSQL (set FLYWHEEL_TEST_PG_URL)');
  process.exit(2);
}
const root = mkdtempSync(path.join(tmpdir(), 'flywheel-bench-stream-'));
try {
  console.error(`machine: ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}`);
  const sqliteDir = path.join(root, 'sqlite');
  const pgDir = path.join(root, 'pg');
  for (const d of [sqliteDir, pgDir]) spawnSync('mkdir', ['-p', d]);
  const sqliteStore = `sqlite:${path.join(sqliteDir, '.flywheel', 'flywheel.db')}`;
  makeProject(sqliteDir, sqliteStore);
  makeProject(pgDir, database.url);
  console.error(`streaming ${fmt(MESSAGES)} requests …`);
  const bare = await benchBare(nc);
  const sqlite = await benchFlywheel(nc, sqliteDir, sqliteStore, 'sqlite');
  const postgres = await benchFlywheel(nc, pgDir, database.url, 'pg');
  console.error('replicas …');
  const one = await benchReplicas(pgDir, database.url, 1);
  const three = await benchReplicas(pgDir, database.url, 3);
  console.log(
    `\n| streaming (${fmt(MESSAGES)} single-row requests) | messages/s | vs bare JetStream |`,
  );
  console.log('| --- | ---: | ---: |');
  console.log(
    `| bare JetStream consumer (publish the answer, ack; 256 in flight; no scoring, no store) | ${fmt(bare)} | 1.00× |`,
  );
  console.log(
    `| flywheel stream, SQLite store | ${fmt(sqlite)} | ${(sqlite / bare).toFixed(2)}× |`,
  );
  console.log(
    `| flywheel stream, PostgreSQL store | ${fmt(postgres)} | ${(postgres / bare).toFixed(2)}× |`,
  );
  console.log(
    `\n| flywheel serve on PostgreSQL (${CONNECTIONS} connections, ${DURATION} s, sync log) | requests/s | vs one |`,
  );
  console.log('| --- | ---: | ---: |');
  console.log(`| one replica | ${fmt(one)} | 1.00× |`);
  console.log(
    `| three replicas (${Math.round(CONNECTIONS / 3)} connections each) | ${fmt(three)} | ${(three / one).toFixed(2)}× |`,
  );
  console.log(`\n${availableParallelism()} cores; the load generator runs on the same machine.`);
} finally {
  await nc.close();
  await database.drop();
  rmSync(root, { recursive: true, force: true });
}
