/**
 * The JetStream plumbing every NATS reader of Flywheel shares (events into
 * the online store, scoring requests, feedback labels): connecting, making
 * sure the stream and the durable explicit-ack pull consumer exist (never
 * silently changing someone else's), and the pull loop that hands groups of
 * messages to a settle function, pausing after a failed group and ending on
 * an abort, a lost connection, or a deleted consumer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FlywheelError } from '../errors.js';
import { redactUrl } from '../store/index.js';

/** Where and how to read. */
export interface JetStreamReadOptions {
  /** NATS servers, comma-separated (`nats://127.0.0.1:4222`). */
  readonly servers: string;
  /** The JetStream stream capturing `subject`; created when missing. */
  readonly stream: string;
  /** The subject to read (wildcards allowed). */
  readonly subject: string;
  /** The durable consumer's name (default: derived from the subject). */
  readonly durable?: string;
  /** The connection's name, as the server lists it. */
  readonly name?: string;
}

/** An open connection with its consumer in place. */
export interface JetStreamSession {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly consumer: Consumer;
  readonly servers: string;
  readonly stream: string;
  readonly durable: string;
  /** What was done to the stream: created, extended with the subject, or used as it was. */
  readonly streamAction: 'created' | 'extended' | 'existing';
  /** Whether the server takes a reason with `term` (2.11+; older ones redeliver). */
  readonly termReason: boolean;
}

/** Settles a group of messages (ack, nak or term each); returns how long to wait before the next group. */
export type SettleGroup = (group: readonly JsMsg[]) => Promise<number>;

/** How long one pull request waits for messages before the next is sent. */
const PULL_EXPIRES_MS = 5_000;
/** The wait before pulling again after a failed pull. */
const PULL_RETRY_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_RETRY_DELAY_MS = 10_000;
/** JetStream API error codes the client does not name. */
const STREAM_NAME_IN_USE = 10058;
const SUBJECTS_OVERLAP = 10065;

/**
 * Connects and makes sure the stream and the durable consumer exist. Close
 * with `closeJetStream`.
 *
 * @example
 * const session = await openJetStream({ servers: 'nats://127.0.0.1:4222', stream: 'S', subject: 'in.>' });
 */
export async function openJetStream(options: JetStreamReadOptions): Promise<JetStreamSession> {
  checkSubject(options.subject);
  const durable = options.durable ?? defaultDurable(options.subject);
  checkName('stream', options.stream);
  checkName('durable consumer', durable);
  const nc = await connectNats(options.servers, options.name ?? 'flywheel');
  try {
    const jsm = await jetstreamManager(nc).catch((err: unknown) => {
      throw new FlywheelError(
        'STORE_UNAVAILABLE',
        `NATS at ${shownServers(options.servers)} has no JetStream: ${messageOf(err)}`,
        { cause: err, hint: 'start nats-server with JetStream enabled (nats-server -js)' },
      );
    });
    const streamAction = await ensureStream(jsm, options.stream, options.subject);
    await ensureConsumer(jsm, options.stream, durable, options.subject);
    const consumer = await jetstream(nc).consumers.get(options.stream, durable);
    return {
      nc,
      jsm,
      consumer,
      servers: options.servers,
      stream: options.stream,
      durable,
      streamAction,
      termReason: serverAtLeast(nc, 2, 11),
    };
  } catch (err) {
    await nc.close().catch(() => {});
    throw err;
  }
}

/** Drains the connection (what was published is flushed). */
export async function closeJetStream(session: JetStreamSession): Promise<void> {
  if (!session.nc.isClosed()) await session.nc.drain().catch(() => session.nc.close());
}

/**
 * Pulls groups of at most `batch` messages and settles each, until `signal`
 * aborts.
 *
 * @example
 * await pullGroups(session, 64, stop.signal, async (group) => { for (const m of group) m.ack(); return 0; });
 */
export async function pullGroups(
  session: JetStreamSession,
  batch: number,
  signal: AbortSignal | undefined,
  settle: SettleGroup,
): Promise<void> {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new FlywheelError('USAGE', 'the batch size must be a positive integer');
  }
  while (!signal?.aborted) await readOnePull(session, batch, signal, settle);
}

