/**
 * Events from a NATS JetStream subject into the online store. A durable pull
 * consumer reads the subject in small groups; a message is acked only after
 * `OnlineFeatures.ingest` stored its events (at least once: ingestion is
 * idempotent by event id, so a redelivery is harmless). A message that can
 * never be stored (not JSON, unknown table, invalid events) is terminated and
 * reported; a store failure is nak'ed for redelivery after a growing delay.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { FlywheelError } from '../errors.js';
import { type IngestReport, type OnlineFeatures, parseEvents } from '../features/index.js';
import {
  closeJetStream,
  type JetStreamSession,
  messageOf,
  openJetStream,
  pullGroups,
  retryDelayMs,
  terminate,
} from './jetstream.js';

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
  const session = await openJetStream({ ...options, name: 'flywheel-events' });
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
    options.onReady?.({
      stream: session.stream,
      consumer: session.durable,
      streamAction: session.streamAction,
    });
    const context = { features, options, session, totals };
    await pullGroups(session, batch, options.signal, (group) => settleGroup(group, context));
    return totals;
  } finally {
    await closeJetStream(session);
  }
}

interface SettleContext {
  readonly features: OnlineFeatures;
  readonly options: NatsEventsOptions;
  readonly session: JetStreamSession;
  readonly totals: NatsEventsTotals;
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
    terminate(context.session, msg, reason);
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
