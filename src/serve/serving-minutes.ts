/**
 * Requests and failures per model version and minute, counted in memory and
 * written to the store every few seconds (and on close): the error budget's
 * raw data, since a failed request never reaches the prediction log. Each
 * replica writes its own rows; readers sum them.
 */
import { hostname } from 'node:os';
import type { ServingMinute } from '../store/index.js';

export type ServingMinutesSink = (rows: readonly ServingMinute[]) => Promise<void>;

const minuteOf = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

export class ServingMinutes {
  readonly #sink: ServingMinutesSink;
  readonly #replica: string;
  #counts = new Map<
    string,
    { modelVersion: string; minute: string; requests: number; errors: number }
  >();
  #timer: ReturnType<typeof setInterval> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #onError: (err: unknown) => void;

  constructor(
    sink: ServingMinutesSink,
    options: { intervalMs?: number; replica?: string; onError?: (err: unknown) => void } = {},
  ) {
    this.#sink = sink;
    this.#replica = options.replica ?? `${hostname()}:${process.pid}`;
    this.#onError = options.onError ?? (() => {});
    const interval = options.intervalMs ?? 5000;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.flush(), interval);
      this.#timer.unref?.();
    }
  }

  /** Counts one request answered by `modelVersion` (a failure when `ok` is false). */
  record(modelVersion: string, ok: boolean, at = Date.now()): void {
    const minute = minuteOf(at);
    const key = `${modelVersion}\u0000${minute}`;
    let c = this.#counts.get(key);
    if (c === undefined) {
      c = { modelVersion, minute, requests: 0, errors: 0 };
      this.#counts.set(key, c);
    }
    c.requests++;
    if (!ok) c.errors++;
  }

  /** Writes what was counted since the last flush (kept for the next one if the write fails). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#counts.size === 0) return;
      const pending = this.#counts;
      this.#counts = new Map();
      const rows = [...pending.values()].map((c) => ({ ...c, replica: this.#replica }));
      try {
        await this.#sink(rows);
      } catch (err) {
        for (const [key, c] of pending) {
          const now = this.#counts.get(key);
          if (now === undefined) this.#counts.set(key, c);
          else {
            now.requests += c.requests;
            now.errors += c.errors;
          }
        }
        this.#onError(err);
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
