/**
 * Counts failures per key (a client address) in fixed windows, so a client
 * that keeps presenting bad tokens is told to wait. Memory is bounded: at most
 * `maxKeys` keys are tracked, the oldest windows dropped first.
 */

export interface FailureLimiterOptions {
  /** Failures allowed per window before the key is blocked. */
  readonly limit: number;
  readonly windowMs: number;
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * @example
 * const limiter = new FailureLimiter({ limit: 3, windowMs: 60_000 });
 * limiter.fail('10.0.0.1');
 * limiter.blockedFor('10.0.0.1'); // 0 until three failures
 */
export class FailureLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; failures: number }>();

  constructor(options: FailureLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  fail(key: string): void {
    const now = this.#now();
    const window = this.#current(key, now);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.#maxKeys) {
      const oldest = this.#windows.keys().next();
      if (!oldest.done) this.#windows.delete(oldest.value);
    }
    this.#windows.set(key, { start: now, failures: 1 });
  }

  /** Seconds until `key` may try again; 0 when it is not blocked. */
  blockedFor(key: string): number {
    const now = this.#now();
    const window = this.#current(key, now);
    if (!window || window.failures < this.#limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000));
  }

  #current(key: string, now: number) {
    const window = this.#windows.get(key);
    if (window === undefined) return undefined;
    if (now - window.start >= this.#windowMs) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }
}
