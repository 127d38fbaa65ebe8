/**
 * The prediction log's write path: group commit. At most one commit is in
 * flight; every entry logged meanwhile waits and goes into the next one, so
 * under load one transaction carries many requests and an fsync is shared.
 * In `sync` mode `log()` resolves only once its entries are committed (a
 * response is sent only for a durable prediction); in `async` mode it
 * resolves at once, unless the queue is full, in which case the caller waits
 * for the commit (backpressure, never a drop).
 */
import { FlywheelError } from '../errors.js';
import type { MetadataStore, PredictionInput } from '../store/index.js';
import type { OnlineFeatureNote } from './online-fill.js';

/** Which deployment slot answered (or shadowed) a prediction. */
export type Route = 'champion' | 'canary' | 'shadow';

/** One served prediction, as the log keeps it. */
export interface PredictionLogEntry {
  /** A UUID; feedback labels join on it. */
  readonly id: string;
  readonly at: Date;
  /** `name@version`. */
  readonly modelVersion: string;
  /** The row as received (after validation). */
  readonly inputs: unknown;
  readonly outputs: {
    readonly score: number;
    readonly decision: boolean | string | number;
    readonly probabilities?: Readonly<Record<string, number>>;
  };
  readonly latencyMs: number;
  readonly route: Route;
  /** Which inputs were looked up in the online store, as of when. */
  readonly features?: OnlineFeatureNote;
  /** The row's entity key as text (the model's entity column), when it has one. */
  readonly entity?: string;
  /** The row's event time, ISO-8601 UTC (the model's event-time column), when it has one. */
  readonly eventTime?: string;
}

export interface PredictionLoggerOptions {
  /** `sync`: `log()` resolves after the commit; `async`: at once (default `sync`). */
  readonly mode?: 'sync' | 'async';
  /** Most rows in one commit (default 512); one `log()` call is never split. */
  readonly maxBatch?: number;
  /**
   * How long the first entry after an idle spell waits for company before a
   * commit starts (default 0: the next turn of the event loop). Batches form
   * on their own while a commit is in flight; waiting when idle only adds
   * latency (2 ms made a lone client's p50 2 ms).
   */
  readonly maxDelayMs?: number;
  /** Async mode: queued rows beyond which `log()` waits for a commit (default 16 × maxBatch). */
  readonly maxQueue?: number;
  /** Called when a commit fails (the waiters of its batch are rejected as well). */
  readonly onError?: (error: unknown) => void;
  /** Called with the rows of each commit once it is durable (e.g. to publish prediction events). */
  readonly onCommitted?: (rows: readonly PredictionInput[]) => void;
}

export interface PredictionLoggerStats {
  readonly commits: number;
  readonly rows: number;
  readonly failedCommits: number;
  /** Rows waiting for a commit. */
  readonly queued: number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface Call {
  readonly rows: readonly PredictionInput[];
  /** Absent for async entries already acknowledged: those are retried, never dropped. */
  readonly waiter?: Waiter;
}

const MAX_RETRY_DELAY_MS = 1000;

function toRecord(entry: PredictionLogEntry): PredictionInput {
  return {
    id: entry.id,
    at: entry.at,
    modelVersion: entry.modelVersion,
    inputs: entry.inputs,
    outputs: {
      ...entry.outputs,
      route: entry.route,
      ...(entry.features === undefined ? {} : { features: entry.features }),
    },
    score: entry.outputs.score,
    latencyMs: entry.latencyMs,
    entity: entry.entity,
    eventTime: entry.eventTime,
  };
}

/**
 * Batches prediction log writes into group commits.
 *
 * @example
 * const logger = new PredictionLogger(stores.metadata, { mode: 'sync' });
 * await logger.log([entry]); // entry is committed when this resolves
 * await logger.close();
 */
export class PredictionLogger {
  readonly mode: 'sync' | 'async';
  readonly #metadata: Pick<MetadataStore, 'logPredictions'>;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  readonly #maxQueue: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #onCommitted: ((rows: readonly PredictionInput[]) => void) | undefined;
  #pending: Call[] = [];
  #pendingRows = 0;
  /** The commit in flight; resolves to its error, if any (it never rejects). */
  #committing: Promise<unknown> | undefined;
  /** Cancels the scheduled start of the next commit. */
  #timer: (() => void) | undefined;
  #retryDelayMs = 0;
  #closed = false;
  #stats = { commits: 0, rows: 0, failedCommits: 0 };

