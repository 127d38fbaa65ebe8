/**
 * `flywheel stream` against the real NATS JetStream and PostgreSQL servers:
 * 100,000 scoring requests with the consumer SIGKILLed half-way and started
 * again; every request is scored and logged exactly once and answered
 * exactly once on the output subject, and poison messages land on the
 * dead-letter subject with their reason while the rest flow on. Each run
 * uses its own streams, subjects and database and removes them after; an
 * unreachable server skips the suite with the reason.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeFeedback } from '../src/pipeline/index.js';
import { openStore, type Stores } from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec } from './fixtures/canary-project.js';
import { flywheelJson } from './fixtures/data-projects.js';
import { NATS_URL, probeNats } from './fixtures/nats.js';
import { writeProject } from './fixtures/project.js';
import { postgresHarness, type StoreHarness } from './fixtures/store/harness.js';

const MODEL = 'canary_project';
const TOTAL = 100_000;
/** Positions of the poison messages among the requests. */
const POISON = new Map<number, string>([
  [1_000, '{"x": 1.5, "city": '], // not JSON
  [50_000, JSON.stringify({ x: 'high', city: 'Paris' })], // x is not a number
  [75_000, JSON.stringify(Array.from({ length: 1001 }, () => ({ x: 1, city: 'Paris' })))], // too many rows
  [99_999, JSON.stringify([])], // no rows
]);

const nats = await probeNats();
const pg: StoreHarness = await postgresHarness();
const skipReason =
  typeof nats === 'string' ? nats : pg.skipReason !== undefined ? pg.skipReason : undefined;
if (skipReason !== undefined) console.warn(`stream-nats.test.ts skipped: ${skipReason}`);

const RUN = randomBytes(4).toString('hex');
const IN = `fwtest.${RUN}.requests`;
const OUT = `fwtest.${RUN}.predictions`;
const DEAD = `fwtest.${RUN}.dead`;
const IN_STREAM = `FWT_REQ_${RUN}`;
const OUT_STREAM = `FWT_OUT_${RUN}`;
const bin = path.resolve('bin/flywheel.js');

let dir: string;
let storeUrl: string;
let stores: Stores;
/** Prediction ids the stream published (for the labels test). */
let answeredIds: string[] = [];

interface Consumer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  answered(): number;
  stderr(): string;
}

function startConsumer(): Consumer {
  const child = spawn(
    process.execPath,
    [
      bin,
      'stream',
      '--model',
      `${MODEL}@champion`,
      '--in',
      IN,
      '--out',
      OUT,
      '--dead-letter',
      DEAD,
      '--stream',
      IN_STREAM,
      '--out-stream',
      OUT_STREAM,
      '--nats',
      NATS_URL,
      '--spec',
      dir,
      '--store',
      storeUrl,
      '--json',
    ],
    { cwd: dir, env: { ...process.env, CI: 'true', FLYWHEEL_STORE: '' } },
  );
  let answered = 0;
  let pending = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue; // only JSON lines count; anything else shows in stderr()
      const event = JSON.parse(line) as { type: string; answered?: number };
      if (event.type === 'batch') answered += event.answered ?? 0;
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, answered: () => answered, stderr: () => err };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  if (skipReason !== undefined) return;
  const location = await pg.fresh();
  if (location.kind !== 'postgres') throw new Error('expected a PostgreSQL location');
  storeUrl = location.url;
  dir = writeProject(canarySpec(), { 'data.csv': canaryCsv() });
  expect(flywheelJson<{ blessed: boolean }>(['run', '--store', storeUrl], dir).blessed).toBe(true);
  stores = await openStore({ ...location, artifactDir: path.join(dir, '.flywheel', 'artifacts') });
  const nc = nats as NatsConnection;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: IN_STREAM, subjects: [IN] });
  // The requests, each with its message id; the consumer is not running yet.
  const js = jetstream(nc);
  const rows = canaryRows(TOTAL, 7);
  for (let start = 0; start < TOTAL; start += 2_000) {
    const acks = [];
    for (let i = start; i < Math.min(TOTAL, start + 2_000); i++) {
      const { x, city } = rows[i]!;
      const body = POISON.get(i) ?? JSON.stringify({ x, city });
      acks.push(js.publish(IN, body, { msgID: `m${i}` }));
    }
    await Promise.all(acks);
  }
}, 240_000);

afterAll(async () => {
  if (skipReason !== undefined) return;
  const nc = nats as NatsConnection;
  const jsm = await jetstreamManager(nc);
  for (const name of [IN_STREAM, OUT_STREAM]) await jsm.streams.delete(name).catch(() => {});
  await nc.close();
  await stores?.close();
  await pg.cleanup();
});

