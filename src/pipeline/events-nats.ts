/**
 * Events from a NATS JetStream subject into the online store. A durable pull
 * consumer reads the subject in small groups; a message is acked only after
 * `OnlineFeatures.ingest` stored its events (at least once: ingestion is
 * idempotent by event id, so a redelivery is harmless). A message that can
 * never be stored (not JSON, unknown table, invalid events) is terminated and
 * reported; a store failure is nak'ed for redelivery after a growing delay.
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
import { type IngestReport, type OnlineFeatures, parseEvents } from '../features/index.js';
import { redactUrl } from '../store/index.js';

export interface NatsEventsOptions {
  /** NATS servers, comma-separated (`nats://127.0.0.1:4222`). */
  readonly servers: string;
  /** The JetStream stream capturing `subject`; created when missing. */
  readonly stream: string;
  /** The subject to read (wildcards allowed). */
  readonly subject: string;
  /** The durable consumer's name (default: derived from the subject). */
  readonly durable?: string;
  /** The event table when the payload names none (default: the subject's last token). */
  readonly table?: string;
  /** Most messages stored in one group (default 64). */
  readonly batch?: number;
  /** Stops consuming: the messages already delivered are stored and acked, then the connection drains. */
  readonly signal?: AbortSignal;
  /** Called once the stream and consumer are in place. */
  readonly onReady?: (ready: NatsEventsReady) => void;
  /** Called after each group of messages. */
  readonly onReport?: (report: NatsEventsBatch) => void;
  /** Called for each message terminated because it can never be stored. */
  readonly onRejected?: (reason: string, subject: string) => void;
}

export interface NatsEventsReady {
  readonly stream: string;
  readonly consumer: string;
  /** What was done to the stream: created, extended with the subject, or used as it was. */
  readonly streamAction: 'created' | 'extended' | 'existing';
}

/** What one group of messages did. */
export interface NatsEventsBatch {
  readonly messages: number;
  /** Stored and acked. */
  readonly acked: number;
  /** Terminated: they can never be stored. */
  readonly rejected: number;
  /** Nak'ed after a store failure, for redelivery. */
  readonly retried: number;
  /** The store failure behind the retries, if any. */
  readonly retryReason?: string;
  /** The events of the acked messages. */
  readonly events: number;
  /** One report per write. */
  readonly writes: readonly IngestReport[];
}

/** Totals since `consumeEvents` started. */
export interface NatsEventsTotals {
  messages: number;
  acked: number;
  rejected: number;
  retried: number;
  events: number;
  added: number;
  duplicates: number;
}

const DEFAULT_BATCH = 64;
/** How long one pull request waits for messages before the next is sent. */
const PULL_EXPIRES_MS = 5_000;
/** The wait before pulling again after a failed pull. */
const PULL_RETRY_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_RETRY_DELAY_MS = 10_000;
/** JetStream API error codes the client does not name. */
const STREAM_NAME_IN_USE = 10058;
const SUBJECTS_OVERLAP = 10065;

/** A message decoded into its table and raw events. */
interface Decoded {
  readonly msg: JsMsg;
  readonly table: string;
  readonly events: readonly unknown[];
}

interface Rejected {
  readonly msg: JsMsg;
  readonly reason: string;
}

/** The outcome of a group, gathered while settling it. */
class GroupOutcome {
  acked = 0;
  events = 0;
  readonly rejected: Rejected[] = [];
  readonly retried: JsMsg[] = [];
  retryReason: string | undefined;
  readonly writes: IngestReport[] = [];
}

/**
 * Reads events from `options.subject` into `features` until `options.signal`
 * aborts. Each message is one event, an array of events, or
 * `{"table": "...", "events": [...]}`; the table is the payload's, else
 * `options.table`, else the subject's last token.
 *
 * @example
 * const stop = new AbortController();
 * const totals = await consumeEvents(features, {
 *   servers: 'nats://127.0.0.1:4222', stream: 'FLYWHEEL_EVENTS',
 *   subject: 'flywheel.events.departures', signal: stop.signal,
 *   onReport: (r) => console.log(`${r.acked} stored, ${r.rejected} rejected`),
 * });
 */
