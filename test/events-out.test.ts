/**
 * Prediction, feedback and deployment events on NATS JetStream, against a
 * real server: each logged prediction, stored label and alias move is
 * published once on its subject with the documented fields; a second copy
 * is dropped by its message id; a restarted deployment publisher resumes
 * after the last move the stream holds. An unreachable server skips the
 * suite with the reason.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFeedback } from '../src/feedback/index.js';
import {
  type DeploymentEvent,
  type FeedbackEvent,
  NatsEventPublisher,
  type PredictionEvent,
  publishDeployments,
} from '../src/pipeline/index.js';
import { ModelRegistry } from '../src/registry/index.js';
import { PredictionLogger, RegistryModelHost } from '../src/serve/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../src/store/index.js';
import { canaryCsv, canaryRows, canarySpec } from './fixtures/canary-project.js';
import { flywheelJson } from './fixtures/data-projects.js';
import { NATS_URL, probeNats } from './fixtures/nats.js';
import { writeProject } from './fixtures/project.js';
import { startServeProcess, stopServers } from './fixtures/serve-process.js';

const MODEL = 'canary_project';

const nats = await probeNats();
const skipReason = typeof nats === 'string' ? nats : undefined;
if (skipReason !== undefined) console.warn(`events-out.test.ts skipped: ${skipReason}`);

const RUN = randomBytes(4).toString('hex');
const PREFIX = `fwt${RUN}`;
const STREAM = `FWT_EVENTS_${RUN}`;
let stores: Stores;
let dir: string;

/** Every message on `subject` in the stream, decoded. */
async function read<T>(subject: string, expected: number): Promise<T[]> {
  const js = jetstream(nats as NatsConnection);
  const reader = await js.consumers.get(STREAM, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.All,
  });
  const out: T[] = [];
  if (expected === 0) return out;
  for await (const m of await reader.fetch({ max_messages: expected, expires: 5_000 })) {
    out.push(m.json<T>());
    if (out.length === expected) break;
  }
  return out;
}

async function counts(): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(nats as NatsConnection);
  const info = await jsm.streams.info(STREAM, { subjects_filter: '>' });
  return info.state.subjects ?? {};
}

beforeAll(async () => {
  if (skipReason !== undefined) return;
  dir = writeProject(canarySpec(), { 'data.csv': canaryCsv() });
  expect(flywheelJson<{ blessed: boolean }>(['run'], dir).blessed).toBe(true);
  stores = await openStore(resolveStoreLocation({ specDir: dir, env: {} }));
}, 120_000);

afterAll(async () => {
  if (skipReason !== undefined) return;
  const jsm = await jetstreamManager(nats as NatsConnection);
  await jsm.streams.delete(STREAM).catch(() => {});
  await (nats as NatsConnection).close();
  await stores?.close();
});

