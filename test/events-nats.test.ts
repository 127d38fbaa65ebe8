/**
 * Events from NATS JetStream into the online store, against a real server
 * (FLYWHEEL_TEST_NATS_URL, default nats://127.0.0.1:4222) and a real SQLite
 * store: every payload shape is stored, a repeated event is stored once, a
 * poison message is terminated while the next ones flow, and a restarted
 * durable consumer picks up what was published while it was away. Each run
 * uses its own streams and subjects and deletes them after. An unreachable
 * server skips the suite with the reason.
 */
import { randomBytes } from 'node:crypto';
import {
  AckPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import { EmbeddedOnlineStore, OnlineFeatures, onlineDefinitions } from '../src/features/index.js';
import {
  consumeEvents,
  type NatsEventsBatch,
  type NatsEventsOptions,
  type NatsEventsTotals,
} from '../src/pipeline/index.js';
import { openStore, type Stores } from '../src/store/index.js';
import { sqliteHarness } from './fixtures/store/harness.js';

const NATS_URL = process.env['FLYWHEEL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** A connection with JetStream, or why there is none. */
async function probe(): Promise<
  { nc: NatsConnection; jsm: JetStreamManager } | { reason: string }
> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2_000, maxReconnectAttempts: 0 });
    try {
      return { nc, jsm: await jetstreamManager(nc) };
    } catch (err) {
      await nc.close();
      return { reason: `NATS at ${NATS_URL} has no JetStream (${(err as Error).message})` };
    }
  } catch (err) {
    return {
      reason: `NATS unreachable at ${NATS_URL} (${(err as Error).message}); set FLYWHEEL_TEST_NATS_URL to test against another server`,
    };
  }
}

const nats = await probe();
const skipReason = 'reason' in nats ? nats.reason : undefined;
if (skipReason !== undefined) console.warn(`events-nats.test.ts skipped: ${skipReason}`);

const RUN = randomBytes(4).toString('hex');
const T0 = Date.parse('2025-03-01T08:00:00Z');
const MINUTE = 60_000;

const departure = (id: string, origin: string, minutes: number, delay: unknown) => ({
  event_id: id,
  origin,
  departed_at: new Date(T0 + minutes * MINUTE).toISOString(),
  delay,
});

