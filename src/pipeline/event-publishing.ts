/**
 * Prediction, feedback and deployment events on NATS JetStream, for users'
 * own consumers (docs/scaling.md has the schema). Predictions are published
 * by the replica that logged them, once their commit is durable; labels by
 * the process that stored them; deployments (alias moves) by the leader,
 * from the store's ordered move history, resuming after the last move the
 * stream holds. Every event carries a `Nats-Msg-Id` (the prediction id, the
 * label's prediction and source, the move id), so JetStream drops a copy
 * sent again within its duplicate window. Publishing never blocks or fails
 * serving: a failed publish is counted and reported, not retried forever.
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FlywheelError } from '../errors.js';
import type { AliasMove } from '../registry/index.js';
import type { LabelWrite, PredictionInput, Stores } from '../store/index.js';
import { checkName, ensureStream, messageOf, shownServers } from './jetstream.js';

export interface EventPublisherOptions {
  /** NATS servers, comma-separated. */
  readonly servers: string;
  /** The stream capturing the event subjects (created when missing; default FLYWHEEL_OUT). */
  readonly stream?: string;
  /** The subjects' first token (default `flywheel`): `<prefix>.predictions.<model>` … */
  readonly prefix?: string;
  readonly onError?: (error: unknown) => void;
}

/** The event of one logged prediction (`<prefix>.predictions.<model>`). */
export interface PredictionEvent {
  readonly type: 'prediction';
  readonly id: string;
  readonly at: string;
  readonly model: string;
  readonly model_version: string;
  readonly route: string | null;
  readonly score: number | null;
  readonly decision: unknown;
  readonly inputs: unknown;
  readonly entity: string | null;
  readonly event_time: string | null;
}

/** The event of one stored label (`<prefix>.feedback.<model>`). */
export interface FeedbackEvent {
  readonly type: 'feedback';
  readonly prediction_id: string;
  readonly source: string;
  readonly label: number;
  readonly model_version: string;
  readonly observed_at: string;
}

/** The event of one alias move (`<prefix>.deployments.<model>`). */
export interface DeploymentEvent {
  readonly type: 'deployment';
  readonly id: number;
  readonly at: string;
  readonly model: string;
  readonly alias: string;
  readonly action: string;
  readonly from_version: number | null;
  readonly to_version: number | null;
  readonly actor: string;
  readonly reason: string;
}

const SUBJECT_TOKEN = /[^A-Za-z0-9_-]/g;
const token = (text: string) => text.replace(SUBJECT_TOKEN, '_') || '_';
const timeText = (t: string | Date | undefined) =>
  t === undefined ? new Date().toISOString() : new Date(t).toISOString();

/**
 * @example
 * const events = await NatsEventPublisher.open({ servers: 'nats://127.0.0.1:4222' });
 * const logger = new PredictionLogger(stores.metadata, { onCommitted: (rows) => events.predictions(rows) });
 */
export class NatsEventPublisher {
  readonly prefix: string;
  readonly stream: string;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  #published = 0;
  #failed = 0;

