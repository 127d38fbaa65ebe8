/**
 * `flywheel stream`: scoring requests from a JetStream subject, predictions
 * to another. At least once in, exactly once logged and published: a
 * message is acknowledged only after its predictions are logged, in the
 * same transaction as its answer keyed by the message id (the `Nats-Msg-Id`
 * header, else the stream sequence), and the answer is published with that
 * id, so JetStream drops a second copy. A redelivered message finds its
 * answer and publishes it again unchanged; nothing is scored or logged
 * twice. A message that can never be scored goes to the dead-letter subject
 * with its reason; a store or publish failure is retried.
 */
import { createHash } from 'node:crypto';
import { type JetStreamClient, type JsMsg, jetstream } from '@nats-io/jetstream';
import { FlywheelError } from '../errors.js';
import type { OnlineFeatures } from '../features/index.js';
import { type ModelBundle, ModelRegistry, parseModelRef } from '../registry/index.js';
import {
  createScorer,
  fillOnlineFeatures,
  loggedEntity,
  loggedEventTime,
  type Scorer,
} from '../serve/index.js';
import type { PredictionInput, Stores, StreamAnswer } from '../store/index.js';
import {
  closeJetStream,
  ensureStream,
  type JetStreamSession,
  messageOf,
  openJetStream,
  pullGroups,
  retryDelayMs,
} from './jetstream.js';

export interface StreamScoringOptions {
  readonly servers: string;
  /** The model and alias (or version) to score with: `churn@champion`, `churn@3`. */
  readonly model: string;
  /** The stream capturing the requests' subject (created when missing). */
  readonly stream: string;
  /** The requests' subject. */
  readonly subject: string;
  /** Where answers are published, and the stream capturing it (created when missing). */
  readonly out: string;
  readonly outStream: string;
  /** Where unscorable messages go, with their reason (captured by `outStream`). */
  readonly deadLetter: string;
  /** The durable consumer (default: derived from the subject). */
  readonly durable?: string;
  /** Most messages settled together (default 256). */
  readonly batch?: number;
  /** Most rows in one message; a bigger one is a dead letter (default 1000, as the server's --max-rows). */
  readonly maxRows?: number;
  /** Fills the point-in-time features a request leaves out. */
  readonly features?: OnlineFeatures;
  /** How often the alias is checked for a move (default 1000 ms). */
  readonly refreshMs?: number;
  /**
   * How long answers are kept to recognise a redelivered message (default 7
   * days; pruned hourly). A message redelivered later is scored again.
   */
  readonly keepAnswersMs?: number;
  readonly signal?: AbortSignal;
  readonly onReady?: (ready: { stream: string; consumer: string; version: string }) => void;
  readonly onReport?: (report: StreamBatch) => void;
  /** A new version took over the alias. */
  readonly onSwap?: (version: string) => void;
}

/** What one group of messages did. */
export interface StreamBatch {
  readonly messages: number;
  /** Scored, logged, published and acked. */
  readonly answered: number;
  /** Answered before (a redelivery): their stored answer was published again. */
  readonly repeated: number;
  /** Sent to the dead-letter subject. */
  readonly dead: number;
  /** Nak'ed for redelivery after a store or publish failure. */
  readonly retried: number;
  readonly retryReason?: string;
  readonly predictions: number;
}

export interface StreamTotals {
  messages: number;
  answered: number;
  repeated: number;
  dead: number;
  retried: number;
  predictions: number;
}

/** The answer published for a message. */
export interface StreamAnswerPayload {
  readonly message_id: string;
  readonly model_version: string;
  readonly predictions: readonly {
    readonly prediction_id: string;
    readonly score: number;
    readonly decision: unknown;
    readonly probabilities?: Readonly<Record<string, number>>;
  }[];
}

const DEFAULT_BATCH = 256;
const MAX_DEAD_PAYLOAD = 64 * 1024;

interface Served {
  readonly ref: string;
  readonly bundle: ModelBundle;
  readonly scorer: Scorer;
}

/** The message's id: its `Nats-Msg-Id` header, else its stream and sequence. */
function messageId(msg: JsMsg): string {
  const header = msg.headers?.get('Nats-Msg-Id');
  if (header !== undefined && header.length > 0 && header.length <= 256) return header;
  return `${msg.info.stream}:${msg.seq}`;
}