  constructor(
    metadata: Pick<MetadataStore, 'logPredictions'>,
    options: PredictionLoggerOptions = {},
  ) {
    this.#metadata = metadata;
    this.mode = options.mode ?? 'sync';
    this.#maxBatch = Math.max(1, options.maxBatch ?? 512);
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 0);
    this.#maxQueue = Math.max(this.#maxBatch, options.maxQueue ?? 16 * this.#maxBatch);
    this.#onError = options.onError;
    this.#onCommitted = options.onCommitted;
  }

  /**
   * Queues `entries` for the next commit (all in the same transaction).
   * Sync mode: resolves when they are committed, rejects (STORE_UNAVAILABLE)
   * when that commit fails. Async mode: resolves at once while the queue has room.
   */
  log(entries: readonly PredictionLogEntry[]): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new FlywheelError('STORE_UNAVAILABLE', 'the prediction log is closed (shutting down)'),
      );
    }
    if (entries.length === 0) return Promise.resolve();
    const rows = entries.map(toRecord);
    if (this.mode === 'async' && this.#pendingRows + rows.length <= this.#maxQueue) {
      this.#enqueue({ rows });
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) =>
      this.#enqueue({ rows, waiter: { resolve, reject } }),
    );
  }

  /** Resolves when everything queued so far is committed; rejects if an async batch cannot be. */
  async flush(): Promise<void> {
    while (this.#committing !== undefined || this.#pending.length > 0) {
      if (this.#committing === undefined) this.#start();
      const error = await this.#committing;
      if (error !== undefined && this.mode === 'async') throw error;
    }
  }

  /** Stops accepting entries and drains the queue. */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      this.#timer?.();
      this.#timer = undefined;
    }
  }

  stats(): PredictionLoggerStats {
    return { ...this.#stats, queued: this.#pendingRows };
  }

  #enqueue(call: Call): void {
    this.#pending.push(call);
    this.#pendingRows += call.rows.length;
    if (this.#committing !== undefined) return; // the commit in flight picks the queue up
    if (this.#pendingRows >= this.#maxBatch) {
      this.#start();
    } else if (this.#timer === undefined) {
      this.#schedule(this.#maxDelayMs);
    }
  }

  /** Starts the next commit after `ms` (0: the next turn of the event loop). */
  #schedule(ms: number, unref = false): void {
    const run = () => {
      this.#timer = undefined;
      this.#start();
    };
    if (ms === 0) {
      const immediate = setImmediate(run);
      this.#timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(run, ms);
      if (unref) timeout.unref();
      this.#timer = () => clearTimeout(timeout);
    }
  }

  #start(): void {
    this.#timer?.();
    this.#timer = undefined;
    if (this.#committing !== undefined || this.#pending.length === 0) return;
    const batch: Call[] = [];
    let size = 0;
    while (this.#pending.length > 0) {
      const next = this.#pending[0]!;
      if (batch.length > 0 && size + next.rows.length > this.#maxBatch) break;
      batch.push(this.#pending.shift()!);
      size += next.rows.length;
    }
    this.#pendingRows -= size;
    this.#committing = this.#commit(batch, size);
  }

  async #commit(batch: readonly Call[], size: number): Promise<unknown> {
    let failure: unknown;
    try {
      const rows = batch.length === 1 ? batch[0]!.rows : batch.flatMap((c) => c.rows);
      await this.#metadata.logPredictions(rows);
      try {
        this.#onCommitted?.(rows);
      } catch {
        // A listener's failure never fails the commit.
      }
      this.#stats.commits++;
      this.#stats.rows += size;
      this.#retryDelayMs = 0;
      for (const call of batch) call.waiter?.resolve();
    } catch (err) {
      failure = new FlywheelError(
        'STORE_UNAVAILABLE',
        'the prediction log could not be written; the predictions were not served',
        { cause: err, hint: 'retry the request' },
      );
      this.#stats.failedCommits++;
      // Acknowledged async entries go back to the front to be retried; callers still waiting are told.
      const acknowledged = batch.filter((c) => c.waiter === undefined);
      this.#pending.unshift(...acknowledged);
      for (const c of acknowledged) this.#pendingRows += c.rows.length;
      for (const call of batch) call.waiter?.reject(failure);
      this.#onError?.(err);
    }
    // Runs after the awaiting callers' continuations are queued, before the next batch starts.
    queueMicrotask(() => this.#next(failure));
    return failure;
  }

  #next(failure: unknown): void {
    this.#committing = undefined;
    if (this.#pending.length === 0) return;
    if (failure === undefined || this.#closed) {
      this.#start();
      return;
    }
    this.#retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(10, this.#retryDelayMs * 2));
    this.#schedule(this.#retryDelayMs, true);
  }
}
