/**
 * Runs the canary analysis: every interval, for each model with a canary, it
 * takes the canary's and the champion's windows, judges them
 * (canary-analysis.ts) and, when the run of checks says so, ends the canary
 * through the registry: promoted, rolled back or aborted, with every check
 * of the run as evidence. Only one replica should run it.
 */

import type { CanaryOutcome } from '../registry/index.js';
import {
  advanceCanary,
  analyseCanary,
  type CanaryAction,
  type CanaryCheck,
  type CanaryPolicy,
  type CanaryProgress,
  type CostReading,
  DEFAULT_CANARY_POLICY,
  NO_PROGRESS,
} from './canary-analysis.js';
import type { WindowSnapshot } from './version-window.js';

/** A deployment with a canary, as the controller sees it. */
export interface CanaryTarget {
  readonly name: string;
  /** `name@version` of the champion and of the canary. */
  readonly champion: string;
  readonly canary: string;
  readonly latencyBudgetP99Ms?: number;
}

/** What the controller asks the registry to do when a canary ends. */
export interface EndCanaryRequest {
  readonly name: string;
  readonly outcome: CanaryOutcome;
  readonly actor: string;
  readonly reason: string;
  readonly evidence: unknown;
}

/** Realised cost per decision of both sides between `since` and `until`, once labels exist. */
export type CostSource = (query: {
  readonly name: string;
  readonly champion: string;
  readonly canary: string;
  readonly since: Date;
  readonly until: Date;
}) => Promise<CostReading | undefined>;

export interface CanaryControllerOptions {
  /** The deployments that have a canary now. */
  readonly targets: () => readonly CanaryTarget[];
  /** Takes (and resets) the window of a `name@version`. */
  readonly takeWindow: (version: string) => WindowSnapshot;
  /**
   * Reads the window of a `name@version` between two checks from shared
   * storage instead (every replica's traffic, not this process's); when
   * set, `takeWindow` is not used.
   */
  readonly readWindow?: (version: string, since: Date, until: Date) => Promise<WindowSnapshot>;
  readonly endCanary: (request: EndCanaryRequest) => Promise<unknown>;
  readonly cost?: CostSource;
  readonly policy?: Partial<CanaryPolicy>;
  readonly clock?: () => Date;
  /** Recorded as who ended the canary (default `canary-controller`). */
  readonly actor?: string;
  /** Called after every check, e.g. to log it. */
  readonly onCheck?: (check: CanaryCheck, action: CanaryAction) => void;
  /** Called when ending a canary fails (it is retried at the next check). */
  readonly onError?: (error: unknown) => void;
}

export interface CheckOutcome {
  readonly check: CanaryCheck;
  readonly action: CanaryAction;
  /** Whether the registry accepted the end of the canary (for promote, rollback, abort). */
  readonly ended?: boolean;
}

interface RunState {
  readonly canary: string;
  progress: CanaryProgress;
  since: Date;
  readonly checks: CanaryCheck[];
  /** An end the registry has not accepted yet. */
  pending?: { action: CanaryAction; reason: string };
}

/** Checks kept as evidence per canary run (the latest). */
const MAX_EVIDENCE = 100;

const OUTCOME: Record<Exclude<CanaryAction, 'continue'>, CanaryOutcome> = {
  promote: 'promoted',
  rollback: 'rolled_back',
  abort: 'aborted',
};

/**
 * @example
 * const controller = new CanaryController({ targets, takeWindow, endCanary });
 * controller.start(); // a check every 60 s
 * await controller.tick(); // or one check now (tests, a manual clock)
 */
export class CanaryController {
  readonly policy: CanaryPolicy;
  readonly #options: CanaryControllerOptions;
  readonly #clock: () => Date;
  readonly #runs = new Map<string, RunState>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<CheckOutcome[]> | undefined;