/** The same message and row always give the same prediction id (a UUID shape). */
function predictionId(consumer: string, id: string, row: number): string {
  const h = createHash('sha256').update(`${consumer}\u0000${id}\u0000${row}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The rows of a request: an object, an array of objects, or `{ "rows": [...] }`. */
function rowsOf(msg: JsMsg, maxRows: number): readonly Record<string, unknown>[] | string {
  let payload: unknown;
  try {
    payload = JSON.parse(msg.string());
  } catch {
    return 'the payload is not valid JSON';
  }
  const rows = Array.isArray(payload)
    ? payload
    : payload !== null && typeof payload === 'object' && 'rows' in payload
      ? (payload as { rows: unknown }).rows
      : [payload];
  if (!Array.isArray(rows) || rows.length === 0) {
    return 'a request is a row object, an array of rows, or {"rows": [ … ]} with at least one row';
  }
  if (rows.length > maxRows) return `${rows.length} rows; at most ${maxRows} per message`;
  if (rows.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
    return 'every row must be a JSON object';
  }
  return rows as Record<string, unknown>[];
}

/**
 * Scores requests from `options.subject` until `options.signal` aborts.
 *
 * @example
 * const totals = await streamScoring(stores, {
 *   servers: 'nats://127.0.0.1:4222', model: 'churn@champion',
 *   stream: 'REQUESTS', subject: 'churn.requests',
 *   outStream: 'PREDICTIONS', out: 'churn.predictions', deadLetter: 'churn.dead',
 *   signal: stop.signal,
 * });
 */
export async function streamScoring(
  stores: Stores,
  options: StreamScoringOptions,
): Promise<StreamTotals> {
  const ref = parseModelRef(options.model);
  if (!('alias' in ref) && !('version' in ref)) {
    throw new FlywheelError(
      'USAGE',
      'name the model with its alias or version, e.g. churn@champion',
    );
  }
  for (const [what, subject] of [
    ['--out', options.out],
    ['--dead-letter', options.deadLetter],
  ] as const) {
    if (subject === options.subject) {
      throw new FlywheelError('USAGE', `${what} must differ from the requests' subject`);
    }
  }
  const registry = new ModelRegistry(stores);
  let served = await load(registry, options.model);
  let token = await registry.changeToken();
  const session = await openJetStream({
    servers: options.servers,
    stream: options.stream,
    subject: options.subject,
    ...(options.durable === undefined ? {} : { durable: options.durable }),
    name: 'flywheel-stream',
  });
  const totals: StreamTotals = {
    messages: 0,
    answered: 0,
    repeated: 0,
    dead: 0,
    retried: 0,
    predictions: 0,
  };
  try {
    await ensureStream(session.jsm, options.outStream, options.out);
    await ensureStream(session.jsm, options.outStream, options.deadLetter);
    const js = jetstream(session.nc);
    options.onReady?.({ stream: session.stream, consumer: session.durable, version: served.ref });
    let checkedAt = Date.now();
    const refreshMs = options.refreshMs ?? 1000;
    const keepMs = options.keepAnswersMs ?? 7 * 86_400_000;
    let prunedAt = 0;
    await pullGroups(session, options.batch ?? DEFAULT_BATCH, options.signal, async (group) => {
      // An alias move (promotion, rollback) takes effect between groups.
      if (Date.now() - checkedAt >= refreshMs) {
        checkedAt = Date.now();
        const now = await registry.changeToken().catch(() => token);
        if (now !== token) {
          token = now;
          const next = await load(registry, options.model).catch(() => served);
          if (next.ref !== served.ref) {
            served = next;
            options.onSwap?.(served.ref);
          }
        }
      }
      if (Date.now() - prunedAt >= 3_600_000) {
        prunedAt = Date.now();
        await stores.metadata
          .pruneStreamAnswers(session.durable, new Date(Date.now() - keepMs))
          .catch(() => {}); // retried within the hour; never holds scoring up
      }
      const report = await settle(group, { stores, js, session, options, served });
      totals.messages += report.messages;
      totals.answered += report.answered;
      totals.repeated += report.repeated;
      totals.dead += report.dead;
      totals.retried += report.retried;
      totals.predictions += report.predictions;
      options.onReport?.(report);
      return report.retried > 0
        ? retryDelayMs(Math.max(...group.map((m) => m.info.deliveryCount)))
        : 0;
    });
    return totals;
  } finally {
    await closeJetStream(session);
  }
}

async function load(registry: ModelRegistry, model: string): Promise<Served> {
  const version = await registry.resolve(model);
  const bundle = await registry.loadBundle(version);
  return { ref: `${version.name}@${version.version}`, bundle, scorer: createScorer(bundle) };
}

interface SettleInput {
  readonly stores: Stores;
  readonly js: JetStreamClient;
  readonly session: JetStreamSession;
  readonly options: StreamScoringOptions;
  readonly served: Served;
}

