/**
 * Leader election over a session lock (store/session-lock.ts): every
 * replica that may run the periodic jobs (the canary controller, the
 * monitoring loop) campaigns; the one whose session holds the lock leads
 * until that session is lost. A follower tries to take the lock every
 * `intervalMs`; the leader checks every `intervalMs` that it still holds it,
 * and steps down at once when the check fails, is late, or the connection
 * reports its end. The database releases the lock of a session that ends,
 * so when a leader dies another replica leads within about one interval.
 *
 * Leadership is also a lease on this side: it counts only for `leaseMs`
 * after the last confirmation, so a replica whose checks stopped (a frozen
 * process, a blocked event loop) stops calling itself leader before the
 * database frees a silent session (its idle timeout, which must be longer).
 */
import type { SessionLock } from '../store/index.js';

/** A change of leadership, as listeners hear it. */
export interface LeadershipChange {
  readonly leader: boolean;
  readonly at: Date;
  /** Why: `took the lock`, `stopping`, or what made it lose the lock. */
  readonly reason: string;
}

/** What the rest of a replica sees of the election. */
export interface LeaderElection {
  /** Where the lock lives (for messages). */
  readonly description: string;
  /** True while this replica holds the lock, as confirmed within the lease. */
  isLeader(): boolean;
  /** When this replica last became leader or stopped being it (before either: when it started). */
  since(): Date;
  /** Called on every change; returns an unsubscribe. */
  onChange(listener: (change: LeadershipChange) => void): () => void;
  /** Stops campaigning and gives the lock up (listeners hear the step down first). */
  stop(): Promise<void>;
}

export interface LeaderElectorOptions {
  /** Time between attempts (as follower) and checks (as leader); default 1000 ms, 0: only tick(). */
  readonly intervalMs?: number;
  /** An attempt or check that takes longer has failed (default 2000 ms). */
  readonly timeoutMs?: number;
  /**
   * How long a confirmation that the lock is held counts (default
   * intervalMs + timeoutMs; with intervalMs 0, for ever). Keep it below the
   * time the database takes to free a silent session.
   */
  readonly leaseMs?: number;
  readonly clock?: () => Date;
  /** Failures to reach the lock (the election carries on). */
  readonly onError?: (error: unknown) => void;
}

const message = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/** Rejects when `promise` takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * @example
 * const election = await LeaderElector.start(openSessionLock(location, 'flywheel:controller'));
 * election.onChange(({ leader }) => (leader ? controller.start() : void controller.stop()));
 * // … on shutdown
 * await election.stop();
 */
export class LeaderElector implements LeaderElection {
  readonly #lock: SessionLock;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #clock: () => Date;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #listeners = new Set<(change: LeadershipChange) => void>();
  readonly #unsubscribeLost: () => void;
  #leader = false;
  /** When (performance.now()) the last check that found the lock held began. */
  #confirmedAt = Number.NEGATIVE_INFINITY;
  #since: Date;
  #ticking: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(lock: SessionLock, options: LeaderElectorOptions = {}) {
    this.#lock = lock;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#leaseMs =
      options.leaseMs ??
      (this.#intervalMs > 0 ? this.#intervalMs + this.#timeoutMs : Number.POSITIVE_INFINITY);
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError;
    this.#since = this.#clock();
    this.#unsubscribeLost = lock.onLost((reason) => {
      if (this.#leader) void this.#stepDown(`lost the lock: ${message(reason)}`);
    });
  }

  /** An elector that has made its first attempt (so a lone replica leads at once) and campaigns on. */
  static async start(
    lock: SessionLock,
    options: LeaderElectorOptions = {},
  ): Promise<LeaderElector> {
    const elector = new LeaderElector(lock, options);
    await elector.tick();
    elector.#schedule();
    return elector;
  }

  get description(): string {
    return this.#lock.description;
  }

  isLeader(): boolean {
    return this.#leader && performance.now() - this.#confirmedAt <= this.#leaseMs;
  }

  since(): Date {
    return this.#since;
  }

  onChange(listener: (change: LeadershipChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * One round: a follower tries to take the lock, a leader checks it still
   * holds it. A round already running is joined. Resolves isLeader().
   */
  tick(): Promise<boolean> {
    this.#ticking ??= this.#round().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    this.#unsubscribeLost();
    if (this.#leader) this.#set(false, 'stopping');
    await this.#lock.release().catch((err) => this.#onError?.(err));
  }

  #schedule(): void {
    if (this.#stopped || this.#intervalMs <= 0) return;
    this.#timer = setTimeout(() => {
      void this.tick()
        .catch((err) => this.#onError?.(err))
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #round(): Promise<boolean> {
    if (this.#stopped) return false;
    const began = performance.now();
    if (this.#leader) {
      try {
        const held = await within(this.#lock.held(), this.#timeoutMs, 'checking the lock');
        if (held) this.#confirmedAt = began;
        else await this.#stepDown('the lock is no longer held');
      } catch (err) {
        await this.#stepDown(`cannot check the lock: ${message(err)}`);
      }
      return this.isLeader();
    }
    try {
      const taken = await within(this.#lock.tryAcquire(), this.#timeoutMs, 'taking the lock');
      if (taken && !this.#stopped) {
        this.#confirmedAt = began;
        this.#set(true, 'took the lock');
      }
    } catch (err) {
      this.#onError?.(err);
      // A late attempt may still succeed: drop the session so the lock cannot linger with it.
      await this.#lock.release().catch(() => {});
    }
    return this.isLeader();
  }

  async #stepDown(reason: string): Promise<void> {
    if (this.#leader) this.#set(false, reason);
    await this.#lock.release().catch((err) => this.#onError?.(err));
  }

  #set(leader: boolean, reason: string): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#since = this.#clock();
    const change: LeadershipChange = { leader, at: this.#since, reason };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#onError?.(err);
      }
    }
  }
}