export async function consumeEvents(
  features: OnlineFeatures,
  options: NatsEventsOptions,
): Promise<NatsEventsTotals> {
  const batch = options.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new FlywheelError('USAGE', 'the batch size must be a positive integer');
  }
  checkSubject(options.subject);
  const durable = options.durable ?? defaultDurable(options.subject);
  checkName('stream', options.stream);
  checkName('durable consumer', durable);
  const nc = await connectNats(options.servers);
  const totals: NatsEventsTotals = {
    messages: 0,
    acked: 0,
    rejected: 0,
    retried: 0,
    events: 0,
    added: 0,
    duplicates: 0,
  };
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
    options.onReady?.({ stream: options.stream, consumer: durable, streamAction });
    const termReason = serverAtLeast(nc, 2, 11);
    const context = { features, options, termReason, totals };
    while (!options.signal?.aborted) await readOnePull(nc, consumer, batch, context);
    return totals;
  } finally {
    if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

interface SettleContext {
  readonly features: OnlineFeatures;
  readonly options: NatsEventsOptions;
  /** Whether the server takes a reason with `term` (2.11+; older ones redeliver). */
  readonly termReason: boolean;
  readonly totals: NatsEventsTotals;
}

/**
 * One pull request: its messages are grouped as they arrive (those already
 * buffered go together) and each group is settled before the next. An abort
 * ends the request at once; the messages already delivered are still
 * settled. (One the server sent in that instant reaches nobody and is
 * redelivered after the consumer's ack wait: late, never lost.)
 */
async function readOnePull(
  nc: NatsConnection,
  consumer: Consumer,
  batch: number,
  context: SettleContext,
): Promise<void> {
  const { signal, servers } = context.options;
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
      await pause(await settleGroup(group, context), signal);
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
 * Settles a group: stores the events of its messages, then acks, terms or
 * naks each. Returns how long to wait before the next group (0 unless a
 * store failed).
 */
async function settleGroup(group: readonly JsMsg[], context: SettleContext): Promise<number> {
  const { features, options } = context;
  const outcome = new GroupOutcome();
  const byTable = new Map<string, Decoded[]>();
  for (const msg of group) {
    const decoded = decode(msg, features, options.table);
    if ('reason' in decoded) {
      outcome.rejected.push(decoded);
      continue;
    }
    const list = byTable.get(decoded.table);
    if (list === undefined) byTable.set(decoded.table, [decoded]);
    else list.push(decoded);
  }
  for (const [table, entries] of byTable) await settleTable(features, table, entries, outcome);

  for (const { msg, reason } of outcome.rejected) {
    if (context.termReason) msg.term(reason);
    else msg.term();
    options.onRejected?.(reason, msg.subject);
  }
  let delay = 0;
  for (const msg of outcome.retried) {
    const wait = retryDelayMs(msg.info.deliveryCount);
    delay = Math.max(delay, wait);
    msg.nak(wait);
  }
  const { totals } = context;
  totals.messages += group.length;
  totals.acked += outcome.acked;
  totals.rejected += outcome.rejected.length;
  totals.retried += outcome.retried.length;
  totals.events += outcome.events;
  for (const w of outcome.writes) {
    totals.added += w.added;
    totals.duplicates += w.duplicates;
  }
  options.onReport?.({
    messages: group.length,
    acked: outcome.acked,
    rejected: outcome.rejected.length,
    retried: outcome.retried.length,
    ...(outcome.retryReason === undefined ? {} : { retryReason: outcome.retryReason }),
    events: outcome.events,
    writes: outcome.writes,
  });
  return delay;
}

/**
 * Stores the messages of one table in a single write; a message with an
 * invalid event is written alone, so it cannot hold the others back (and its
 * problems are counted once).
 */
async function settleTable(
  features: OnlineFeatures,
  table: string,
  entries: readonly Decoded[],
  outcome: GroupOutcome,
): Promise<void> {
  let together = entries;
  if (entries.length > 1) {
    const definition = features.table(table);
    together = entries.filter((e) => parseEvents(definition, e.events).problems.length === 0);
    for (const e of entries) {
      if (!together.includes(e)) await writeThenAck(features, table, [e], outcome);
    }
  }
  if (together.length > 0) await writeThenAck(features, table, together, outcome);
}

/** One ingest for the events of `entries`; each message is acked only once it resolved. */
async function writeThenAck(
  features: OnlineFeatures,
  table: string,
  entries: readonly Decoded[],
  outcome: GroupOutcome,
): Promise<void> {
  const events = entries.flatMap((e) => e.events);
  try {
    if (events.length > 0) outcome.writes.push(await features.ingest(table, events));
  } catch (err) {
    const permanent =
      err instanceof FlywheelError && (err.code === 'EVENTS_INVALID' || err.code === 'NOT_FOUND');
    if (!permanent) {
      outcome.retried.push(...entries.map((e) => e.msg));
      outcome.retryReason ??= messageOf(err);
    } else if (entries.length === 1) {
      outcome.rejected.push({ msg: entries[0]!.msg, reason: (err as FlywheelError).message });
    } else {
      for (const e of entries) await writeThenAck(features, table, [e], outcome);
    }
    return;
  }
  for (const e of entries) e.msg.ack();
  outcome.acked += entries.length;
  outcome.events += events.length;
}

const ENVELOPE_HINT =
  'a message must carry an event object, an array of events, or {"table": "<event table>", "events": [ … ]}';

/** The table and raw events of a message, or why it can never be stored (never echoing the payload). */
function decode(
  msg: JsMsg,
  features: OnlineFeatures,
  fallbackTable: string | undefined,
): Decoded | Rejected {
  const reject = (reason: string): Rejected => ({ msg, reason });
  let payload: unknown;
  try {
    payload = JSON.parse(msg.string());
  } catch {
    return reject(`the payload is not valid JSON; ${ENVELOPE_HINT}`);
  }
  let events: readonly unknown[];
  let named: unknown;
  if (Array.isArray(payload)) events = payload;
  else if (payload !== null && typeof payload === 'object') {
    const body = payload as { table?: unknown; events?: unknown };
    if ('events' in body) {
      if (!Array.isArray(body.events)) return reject(`"events" is not an array; ${ENVELOPE_HINT}`);
      events = body.events;
      named = body.table;
    } else events = [payload];
  } else return reject(`the payload is not an object or an array; ${ENVELOPE_HINT}`);

  const known = features.definitions.tables.map((t) => t.name);
  const listed = `event tables: ${known.join(', ') || '(none)'}`;
  if (named !== undefined) {
    if (typeof named !== 'string' || !known.includes(named)) {
      return reject(`the payload's "table" names no event table here; ${listed}`);
    }
    return { msg, table: named, events };
  }
  const table = fallbackTable ?? msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
  if (!known.includes(table)) {
    const from = fallbackTable === undefined ? `the subject's last token` : 'the --table option';
    return reject(`no event table "${table.slice(0, 64)}" (from ${from}); ${listed}`);
  }
  return { msg, table, events };
}

/**
 * Makes sure `stream` captures `subject`: creates the stream when missing,
 * adds the subject to it when it exists without it, and refuses a subject
 * another stream already captures.
 */
async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  retried = false,
): Promise<NatsEventsReady['streamAction']> {
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

async function connectNats(servers: string): Promise<NatsConnection> {
  const list = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new FlywheelError('USAGE', 'name the NATS server(s) to read from');
  try {
    return await connect({ servers: list, name: 'flywheel-events', timeout: CONNECT_TIMEOUT_MS });
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
function checkName(kind: string, name: string): void {
  if (!/^[^.*>/\\\s]{1,255}$/.test(name)) {
    throw new FlywheelError(
      'USAGE',
      `the ${kind} name must be 1 to 255 characters without ".", "*", ">", slashes or spaces`,
    );
  }
}

function checkSubject(subject: string): void {
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
function defaultDurable(subject: string): string {
  return subject
    .replaceAll('*', 'any')
    .replaceAll('>', 'all')
    .replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Servers as they may appear in a message: no password. */
function shownServers(servers: string): string {
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
function retryDelayMs(deliveryCount: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** Math.max(0, deliveryCount - 1));
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal === undefined ? {} : { signal }).catch(() => {});
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