interface Dead {
  readonly msg: JsMsg;
  readonly id: string;
  readonly reason: string;
}

async function settle(group: readonly JsMsg[], input: SettleInput): Promise<StreamBatch> {
  const { stores, js, session, options, served } = input;
  const consumer = session.durable;
  const dead: Dead[] = [];
  const answers: (StreamAnswer & { msg: JsMsg })[] = [];
  let retried = 0;
  let retryReason: string | undefined;
  let answered = 0;
  let repeated = 0;
  let logged = 0;
  const retry = (msgs: readonly JsMsg[], err: unknown) => {
    for (const m of msgs) m.nak(retryDelayMs(m.info.deliveryCount));
    retried += msgs.length;
    retryReason ??= messageOf(err);
  };
  for (const msg of group) {
    const id = messageId(msg);
    const parsed = rowsOf(msg, options.maxRows ?? 1000);
    if (typeof parsed === 'string') {
      dead.push({ msg, id, reason: parsed });
      continue;
    }
    const at = new Date();
    const started = performance.now();
    let rows: readonly unknown[] = parsed;
    if (options.features !== undefined) {
      try {
        const filled = await fillOnlineFeatures(options.features, [served.bundle], parsed, at);
        if (filled !== undefined) rows = filled.rows;
      } catch (err) {
        // The online store is out of reach: retried later, never scored without its features.
        retry([msg], err);
        continue;
      }
    }
    const scored = served.scorer.score(rows);
    if (!scored.ok) {
      const shown = scored.errors
        .slice(0, 5)
        .map((e) => `row ${e.row}, ${e.field}: ${e.message}`)
        .join('; ');
      dead.push({ msg, id, reason: `${served.ref} cannot score it: ${shown}` });
      continue;
    }
    const latencyMs = performance.now() - started;
    const predictions: PredictionInput[] = scored.rows.map((s, i) => {
      const entity = loggedEntity(rows[i], served.bundle.entity);
      const eventTime = loggedEventTime(rows[i], served.bundle.eventTime);
      return {
        id: predictionId(consumer, id, i),
        at,
        modelVersion: served.ref,
        inputs: rows[i],
        outputs: { ...s, route: 'stream', message_id: id },
        score: s.score,
        latencyMs,
        ...(entity === undefined ? {} : { entity }),
        ...(eventTime === undefined ? {} : { eventTime }),
      };
    });
    const answer: StreamAnswerPayload = {
      message_id: id,
      model_version: served.ref,
      predictions: scored.rows.map((s, i) => ({
        prediction_id: predictions[i]!.id!,
        score: s.score,
        decision: s.decision,
        ...(s.probabilities === undefined ? {} : { probabilities: s.probabilities }),
      })),
    };
    answers.push({ msg, messageId: id, at, modelVersion: served.ref, answer, predictions });
  }

  if (answers.length > 0) {
    let before: Map<string, unknown> | undefined;
    try {
      before = await stores.metadata.recordStreamAnswers(consumer, answers);
    } catch (err) {
      retry(
        answers.map((a) => a.msg),
        err,
      );
    }
    if (before !== undefined) {
      const outcomes = await Promise.allSettled(
        answers.map((a) =>
          js.publish(options.out, JSON.stringify(before.get(a.messageId) ?? a.answer), {
            msgID: a.messageId,
          }),
        ),
      );
      answers.forEach((a, i) => {
        const outcome = outcomes[i]!;
        if (outcome.status === 'rejected') {
          // Logged but not published: the redelivery publishes the stored answer.
          retry([a.msg], outcome.reason);
          return;
        }
        a.msg.ack();
        if (before.has(a.messageId)) repeated++;
        else {
          answered++;
          logged += a.predictions.length;
        }
      });
    }
  }
  const deadOutcomes = await Promise.allSettled(
    dead.map((d) =>
      js.publish(
        options.deadLetter,
        JSON.stringify({
          message_id: d.id,
          subject: d.msg.subject,
          reason: d.reason,
          at: new Date().toISOString(),
          payload: d.msg.string().slice(0, MAX_DEAD_PAYLOAD),
        }),
        { msgID: `dead:${d.id}` },
      ),
    ),
  );
  let deadCount = 0;
  dead.forEach((d, i) => {
    const outcome = deadOutcomes[i]!;
    if (outcome.status === 'rejected') retry([d.msg], outcome.reason);
    else {
      d.msg.ack();
      deadCount++;
    }
  });
  return {
    messages: group.length,
    answered,
    repeated,
    dead: deadCount,
    retried,
    ...(retryReason === undefined ? {} : { retryReason }),
    predictions: logged,
  };
}