  private constructor(nc: NatsConnection, options: EventPublisherOptions) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.prefix = options.prefix ?? 'flywheel';
    this.stream = options.stream ?? 'FLYWHEEL_OUT';
    this.#onError = options.onError;
  }

  /** Connects and makes sure the stream captures the three event subjects. */
  static async open(options: EventPublisherOptions): Promise<NatsEventPublisher> {
    const prefix = options.prefix ?? 'flywheel';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) {
      throw new FlywheelError('USAGE', 'the event prefix is 1 to 64 letters, digits, _ or -');
    }
    checkName('stream', options.stream ?? 'FLYWHEEL_OUT');
    const servers = options.servers
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    let nc: NatsConnection;
    try {
      nc = await connect({ servers, name: 'flywheel-events-out', timeout: 10_000 });
    } catch (err) {
      throw new FlywheelError(
        'STORE_UNAVAILABLE',
        `cannot reach NATS at ${shownServers(options.servers)} to publish events: ${messageOf(err)}`,
        { cause: err },
      );
    }
    try {
      const jsm = await jetstreamManager(nc);
      for (const kind of ['predictions', 'feedback', 'deployments']) {
        await ensureStream(jsm, options.stream ?? 'FLYWHEEL_OUT', `${prefix}.${kind}.>`);
      }
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
    return new NatsEventPublisher(nc, options);
  }

  /** Events published and failed since open. */
  stats(): { published: number; failed: number } {
    return { published: this.#published, failed: this.#failed };
  }

  /** Publishes the events of logged predictions (shadow ones included, with their route). */
  predictions(rows: readonly PredictionInput[]): void {
    for (const row of rows) {
      if (row.id === undefined) continue;
      const at = row.modelVersion.lastIndexOf('@');
      const model = at > 0 ? row.modelVersion.slice(0, at) : row.modelVersion;
      const outputs = (row.outputs ?? {}) as { decision?: unknown; route?: unknown };
      const event: PredictionEvent = {
        type: 'prediction',
        id: row.id,
        at: timeText(row.at),
        model,
        model_version: row.modelVersion,
        route: typeof outputs.route === 'string' ? outputs.route : null,
        score: row.score ?? null,
        decision: outputs.decision ?? null,
        inputs: row.inputs,
        entity: row.entity ?? null,
        event_time:
          row.eventTime === undefined || row.eventTime === null ? null : timeText(row.eventTime),
      };
      this.#publish(`${this.prefix}.predictions.${token(model)}`, event, `prediction:${row.id}`);
    }
  }

  /** Publishes the events of stored labels, each on its prediction's model's subject. */
  feedback(labels: readonly (LabelWrite & { readonly modelVersion: string })[]): void {
    for (const l of labels) {
      const at = l.modelVersion.lastIndexOf('@');
      const model = at > 0 ? l.modelVersion.slice(0, at) : l.modelVersion;
      const event: FeedbackEvent = {
        type: 'feedback',
        prediction_id: l.predictionId,
        source: l.source,
        label: l.label,
        model_version: l.modelVersion,
        observed_at: timeText(l.observedAt),
      };
      this.#publish(
        `${this.prefix}.feedback.${token(model)}`,
        event,
        `feedback:${l.predictionId}:${l.source}`,
      );
    }
  }

  /** Publishes the event of an alias move. */
  deployment(move: AliasMove): Promise<unknown> {
    const event: DeploymentEvent = {
      type: 'deployment',
      id: move.id,
      at: move.at,
      model: move.name,
      alias: move.alias,
      action: move.action,
      from_version: move.fromVersion,
      to_version: move.toVersion,
      actor: move.actor,
      reason: move.reason,
    };
    return this.#publish(
      `${this.prefix}.deployments.${token(move.name)}`,
      event,
      `move:${move.id}`,
    );
  }

  /**
   * The id of the newest move of `model` the stream holds (0: none), where a
   * deployment publisher resumes.
   */
  async lastPublishedMove(model: string): Promise<number> {
    try {
      const jsm = await jetstreamManager(this.#nc);
      const msg = await jsm.streams.getMessage(this.stream, {
        last_by_subj: `${this.prefix}.deployments.${token(model)}`,
      });
      return msg === null ? 0 : (msg.json<DeploymentEvent>().id ?? 0);
    } catch {
      return 0;
    }
  }

  /** Waits for what is in flight, then drains the connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    if (!this.#nc.isClosed()) await this.#nc.drain().catch(() => this.#nc.close());
  }

  #publish(subject: string, event: unknown, id: string): Promise<unknown> {
    // Ids are unique per stream: the prefix keeps two feeds sharing one stream apart.
    const p = this.#js
      .publish(subject, JSON.stringify(event), { msgID: `${this.prefix}:${id}` })
      .then(
        () => {
          this.#published++;
        },
        (err: unknown) => {
          this.#failed++;
          this.#onError?.(err);
        },
      )
      .finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
    return p;
  }
}

/**
 * On the leader: publishes every model's alias moves the stream does not
 * hold yet, in order, every `intervalMs`, until `signal` aborts.
 *
 * @example
 * void publishDeployments(stores, events, { signal: stop.signal });
 */
export async function publishDeployments(
  stores: Pick<Stores, 'metadata'>,
  events: NatsEventPublisher,
  options: { intervalMs?: number; signal?: AbortSignal; onError?: (err: unknown) => void } = {},
): Promise<void> {
  const interval = options.intervalMs ?? 1000;
  const cursors = new Map<string, number>();
  while (!options.signal?.aborted) {
    try {
      const models = await stores.metadata.listModels();
      for (const m of models) {
        let last = cursors.get(m.name);
        if (last === undefined) {
          last = await events.lastPublishedMove(m.name);
          cursors.set(m.name, last);
        }
        const moves = await stores.metadata.listAliasMoves({ name: m.name, limit: 10_000 });
        for (const move of moves) {
          if (move.id <= last) continue;
          await events.deployment(move);
          last = move.id;
        }
        cursors.set(m.name, last);
      }
    } catch (err) {
      options.onError?.(err);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