describe.skipIf(skipReason !== undefined)('events from NATS JetStream', () => {
  const { nc, jsm } = nats as { nc: NatsConnection; jsm: JetStreamManager };
  let js: JetStreamClient;
  const sqlite = sqliteHarness();
  const opened: Stores[] = [];
  const streams: string[] = [];

  /** A stream name and a subject prefix of this run, for one test. */
  const names = (tag: string) => {
    const stream = `FW_TEST_${RUN}_${tag}`;
    streams.push(stream);
    return { stream, prefix: `fwtest.${RUN}.${tag}` };
  };

  async function openFeatures(stores?: Stores): Promise<OnlineFeatures> {
    if (stores === undefined) {
      stores = await openStore(await sqlite.fresh());
      opened.push(stores);
    }
    return new OnlineFeatures(
      new EmbeddedOnlineStore(stores.metadata),
      onlineDefinitions(
        {
          d: {
            events: 'departures',
            key: 'origin',
            aggregate: 'mean',
            column: 'delay',
            window: '2h',
          },
        },
        { departures: { source: 'x', key: 'origin', time: 'departed_at', id: 'event_id' } },
      ),
    );
  }

  /** A running listener: what it reported, and how to stop it. */
  function listen(
    features: OnlineFeatures,
    options: Omit<NatsEventsOptions, 'servers' | 'signal'>,
  ) {
    const abort = new AbortController();
    const batches: NatsEventsBatch[] = [];
    const rejected: { reason: string; subject: string }[] = [];
    let onReady!: () => void;
    const ready = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    const done = consumeEvents(features, {
      servers: NATS_URL,
      signal: abort.signal,
      ...options,
      onReady,
      onReport: (r) => batches.push(r),
      onRejected: (reason, subject) => rejected.push({ reason, subject }),
    });
    done.catch(() => {});
    const sum = (k: 'acked' | 'rejected' | 'retried' | 'messages') =>
      batches.reduce((s, b) => s + b[k], 0);
    return {
      batches,
      rejected,
      sum,
      ready: Promise.race([ready, done.then(() => undefined)]),
      /** Waits until `n` messages were settled (acked or rejected). */
      settled: (n: number) =>
        vi.waitFor(() => expect(sum('acked') + sum('rejected')).toBeGreaterThanOrEqual(n), {
          timeout: 5_000,
          interval: 20,
        }),
      stop: (): Promise<NatsEventsTotals> => {
        abort.abort();
        return done;
      },
    };
  }

  const publish = (subject: string, payload: unknown) =>
    js.publish(subject, typeof payload === 'string' ? payload : JSON.stringify(payload));

  const meanDelay = async (features: OnlineFeatures, origin: string) =>
    (await features.lookup(features.definitions.features, { origin }, T0 + 60 * MINUTE)).values[
      'd'
    ];

  beforeAll(() => {
    js = jsm.jetstream();
  });

  afterAll(async () => {
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
    await nc.drain();
    await Promise.all(opened.map((s) => s.close()));
    await sqlite.cleanup();
  });

  it('stores one event, an array of events and a {table, events} envelope', async () => {
    const features = await openFeatures();
    const { stream, prefix } = names('shapes');
    const listener = listen(features, { stream, subject: `${prefix}.*` });
    await listener.ready;
    await publish(`${prefix}.departures`, departure('a1', 'SFO', 1, 10));
    await publish(`${prefix}.departures`, [
      departure('a2', 'SFO', 2, 20),
      departure('a3', 'SFO', 3, 30),
    ]);
    // The envelope names its table: the subject's last token does not matter.
    await publish(`${prefix}.mixed`, {
      table: 'departures',
      events: [departure('a4', 'SFO', 4, 40), departure('a5', 'JFK', 5, 7)],
    });
    await publish(`${prefix}.departures`, { events: [] });
    await listener.settled(4);
    const totals = await listener.stop();

    expect(totals).toMatchObject({ messages: 4, acked: 4, rejected: 0, retried: 0, events: 5 });
    expect(totals.added).toBe(5);
    expect(await meanDelay(features, 'SFO')).toBe(25);
    expect(await meanDelay(features, 'JFK')).toBe(7);
    const info = await jsm.consumers.info(stream, `${prefix.replaceAll('.', '-')}-any`);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('stores an event published twice once, and counts the duplicate', async () => {
    const features = await openFeatures();
    const { stream, prefix } = names('dupes');
    const listener = listen(features, { stream, subject: `${prefix}.departures` });
    await listener.ready;
    const event = departure('b1', 'SFO', 1, 12);
    await publish(`${prefix}.departures`, event);
    await publish(`${prefix}.departures`, [event]);
    await listener.settled(2);
    const totals = await listener.stop();

    expect(totals).toMatchObject({ acked: 2, added: 1, duplicates: 1 });
    const stored = await opened
      .at(-1)!
      .metadata.listFeatureEvents('departures', { from: T0, to: T0 + 60 * MINUTE, limit: 10 });
    expect(stored.map((e) => e.id)).toEqual(['b1']);
  });

  it('terminates a poison message, says why without its values, and keeps the others flowing', async () => {
    const features = await openFeatures();
    const { stream, prefix } = names('poison');
    const subject = `${prefix}.departures`;
    await jsm.streams.add({ name: stream, subjects: [subject] });
    // Published before the listener starts, so they arrive in one group.
    await publish(subject, '{"origin": "SECRET-1", not json');
    await publish(subject, departure('c1', 'SFO', 1, 'SECRET-2'));
    await publish(subject, { table: 'SECRET-3', events: [departure('c2', 'SFO', 2, 5)] });
    await publish(subject, departure('c3', 'SFO', 3, 10));
    await publish(subject, [departure('c4', 'SFO', 4, 20)]);
    const listener = listen(features, { stream, subject, durable: 'poison' });
    await listener.ready;
    await listener.settled(5);
    await publish(subject, departure('c5', 'SFO', 5, 30));
    await listener.settled(6);
    const totals = await listener.stop();

    expect(totals).toMatchObject({ messages: 6, acked: 3, rejected: 3, retried: 0, added: 3 });
    expect(await meanDelay(features, 'SFO')).toBe(20);
    expect(listener.rejected.map((r) => r.subject)).toEqual([subject, subject, subject]);
    const reasons = listener.rejected.map((r) => r.reason);
    expect(reasons.some((r) => r.includes('not valid JSON'))).toBe(true);
    expect(reasons.some((r) => /EVENTS_INVALID|problem\(s\)/.test(r) && r.includes('delay'))).toBe(
      true,
    );
    expect(reasons.some((r) => r.includes('"table" names no event table'))).toBe(true);
    for (const reason of reasons) expect(reason).not.toMatch(/SECRET/);
    // Terminated, not left for redelivery.
    const info = await jsm.consumers.info(stream, 'poison');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('picks up, after a restart with the same durable name, what was published while stopped', async () => {
    const features = await openFeatures();
    const { stream, prefix } = names('restart');
    const subject = `${prefix}.departures`;
    const options = { stream, subject, durable: 'restart' };

    const first = listen(features, options);
    await first.ready;
    await publish(subject, departure('d1', 'SFO', 1, 10));
    await publish(subject, departure('d2', 'SFO', 2, 20));
    await first.settled(2);
    expect(await first.stop()).toMatchObject({ messages: 2, acked: 2, added: 2 });

    await publish(subject, departure('d3', 'SFO', 3, 30));
    await publish(subject, [departure('d4', 'SFO', 4, 40), departure('d1', 'SFO', 1, 10)]);
    const second = listen(features, options);
    await second.ready;
    await second.settled(2);
    const totals = await second.stop();

    // Only the two new messages came back: nothing acked before was redelivered.
    expect(totals).toMatchObject({ messages: 2, acked: 2, added: 2, duplicates: 1 });
    expect(await meanDelay(features, 'SFO')).toBe(25);
    const info = await jsm.consumers.info(stream, 'restart');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('naks what the store could not take, and stores it when redelivered', async () => {
    const location = await sqlite.fresh();
    const broken = await openStore(location);
    const failing = await openFeatures(broken);
    await broken.close();
    const { stream, prefix } = names('retry');
    const subject = `${prefix}.departures`;
    const options = { stream, subject, durable: 'retry' };

    const first = listen(failing, options);
    await first.ready;
    await publish(subject, departure('e1', 'SFO', 1, 10));
    await vi.waitFor(() => expect(first.sum('retried')).toBeGreaterThanOrEqual(1), {
      timeout: 5_000,
      interval: 20,
    });
    expect(await first.stop()).toMatchObject({ acked: 0, rejected: 0 });
    expect(first.batches[0]?.retryReason).toBeTruthy();

    const healed = await openStore(location);
    opened.push(healed);
    const features = await openFeatures(healed);
    const second = listen(features, options);
    await second.ready;
    await second.settled(1);
    expect(await second.stop()).toMatchObject({ acked: 1, added: 1, rejected: 0 });
    expect(await meanDelay(features, 'SFO')).toBe(10);
    const info = await jsm.consumers.info(stream, 'retry');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('refuses a subject another stream captures, and a durable that reads another subject', async () => {
    const features = await openFeatures();
    const { stream: owner, prefix } = names('owner');
    const { stream: other } = names('other');
    await jsm.streams.add({ name: owner, subjects: [`${prefix}.>`] });
    const clash = consumeEvents(features, {
      servers: NATS_URL,
      stream: other,
      subject: `${prefix}.departures`,
    });
    await expect(clash).rejects.toThrow(FlywheelError);
    await expect(clash).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(clash).rejects.toThrow(new RegExp(`captured by stream "${owner}"`));

    await jsm.consumers.add(owner, {
      durable_name: 'taken',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${prefix}.arrivals`,
    });
    await expect(
      consumeEvents(features, {
        servers: NATS_URL,
        stream: owner,
        subject: `${prefix}.departures`,
        durable: 'taken',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('says which server it cannot reach', async () => {
    const features = await openFeatures();
    await expect(
      consumeEvents(features, {
        servers: 'nats://ann:s3cret@127.0.0.1:1',
        stream: 'X',
        subject: 'x.departures',
      }),
    ).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/^cannot reach NATS at nats:\/\/ann:\*\*\*@127\.0\.0\.1:1: /),
    });
  });
});