describe.skipIf(skipReason !== undefined)('events on NATS JetStream', () => {
  it('publishes predictions, labels and alias moves once each, and resumes deployments', async () => {
    const events = await NatsEventPublisher.open({
      servers: NATS_URL,
      stream: STREAM,
      prefix: PREFIX,
    });
    const logger = new PredictionLogger(stores.metadata, {
      onCommitted: (rows) => events.predictions(rows),
    });
    const host = await RegistryModelHost.open(new ModelRegistry(stores), {
      logger,
      models: [MODEL],
      pollIntervalMs: 0,
    });
    const rows = canaryRows(20, 5).map(({ x, city }) => ({ x, city }));
    const answer = await host.predict(MODEL, { rows, requestId: 'r1' });
    if (!answer.ok) throw new Error('predict failed');
    const ids = answer.rows.map((r) => r.predictionId);
    await ingestFeedback(
      stores,
      ids.slice(0, 8).map((id) => ({ prediction_id: id, label: 1 })),
      { source: 'ops', onStored: (labels) => events.feedback(labels) },
    );
    // The same labels again: stored once, and the second events are dropped by id.
    await ingestFeedback(
      stores,
      ids.slice(0, 8).map((id) => ({ prediction_id: id, label: 1 })),
      { source: 'ops', onStored: (labels) => events.feedback(labels) },
    );
    const stop = new AbortController();
    const publishing = publishDeployments(stores, events, { intervalMs: 50, signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    await publishing;
    await host.close();
    await events.close();

    const subjects = await counts();
    expect(subjects[`${PREFIX}.predictions.${MODEL}`]).toBe(20);
    expect(subjects[`${PREFIX}.feedback.${MODEL}`]).toBe(8);
    const moves = await stores.metadata.listAliasMoves({ name: MODEL });
    expect(moves.length).toBeGreaterThan(0);
    expect(subjects[`${PREFIX}.deployments.${MODEL}`]).toBe(moves.length);

    const predictions = await read<PredictionEvent>(`${PREFIX}.predictions.${MODEL}`, 20);
    expect(new Set(predictions.map((p) => p.id))).toEqual(new Set(ids));
    expect(predictions[0]).toMatchObject({
      type: 'prediction',
      model: MODEL,
      model_version: `${MODEL}@1`,
      route: 'champion',
    });
    expect(typeof predictions[0]!.score).toBe('number');
    const labels = await read<FeedbackEvent>(`${PREFIX}.feedback.${MODEL}`, 8);
    expect(labels[0]).toMatchObject({ type: 'feedback', source: 'ops', label: 1 });
    const deployments = await read<DeploymentEvent>(`${PREFIX}.deployments.${MODEL}`, moves.length);
    expect(deployments.map((d) => d.id)).toEqual(moves.map((m) => m.id));
    expect(deployments[0]).toMatchObject({ type: 'deployment', model: MODEL, alias: 'champion' });

    // A new leader resumes after the last move the stream holds: a later move is published, once.
    const registry = new ModelRegistry(stores);
    await registry.removeAlias({
      name: MODEL,
      alias: 'champion',
      actor: 'test',
      reason: 'retired',
    });
    const next = await NatsEventPublisher.open({
      servers: NATS_URL,
      stream: STREAM,
      prefix: PREFIX,
    });
    const again = new AbortController();
    const resumed = publishDeployments(stores, next, { intervalMs: 50, signal: again.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    again.abort();
    await resumed;
    await next.close();
    expect((await counts())[`${PREFIX}.deployments.${MODEL}`]).toBe(moves.length + 1);
  }, 60_000);

  it('flywheel serve --events-nats publishes what it serves and stores, and counts it in /metrics', async () => {
    const registry = new ModelRegistry(stores);
    await registry.moveAlias({
      name: MODEL,
      alias: 'champion',
      version: 1,
      actor: 'test',
      reason: 'serve again',
    });
    const server = await startServeProcess(
      [
        path.resolve('bin/flywheel.js'),
        'serve',
        dir,
        '--auth',
        'off',
        '--controller',
        '--events-nats',
        NATS_URL,
        '--events-stream',
        STREAM,
        '--events-prefix',
        `${PREFIX}s`,
      ],
      { cwd: dir, env: { ...process.env, CI: 'true', FLYWHEEL_STORE: '' } },
    );
    try {
      const predict = await fetch(`${server.url}/v1/models/${MODEL}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rows: canaryRows(5, 9).map(({ x, city }) => ({ x, city })) }),
      });
      expect(predict.status).toBe(200);
      const ids = (
        (await predict.json()) as { predictions: { prediction_id: string }[] }
      ).predictions.map((p) => p.prediction_id);
      const feedback = await fetch(`${server.url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ labels: ids.map((id) => ({ prediction_id: id, label: 0 })) }),
      });
      expect(feedback.status).toBe(200);
      const moves = await stores.metadata.listAliasMoves({ name: MODEL });
      const want = {
        [`${PREFIX}s.predictions.${MODEL}`]: 5,
        [`${PREFIX}s.feedback.${MODEL}`]: 5,
        [`${PREFIX}s.deployments.${MODEL}`]: moves.length,
      };
      const start = Date.now();
      let got: Record<string, number> = {};
      while (Date.now() - start < 10_000) {
        got = await counts();
        if (Object.entries(want).every(([k, v]) => got[k] === v)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const [k, v] of Object.entries(want)) expect(got[k], k).toBe(v);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/flywheel_events_published\{outcome="published"\} [1-9]/);
    } finally {
      await stopServers('SIGTERM');
    }
  }, 60_000);
});