/** Terminates a message that can never be processed (with its reason where the server takes one). */
export function terminate(session: JetStreamSession, msg: JsMsg, reason: string): void {
  if (session.termReason) msg.term(reason);
  else msg.term();
}

/**
 * One pull request: its messages are grouped as they arrive (those already
 * buffered go together) and each group is settled before the next. An abort
 * ends the request at once; the messages already delivered are still
 * settled. (One the server sent in that instant reaches nobody and is
 * redelivered after the consumer's ack wait: late, never lost.)
 */
async function readOnePull(
  session: JetStreamSession,
  batch: number,
  signal: AbortSignal | undefined,
  settle: SettleGroup,
): Promise<void> {
  const { nc, consumer, servers } = session;
  let stopPull: (() => void) | undefined;
  try {
    const pulled = await consumer.fetch({ max_messages: batch, expires: PULL_EXPIRES_MS });
    stopPull = () => pulled.stop();
    signal?.addEventListener('abort', stopPull, { once: true });
    if (signal?.aborted) stopPull();
    const iterator = pulled[Symbol.asyncIterator]();
    for (;;) {
      const first = await iterator.next();
      if (first.done) break;
      const group = [first.value];
      while (group.length < batch && pulled.getPending() > 0) {
        const next = await iterator.next();
        if (next.done) break;
        group.push(next.value);
      }
      // After a store failure, wait before the next group rather than fail it at once.
      await pause(await settle(group), signal);
    }
  } catch (err) {
    if (nc.isClosed()) throw lostConnection(servers, err);
    await checkConsumer(consumer, err);
    await pause(PULL_RETRY_MS, signal);
    return;
  } finally {
    if (stopPull !== undefined) signal?.removeEventListener('abort', stopPull);
  }
  if (nc.isClosed() && !signal?.aborted) throw lostConnection(servers, await nc.closed());
}

/**
 * Makes sure `stream` captures `subject`: creates the stream when missing,
 * adds the subject to it when it exists without it, and refuses a subject
 * another stream already captures.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  retried = false,
): Promise<JetStreamSession['streamAction']> {
  try {
    const owners: string[] = await jsm.streams.names(subject).next();
    const others = owners.filter((s) => s !== stream);
    if (others.length > 0) {
      throw new FlywheelError(
        'CONFLICT',
        `subject "${subject}" is already captured by stream ${others.map((s) => `"${s}"`).join(', ')}, not "${stream}"`,
        { hint: `listen with --stream ${others[0]}, or choose another subject` },
      );
    }
    if (owners.length > 0) return 'existing';
    const info = await jsm.streams.info(stream).catch((err: unknown) => {
      if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return undefined;
      throw err;
    });
    if (info === undefined) {
      await jsm.streams.add({ name: stream, subjects: [subject] });
      return 'created';
    }
    await jsm.streams.update(stream, { subjects: [...(info.config.subjects ?? []), subject] });
    return 'extended';
  } catch (err) {
    // Another listener may have created the stream or taken the subject meanwhile: look again once.
    if (!retried && (isApiError(err, STREAM_NAME_IN_USE) || isApiError(err, SUBJECTS_OVERLAP))) {
      return ensureStream(jsm, stream, subject, true);
    }
    throw setupError(err, `set up stream "${stream}" for subject "${subject}"`);
  }
}

/** Makes sure the durable pull consumer exists and reads `subject` (it is never silently changed). */
async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  subject: string,
): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, durable).catch((err: unknown) => {
      if (isApiError(err, JetStreamApiCodes.ConsumerNotFound)) return undefined;
      throw err;
    });
    if (info === undefined) {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: subject,
      });
      return;
    }
    const { config } = info;
    const filters =
      config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []);
    const reads = filters.length === 1 && filters[0] === subject;
    if (!reads || config.deliver_subject || config.ack_policy !== AckPolicy.Explicit) {
      throw new FlywheelError(
        'CONFLICT',
        `consumer "${durable}" on stream "${stream}" exists but is not an explicit-ack pull consumer of "${subject}" (it reads ${filters.map((f) => `"${f}"`).join(', ') || 'the whole stream'})`,
        { hint: 'give another --durable name, or delete that consumer' },
      );
    }
  } catch (err) {
    throw setupError(err, `set up consumer "${durable}" on stream "${stream}"`);
  }
}