describe.skipIf(skipReason !== undefined)('flywheel stream (NATS JetStream, PostgreSQL)', () => {
  it('scores 100k requests exactly once across a SIGKILL half-way, poison to the dead letters', async () => {
    const first = startConsumer();
    await until(
      () => first.answered() >= TOTAL / 2,
      180_000,
      `half the requests\n${first.stderr()}`,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const answeredBeforeKill = await stores.metadata.countStreamAnswers();

    const second = startConsumer();
    const jsm = await jetstreamManager(nats as NatsConnection);
    await until(
      async () => {
        const info = await jsm.consumers.info(IN_STREAM, IN.replace(/[^A-Za-z0-9_-]/g, '-'));
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      180_000,
      `the rest of the requests\n${second.stderr()}`,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const scorable = TOTAL - POISON.size;
    expect(answeredBeforeKill).toBeGreaterThanOrEqual(TOTAL / 2);
    // Logged once each: one answer per message, one prediction per request.
    expect(await stores.metadata.countStreamAnswers()).toBe(scorable);
    expect(await stores.metadata.countPredictions({ modelVersion: `${MODEL}@1` })).toBe(scorable);

    // Published once each: JetStream dropped the second copy of any answer sent again.
    const info = await jsm.streams.info(OUT_STREAM, { subjects_filter: '>' });
    expect(info.state.subjects?.[OUT]).toBe(scorable);
    expect(info.state.subjects?.[DEAD]).toBe(POISON.size);

    const js = jetstream(nats as NatsConnection);
    const reader = await js.consumers.get(OUT_STREAM, {
      filter_subjects: OUT,
      deliver_policy: DeliverPolicy.All,
    });
    const seen = new Set<string>();
    const ids = new Set<string>();
    const messages = await reader.fetch({ max_messages: scorable, expires: 30_000 });
    for await (const m of messages) {
      const answer = m.json<{ message_id: string; predictions: { prediction_id: string }[] }>();
      seen.add(answer.message_id);
      for (const p of answer.predictions) ids.add(p.prediction_id);
      if (seen.size === scorable) break;
    }
    expect(seen.size).toBe(scorable);
    expect(ids.size).toBe(scorable);
    answeredIds = [...ids];
    for (const i of POISON.keys()) expect(seen.has(`m${i}`)).toBe(false);

    const deadReader = await js.consumers.get(OUT_STREAM, {
      filter_subjects: DEAD,
      deliver_policy: DeliverPolicy.All,
    });
    const dead = new Map<string, string>();
    for await (const m of await deadReader.fetch({ max_messages: POISON.size, expires: 10_000 })) {
      const letter = m.json<{ message_id: string; reason: string }>();
      dead.set(letter.message_id, letter.reason);
      if (dead.size === POISON.size) break;
    }
    expect(dead.get('m1000')).toMatch(/not valid JSON/);
    expect(dead.get('m50000')).toMatch(/cannot score it: row 0, x/);
    expect(dead.get('m75000')).toMatch(/1001 rows; at most 1000 per message/);
    expect(dead.get('m99999')).toMatch(/at least one row/);
  }, 420_000);

  it('stores labels from a subject once, rejecting a malformed message', async () => {
    const LABELS = `fwtest.${RUN}.labels`;
    const LABEL_STREAM = `FWT_LAB_${RUN}`;
    const js = jetstream(nats as NatsConnection);
    const jsm = await jetstreamManager(nats as NatsConnection);
    await jsm.streams.add({ name: LABEL_STREAM, subjects: [LABELS] });
    try {
      const labelled = answeredIds.slice(0, 300);
      const batches = [labelled.slice(0, 100), labelled.slice(100, 300), labelled.slice(0, 50)];
      for (const b of batches) {
        await js.publish(
          LABELS,
          JSON.stringify({ labels: b.map((id) => ({ prediction_id: id, label: 1 })) }),
        );
      }
      await js.publish(LABELS, JSON.stringify([{ label: 1 }]));
      const stop = new AbortController();
      let messages = 0;
      const rejected: string[] = [];
      const done = consumeFeedback(stores, {
        servers: NATS_URL,
        stream: LABEL_STREAM,
        subject: LABELS,
        source: 'stream-test',
        signal: stop.signal,
        onReport: (r) => {
          messages += r.messages;
          if (messages >= 4) stop.abort();
        },
        onRejected: (reason) => rejected.push(reason),
      });
      const totals = await done;
      expect(totals.added).toBe(300);
      expect(totals.duplicates).toBe(50);
      expect(totals.rejected).toBe(1);
      expect(rejected[0]).toMatch(/label 0, prediction_id/);
      const info = await jsm.consumers.info(LABEL_STREAM, LABELS.replace(/[^A-Za-z0-9_-]/g, '-'));
      expect(info.num_ack_pending).toBe(0);
    } finally {
      await jsm.streams.delete(LABEL_STREAM).catch(() => {});
    }
  }, 60_000);

  it('refuses an answer subject equal to the requests subject', async () => {
    const r = spawn(process.execPath, [
      bin,
      'stream',
      '--model',
      `${MODEL}@champion`,
      '--in',
      IN,
      '--out',
      IN,
      '--spec',
      dir,
      '--store',
      storeUrl,
    ]);
    let err = '';
    r.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => r.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--out must differ from the requests' subject/);
  });
});