  constructor(options: CanaryControllerOptions) {
    this.#options = options;
    this.policy = { ...DEFAULT_CANARY_POLICY, ...options.policy };
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Checks every canary once (a tick already running is joined, not repeated). */
  tick(): Promise<CheckOutcome[]> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.tick().catch((err) => this.#options.onError?.(err));
    }, this.policy.intervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
  }

  /** The checks of the current run of `name`'s canary (newest last). */
  evidence(name: string): readonly CanaryCheck[] {
    return this.#runs.get(name)?.checks ?? [];
  }

  async #tick(): Promise<CheckOutcome[]> {
    const targets = this.#options.targets();
    const live = new Set(targets.map((t) => t.name));
    for (const name of this.#runs.keys()) if (!live.has(name)) this.#runs.delete(name);
    const outcomes: CheckOutcome[] = [];
    for (const target of targets) outcomes.push(await this.#check(target));
    return outcomes;
  }

  async #check(target: CanaryTarget): Promise<CheckOutcome> {
    const at = this.#clock();
    let run = this.#runs.get(target.name);
    if (run === undefined || run.canary !== target.canary) {
      // Read from storage, a new run's first window is the interval before it (the
      // traffic is already there); taken from memory, it is what was served since.
      const since =
        this.#options.readWindow === undefined
          ? at
          : new Date(at.getTime() - this.policy.intervalMs);
      run = { canary: target.canary, progress: NO_PROGRESS, since, checks: [] };
      this.#runs.set(target.name, run);
    }
    const read = this.#options.readWindow;
    const [canaryWindow, championWindow] =
      read === undefined
        ? [this.#options.takeWindow(target.canary), this.#options.takeWindow(target.champion)]
        : await Promise.all([
            read(target.canary, run.since, at),
            read(target.champion, run.since, at),
          ]);
    const cost = await this.#readCost(target, run.since, at);
    const check = analyseCanary(
      {
        at,
        name: target.name,
        champion: target.champion,
        canary: target.canary,
        canaryWindow,
        championWindow,
        ...(target.latencyBudgetP99Ms === undefined
          ? {}
          : { latencyBudgetP99Ms: target.latencyBudgetP99Ms }),
        ...(cost === undefined ? {} : { cost }),
      },
      this.policy,
    );
    run.since = at;
    run.checks.push(check);
    if (run.checks.length > MAX_EVIDENCE) run.checks.shift();
    let action: CanaryAction;
    if (run.pending === undefined) {
      const next = advanceCanary(run.progress, check.verdict, this.policy);
      run.progress = next.progress;
      action = next.action;
      if (action !== 'continue') run.pending = { action, reason: check.reason };
    } else {
      action = run.pending.action; // the registry refused last time: try again
    }
    this.#options.onCheck?.(check, action);
    if (action === 'continue') return { check, action };
    const ended = await this.#end(target, run, action);
    return { check, action, ended };
  }

  async #readCost(
    target: CanaryTarget,
    since: Date,
    until: Date,
  ): Promise<CostReading | { error: string } | undefined> {
    if (this.#options.cost === undefined) return undefined;
    try {
      return await this.#options.cost({
        name: target.name,
        champion: target.champion,
        canary: target.canary,
        since,
        until,
      });
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  async #end(target: CanaryTarget, run: RunState, action: CanaryAction): Promise<boolean> {
    const outcome = OUTCOME[action as Exclude<CanaryAction, 'continue'>];
    const { progress } = run;
    const reason =
      action === 'promote'
        ? `${progress.passes} consecutive checks passed`
        : action === 'rollback'
          ? `${progress.failures} checks failed; last: ${run.pending?.reason ?? ''}`
          : `${progress.errors} consecutive checks could not read their metrics; last: ${run.pending?.reason ?? ''}`;
    try {
      await this.#options.endCanary({
        name: target.name,
        outcome,
        actor: this.#options.actor ?? 'canary-controller',
        reason,
        evidence: { policy: this.policy, progress, checks: run.checks },
      });
      this.#runs.delete(target.name);
      return true;
    } catch (err) {
      this.#options.onError?.(err);
      return false;
    }
  }
}