/** After a failed pull: a consumer or stream that is gone ends consuming; anything else is retried. */
async function checkConsumer(consumer: Consumer, cause: unknown): Promise<void> {
  try {
    await consumer.info();
  } catch (err) {
    if (
      isApiError(err, JetStreamApiCodes.ConsumerNotFound) ||
      isApiError(err, JetStreamApiCodes.StreamNotFound)
    ) {
      throw new FlywheelError(
        'NOT_FOUND',
        `the NATS consumer or its stream was deleted while listening: ${messageOf(err)}`,
        { cause },
      );
    }
  }
}

async function connectNats(servers: string, name: string): Promise<NatsConnection> {
  const list = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new FlywheelError('USAGE', 'name the NATS server(s) to read from');
  try {
    return await connect({ servers: list, name, timeout: CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new FlywheelError(
      'STORE_UNAVAILABLE',
      `cannot reach NATS at ${shownServers(servers)}: ${messageOf(err)}`,
      { cause: err, hint: 'check the --nats address and that nats-server is running' },
    );
  }
}

function lostConnection(servers: string, cause: unknown): FlywheelError {
  return new FlywheelError(
    'STORE_UNAVAILABLE',
    `lost the connection to NATS at ${shownServers(servers)}${cause instanceof Error ? `: ${cause.message}` : ''}`,
    { cause },
  );
}

/** A setup failure as a FlywheelError: a refusal is a config error, the rest unavailability. */
function setupError(err: unknown, action: string): FlywheelError {
  if (err instanceof FlywheelError) return err;
  if (err instanceof JetStreamApiError) {
    return new FlywheelError('STORE_CONFIG', `NATS refused to ${action}: ${err.message}`, {
      cause: err,
    });
  }
  return new FlywheelError('STORE_UNAVAILABLE', `cannot ${action}: ${messageOf(err)}`, {
    cause: err,
  });
}

/** Stream and consumer names: no dots, wildcards, slashes or spaces (as the nats CLI checks). */
export function checkName(kind: string, name: string): void {
  if (!/^[^.*>/\\\s]{1,255}$/.test(name)) {
    throw new FlywheelError(
      'USAGE',
      `the ${kind} name must be 1 to 255 characters without ".", "*", ">", slashes or spaces`,
    );
  }
}

export function checkSubject(subject: string): void {
  const tokens = subject.split('.');
  const bad =
    /\s/.test(subject) ||
    tokens.some((t) => t.length === 0) ||
    tokens.some(
      (t, i) =>
        (t.includes('*') && t !== '*') || (t.includes('>') && (t !== '>' || i < tokens.length - 1)),
    );
  if (bad) {
    throw new FlywheelError(
      'USAGE',
      'the subject must be dot-separated tokens without spaces; * stands for one token and > (last) for the rest',
      { hint: 'e.g. --subject flywheel.events.departures' },
    );
  }
}

/** A durable name from the subject: `flywheel.events.departures` → `flywheel-events-departures`. */
export function defaultDurable(subject: string): string {
  return subject
    .replaceAll('*', 'any')
    .replaceAll('>', 'all')
    .replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Servers as they may appear in a message: no password. */
export function shownServers(servers: string): string {
  return servers
    .split(',')
    .map((s) => s.trim())
    .map((s) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? redactUrl(s) : s.replace(/^.*@/, '')))
    .join(',');
}

function serverAtLeast(nc: NatsConnection, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(nc.info?.version ?? '');
  if (m === null) return false;
  const [have, haveMinor] = [Number(m[1]), Number(m[2])];
  return have > major || (have === major && haveMinor >= minor);
}

/** 1 s after the first failed delivery, doubling up to 10 s. */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** Math.max(0, deliveryCount - 1));
}

export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal === undefined ? {} : { signal }).catch(() => {});
}

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
