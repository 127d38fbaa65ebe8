/**
 * The ModelHost the server runs: serves each model's current deployment
 * from the registry, with a scorer per version (loaded once, on first use),
 * sticky canary routing and shadow scoring, group-committed prediction logs,
 * per-version canary windows and, on the one replica that leads, the canary
 * controller.
 *
 * Hot swap: the host polls the registry's change token; when it moves, the
 * new deployment's bundles are loaded first and the deployment is then
 * replaced in one assignment. A request holds the deployment it started
 * with, so it finishes on those versions and no request fails in a swap.
 */
import { randomUUID } from 'node:crypto';
import { FlywheelError } from '../errors.js';
import type { OnlineFeatures } from '../features/index.js';
import type { ModelBundle } from '../registry/index.js';
import { didYouMean } from '../spec/index.js';
import type { CanaryCheck, CanaryPolicy } from './canary-analysis.js';
import { CanaryController, type CheckOutcome, type CostSource } from './canary-controller.js';
import type { RowScore } from './decision.js';
import {
  type DeploymentSource,
  type DeploymentState,
  type ServedVersion,
  versionKey,
} from './deployment-source.js';
import type {
  FieldError,
  ModelHost,
  ModelMetadata,
  PredictOutcome,
  PredictRequest,
  ScoredRow,
} from './host.js';
import { beforeDeadline, checkDeadline } from './inference-timeout.js';
import type { LeaderElection } from './leader-election.js';
import { modelMetadata } from './model-metadata.js';
import { type FilledRows, fillOnlineFeatures } from './online-fill.js';
import { loggedEntity, loggedEventTime } from './prediction-key.js';
import type { PredictionLogEntry, PredictionLogger, Route } from './prediction-logger.js';
import { routingBucket, routingKeyOf } from './routing.js';
import { createScorer, type Scorer } from './scorer.js';
import type { ServingMinutes } from './serving-minutes.js';
import { type PredictionObservation, ServingStats, type VersionStats } from './serving-stats.js';
import { VersionWindow, type WindowSnapshot } from './version-window.js';

export interface ControllerSettings {
  readonly policy?: Partial<CanaryPolicy>;
  readonly cost?: CostSource;
  /** Read canary windows from shared storage (every replica's traffic) instead of this process. */
  readonly readWindow?: (version: string, since: Date, until: Date) => Promise<WindowSnapshot>;
  readonly clock?: () => Date;
  readonly actor?: string;
  readonly onCheck?: (check: CanaryCheck, outcome: CheckOutcome['action']) => void;
}

export interface RegistryModelHostOptions {
  /** Where predictions are logged; the host closes it on close(). */
  readonly logger: PredictionLogger;
  /** The model names to serve, or how to list them (e.g. every registered model). */
  readonly models: readonly string[] | (() => Promise<readonly string[]>);
  /** How often the registry's change token is polled (default 500 ms; 0: never, call refresh()). */
  readonly pollIntervalMs?: number;
  /** A request whose scoring and logging take longer is rejected (default 5000 ms). */
  readonly inferenceTimeoutMs?: number;
  /** Run the canary controller here (on one replica only). */
  readonly controller?: boolean | ControllerSettings;
  /**
   * With a controller: run it only while this replica leads (started on
   * becoming leader, stopped on losing it). Without: it always runs.
   */
  readonly leadership?: Pick<LeaderElection, 'isLeader' | 'onChange'>;
  /** Called after every scoring, e.g. to feed Prometheus metrics. */
  readonly onObservation?: (observation: PredictionObservation) => void;
  /** Background failures: a bundle that does not load, a shadow log that fails, a poll error. */
  readonly onError?: (error: unknown, context: string) => void;
  /** Draws for requests without a routing key (default Math.random). */
  readonly random?: () => number;
  /**
   * The online store that fills point-in-time features a request leaves
   * out; served bundles register their event tables with it.
   */
  readonly features?: OnlineFeatures;
  /** Requests and failures per version and minute (the error budget's data). */
  readonly servingMinutes?: ServingMinutes;
  /**
   * The time predictions are logged at (default: now). A replay on an
   * accelerated clock passes its own, so windows, labels and lateness follow
   * the replayed time.
   */
  readonly clock?: () => Date;
}

interface Slot {
  readonly key: string;
  readonly version: ServedVersion;
  readonly scorer: Scorer;
}

interface Live {
  readonly name: string;
  readonly champion: Slot;
  readonly canary?: { readonly slot: Slot; readonly weight: number; readonly shadow: boolean };
  readonly token: string | undefined;
}

/** The rows one version scores: the request's, with that version's online features filled in. */
interface SlotInput {
  readonly rows: PredictRequest['rows'];
  /** Per row, what was looked up (undefined: nothing). */
  readonly notes: FilledRows['notes'] | undefined;
}

/** One group of rows scored by one version. */
interface Scored {
  readonly slot: Slot;
  readonly route: Route;
  readonly input: SlotInput;
  readonly indices: readonly number[];
  readonly scores: readonly RowScore[];
  readonly latencyMs: number;
}

/** Versions kept loaded after they stop being served. */
const RETAINED_VERSIONS = 4;

const sameSlot = (a: Slot | undefined, b: Slot | undefined) => a?.key === b?.key;

const onlineSignature = (slot: Slot) =>
  (slot.scorer.bundle.online?.features ?? []).map((f) => `${f.name}@${f.version}`).join(',');
const sameOnline = (a: Slot, b: Slot) => onlineSignature(a) === onlineSignature(b);

/**
 * @example
 * const host = await RegistryModelHost.open(registry, {
 *   logger: new PredictionLogger(stores.metadata),
 *   models: async () => (await registry.listModels()).map((m) => m.name),
 *   controller: true,
 * });
 * const outcome = await host.predict('churn', { rows: [{ tenure: 4 }], requestId: 'r1' });
 */
export class RegistryModelHost implements ModelHost {
  readonly #source: DeploymentSource;
  readonly #options: RegistryModelHostOptions;
  readonly #timeoutMs: number;
  readonly #random: () => number;
  #names: readonly string[] = [];
  #live = new Map<string, Live>();
  #token: string | undefined;
  readonly #scorers = new Map<string, Promise<Scorer>>();
  /** Loaded versions no longer served, oldest first. */
  #retired: string[] = [];
  readonly #windows = new Map<string, VersionWindow>();
  readonly #stats = new ServingStats();
  readonly #background = new Set<Promise<unknown>>();
  #refreshing: Promise<boolean> | undefined;
  #queuedRefresh: Promise<boolean> | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #controller: CanaryController | undefined;
  /** Controllers stopped on losing leadership, finishing their last check. */
  #controllerStops: Promise<unknown> = Promise.resolve();
  #unsubscribeLeadership: (() => void) | undefined;
  #closed = false;

  constructor(source: DeploymentSource, options: RegistryModelHostOptions) {
    this.#source = source;
    this.#options = options;
    this.#timeoutMs = options.inferenceTimeoutMs ?? 5000;
    this.#random = options.random ?? Math.random;
  }

  /** A host with its deployments loaded, polling for changes and running the controller if asked. */
  static async open(
    source: DeploymentSource,
    options: RegistryModelHostOptions,
  ): Promise<RegistryModelHost> {
    const host = new RegistryModelHost(source, options);
    await host.refresh();
    host.start();
    return host;
  }

  /** Starts polling and (if configured) the canary controller. */
  start(): void {
    const interval = this.#options.pollIntervalMs ?? 500;
    if (interval > 0 && this.#poll === undefined) {
      this.#poll = setInterval(() => {
        this.refresh().catch((err) => this.#report(err, 'polling the registry'));
      }, interval);
      this.#poll.unref?.();
    }
    const { controller, leadership } = this.#options;
    if (!controller || this.#controller !== undefined || this.#unsubscribeLeadership) return;
    if (leadership === undefined) {
      this.#switchController(true);
      return;
    }
    this.#unsubscribeLeadership = leadership.onChange(({ leader }) =>
      this.#switchController(leader),
    );
    if (leadership.isLeader()) this.#switchController(true);
  }

  names(): readonly string[] {
    return this.#names;
  }

  ready(name: string): boolean {
    return !this.#closed && this.#live.has(name);
  }

  metadata(name: string): ModelMetadata | undefined {
    const live = this.#live.get(name);
    if (live === undefined) return undefined;
    const versions = [live.champion, live.canary?.slot].filter((s) => s !== undefined);
    return modelMetadata(
      name,
      versions.map((s) => String(s.version.version)),
      live.champion.scorer,
    );
  }

  /** Per-version counters since start (requests, rows, errors, latency). */
  stats(): VersionStats[] {
    return this.#stats.snapshot();
  }

  /** The canary controller, when this host runs it (for a manual tick in tests). */
  get controller(): CanaryController | undefined {
    return this.#controller;
  }

  /**
   * Reloads deployments whose change token moved. Bundles load before the
   * switch; a bundle that fails to load keeps what was served (and is retried
   * at the next poll). Resolves true when something changed.
   */
  refresh(): Promise<boolean> {
    if (this.#refreshing === undefined) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = undefined;
      });
      return this.#refreshing;
    }
    // A change may have landed after the running refresh read the token: read it again after.
    this.#queuedRefresh ??= this.#refreshing
      .catch(() => false)
      .then(() => {
        this.#queuedRefresh = undefined;
        return this.refresh();
      });
    return this.#queuedRefresh;
  }

  async predict(name: string, request: PredictRequest): Promise<PredictOutcome> {
    if (this.#closed) {
      throw new FlywheelError('STORE_UNAVAILABLE', 'the server is shutting down; retry elsewhere');
    }
    const live = this.#live.get(name);
    if (live === undefined) {
      throw new FlywheelError(
        'NOT_FOUND',
        `no model "${name}" is served here${didYouMean(name, this.#names)}`,
      );
    }
    const deadline = performance.now() + this.#timeoutMs;
    checkDeadline(deadline, this.#timeoutMs, request.signal);
    const at = this.#options.clock?.() ?? new Date();
    const { rows } = request;
    const canary = live.canary;
    // Each version gets the online features its bundle defines (usually the same: one lookup).
    const championInput = await this.#fill(live.champion, rows, at);
    const canaryInput =
      canary === undefined || sameOnline(canary.slot, live.champion)
        ? championInput
        : await this.#fill(canary.slot, rows, at);
    const toCanary: number[] = [];
    const toChampion: number[] = [];
    if (canary === undefined || canary.weight <= 0) {
      for (let i = 0; i < rows.length; i++) toChampion.push(i);
    } else {
      const entity = live.champion.scorer.bundle.entity;
      const draw = this.#random() * 100;
      for (let i = 0; i < rows.length; i++) {
        const key = routingKeyOf(rows[i], entity, request.routingKey);
        const bucket = key === undefined ? draw : routingBucket(key, canary.slot.key);
        (bucket < canary.weight ? toCanary : toChampion).push(i);
      }
    }
    const served = canary !== undefined && !canary.shadow && toCanary.length > 0;
    const groups: Scored[] = [];
    const errors: FieldError[] = [];
    const everyRow = () => Array.from(rows, (_, i) => i);
    let championRows = served ? toChampion : everyRow();
    if (served) {
      const result = this.#score(name, canary.slot, 'canary', canaryInput, toCanary);
      // A canary that fails leaves its rows to the champion: the client sees no error.
      if (result === undefined) championRows = everyRow();
      else if ('errors' in result) errors.push(...result.errors);
      else groups.push(result);
    }
    if (championRows.length > 0) {
      const result = this.#score(name, live.champion, 'champion', championInput, championRows);
      if (result === undefined) {
        throw new FlywheelError('INTERNAL', `model ${live.champion.key} failed to score the rows`);
      }
      if ('errors' in result) errors.push(...result.errors);
      else groups.push(result);
    }
    if (errors.length > 0) {
      return { ok: false, errors: errors.sort((a, b) => a.row - b.row) };
    }
    // Too slow is a failure of the version that was slow (it counts against a canary).
    const late = request.signal?.aborted === true || performance.now() > deadline;
    for (const group of groups) this.#observe(name, group, !late);
    const record = (ok: boolean) => {
      for (const group of groups) {
        this.#options.servingMinutes?.record(group.slot.key, ok, at.getTime());
      }
    };
    if (late) record(false);
    checkDeadline(deadline, this.#timeoutMs, request.signal);

    const answer: ScoredRow[] = new Array(rows.length);
    const entries: PredictionLogEntry[] = new Array(rows.length);
    for (const group of groups) this.#collect(group, at, answer, entries);
    try {
      await beforeDeadline(
        this.#options.logger.log(entries),
        deadline,
        this.#timeoutMs,
        request.signal,
      );
    } catch (err) {
      // Not logged, so not answered: a failure of every version that scored.
      record(false);
      throw err;
    }
    record(true);
    if (canary?.shadow && toCanary.length > 0) {
      this.#shadow(name, canary.slot, canaryInput, toCanary, at);
    }
    return { ok: true, rows: answer };
  }

  /** Stops polling and the controller, finishes shadow work and drains the prediction log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    this.#poll = undefined;
    this.#unsubscribeLeadership?.();
    this.#switchController(false);
    await this.#controllerStops;
    await this.#refreshing?.catch(() => undefined);
    await Promise.allSettled([...this.#background]);
    await this.#options.logger.close();
    await this.#options.servingMinutes?.close();
  }

  /**
   * Scores rows `indices` of `rows` with one version. Field errors come back
   * with the request's row numbers; undefined when the model itself failed
   * (counted as an error of that version).
   */
  #score(
    name: string,
    slot: Slot,
    route: Route,
    input: SlotInput,
    indices: readonly number[],
  ): Scored | { errors: FieldError[] } | undefined {
    const { rows } = input;
    const subset = indices.length === rows.length ? rows : indices.map((i) => rows[i]);
    // (Indices are ascending, so all of them means every row in order.)
    const started = performance.now();
    try {
      const result = slot.scorer.score(subset);
      if (!result.ok) {
        return { errors: result.errors.map((e) => ({ ...e, row: indices[e.row] ?? e.row })) };
      }
      return {
        slot,
        route,
        input,
        indices,
        scores: result.rows,
        latencyMs: performance.now() - started,
      };
    } catch (err) {
      const latencyMs = performance.now() - started;
      this.#report(err, `scoring with ${slot.key}`);
      this.#observe(name, { slot, route, input, indices, scores: [], latencyMs }, false);
      this.#options.servingMinutes?.record(slot.key, false);
      return undefined;
    }
  }

  #collect(group: Scored, at: Date, answer: ScoredRow[], entries: PredictionLogEntry[]): void {
    const { rows, notes } = group.input;
    const { entity, eventTime } = group.slot.scorer.bundle;
    group.indices.forEach((row, j) => {
      const s = group.scores[j]!;
      const predictionId = randomUUID();
      answer[row] = {
        predictionId,
        score: s.score,
        decision: s.decision,
        ...(s.probabilities === undefined ? {} : { probabilities: s.probabilities }),
        modelVersion: group.slot.key,
      };
      entries[row] = {
        id: predictionId,
        at,
        modelVersion: group.slot.key,
        inputs: rows[row],
        outputs: s,
        latencyMs: group.latencyMs,
        route: group.route,
        ...(notes?.[row] === undefined ? {} : { features: notes[row] }),
        entity: loggedEntity(rows[row], entity),
        eventTime: loggedEventTime(rows[row], eventTime),
      };
    });
  }

  #observe(name: string, group: Scored, ok: boolean): void {
    const observation: PredictionObservation = {
      model: name,
      modelVersion: group.slot.key,
      route: group.route,
      rows: group.indices.length,
      latencyMs: group.latencyMs,
      ok,
    };
    this.#stats.record(observation);
    const scores = group.scores.map((s) => s.score);
    this.#window(group.slot.key).record(group.latencyMs, ok, scores);
    this.#options.onObservation?.(observation);
  }

  /** The canary scores the rows too, after the answer; logged as `shadow`, never returned. */
  #shadow(name: string, slot: Slot, input: SlotInput, indices: readonly number[], at: Date): void {
    const work = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const result = this.#score(name, slot, 'shadow', input, indices);
      if (result === undefined || 'errors' in result) return;
      const entries: PredictionLogEntry[] = [];
      const answer: ScoredRow[] = [];
      this.#collect(result, at, answer, entries);
      this.#observe(name, result, true);
      await this.#options.logger.log(entries.filter((e) => e !== undefined));
    });
    const tracked = work.catch((err) => this.#report(err, `shadow scoring with ${slot.key}`));
    this.#background.add(tracked);
    tracked.finally(() => this.#background.delete(tracked));
  }

  #window(key: string): VersionWindow {
    let window = this.#windows.get(key);
    if (window === undefined) {
      window = new VersionWindow();
      this.#windows.set(key, window);
    }
    return window;
  }

  async #refresh(): Promise<boolean> {
    const token = await this.#source.changeToken();
    if (token === this.#token) return false;
    const models = this.#options.models;
    const names = typeof models === 'function' ? await models() : models;
    const next = new Map<string, Live>();
    let complete = true;
    for (const name of names) {
      const current = this.#live.get(name);
      try {
        const state = await this.#source.deployment(name).catch((err: unknown) => {
          // A listed model that has no version yet is simply not served.
          if (err instanceof FlywheelError && err.code === 'NOT_FOUND') return undefined;
          throw err;
        });
        const live = await this.#load(name, state, current);
        if (live !== undefined) next.set(name, live);
        if (live !== undefined && state?.canary !== undefined && live.canary === undefined) {
          complete = false;
        }
      } catch (err) {
        complete = false;
        this.#report(err, `loading the deployment of ${name}`);
        if (current !== undefined) next.set(name, current);
      }
    }
    const changed = this.#swap(names, next);
    if (complete) this.#token = token;
    return changed;
  }

  async #load(
    name: string,
    state: DeploymentState | undefined,
    current: Live | undefined,
  ): Promise<Live | undefined> {
    if (state?.champion === undefined) return undefined;
    if (
      current !== undefined &&
      state.changeToken !== undefined &&
      current.token === state.changeToken
    ) {
      return current;
    }
    const champion = await this.#slot(state.champion);
    let canary: Live['canary'];
    if (state.canary !== undefined) {
      try {
        const slot = await this.#slot(state.canary.version);
        canary = { slot, weight: state.canary.weight, shadow: state.canary.shadow };
      } catch (err) {
        // The champion serves alone; the next poll retries the canary.
        this.#report(err, `loading canary ${versionKey(state.canary.version)} of ${name}`);
        return { name, champion, token: undefined };
      }
    }
    return {
      name,
      champion,
      ...(canary === undefined ? {} : { canary }),
      token: state.changeToken,
    };
  }

  #slot(version: ServedVersion): Promise<Slot> {
    const key = versionKey(version);
    let scorer = this.#scorers.get(key);
    if (scorer === undefined) {
      scorer = this.#source.loadBundle(version).then((bundle) => {
        this.#registerOnline(bundle);
        return createScorer(bundle);
      });
      this.#scorers.set(key, scorer);
      scorer.catch(() => this.#scorers.delete(key));
    }
    return scorer.then((s) => ({ key, version, scorer: s }));
  }

  /** Replaces the served deployments in one step and forgets versions no longer served. */
  #swap(names: readonly string[], next: Map<string, Live>): boolean {
    let changed = names.length !== this.#names.length || next.size !== this.#live.size;
    for (const [name, live] of next) {
      const before = this.#live.get(name);
      if (
        before === undefined ||
        !sameSlot(before.champion, live.champion) ||
        !sameSlot(before.canary?.slot, live.canary?.slot)
      ) {
        // A new pairing starts the canary windows afresh.
        this.#windows.delete(live.champion.key);
        if (live.canary) this.#windows.delete(live.canary.slot.key);
      }
      if (before !== live) changed = true;
    }
    this.#names = names;
    this.#live = next;
    const used = new Set<string>();
    for (const live of next.values()) {
      used.add(live.champion.key);
      if (live.canary) used.add(live.canary.slot.key);
    }
    // Versions no longer served stay loaded for a while: a rollback is instant.
    this.#retired = this.#retired.filter((key) => !used.has(key));
    for (const key of this.#scorers.keys()) {
      if (!used.has(key) && !this.#retired.includes(key)) this.#retired.push(key);
    }
    while (this.#retired.length > RETAINED_VERSIONS) this.#scorers.delete(this.#retired.shift()!);
    for (const key of [...this.#windows.keys()]) if (!used.has(key)) this.#windows.delete(key);
    return changed;
  }

  /**
   * Starts the canary controller (a fresh one: a new leader counts the
   * canary's checks from zero) or stops it (a check in progress finishes).
   */
  #switchController(on: boolean): void {
    const settings = this.#options.controller;
    if (!settings) return;
    if (on && !this.#closed && this.#controller === undefined) {
      this.#controller = this.#createController(settings === true ? {} : settings);
      this.#controller.start();
    } else if (!on && this.#controller !== undefined) {
      const stopping = this.#controller;
      this.#controller = undefined;
      this.#controllerStops = Promise.all([this.#controllerStops, stopping.stop()]);
    }
  }

  #createController(settings: ControllerSettings): CanaryController {
    return new CanaryController({
      ...settings,
      targets: () =>
        [...this.#live.values()].flatMap((live) => {
          if (live.canary === undefined) return [];
          const budget = live.canary.slot.scorer.bundle.latencyBudget?.p99_ms;
          return [
            {
              name: live.name,
              champion: live.champion.key,
              canary: live.canary.slot.key,
              ...(budget === undefined ? {} : { latencyBudgetP99Ms: budget }),
            },
          ];
        }),
      takeWindow: (key) => this.#window(key).take(),
      endCanary: async (request) => {
        // A leader whose lease lapsed (a frozen or stalled process) must not act on its old judgement.
        if (this.#options.leadership?.isLeader() === false) {
          throw new FlywheelError(
            'CONFLICT',
            'this replica no longer leads; the leader judges the canary',
          );
        }
        await this.#source.endCanary(request);
        await this.refresh();
      },
      onError: (err) => this.#report(err, 'ending a canary'),
    });
  }

  /** The rows as `slot` scores them: with its online features filled in, when it has any. */
  async #fill(slot: Slot, rows: PredictRequest['rows'], at: Date): Promise<SlotInput> {
    const online = this.#options.features;
    if (online === undefined) return { rows, notes: undefined };
    const filled = await fillOnlineFeatures(online, [slot.scorer.bundle], rows, at);
    return filled ?? { rows, notes: undefined };
  }

  /** Lets the online store accept the events behind a served bundle's features. */
  #registerOnline(bundle: ModelBundle): void {
    if (bundle.online === undefined || this.#options.features === undefined) return;
    try {
      this.#options.features.addDefinitions(bundle.online);
    } catch (err) {
      this.#report(err, `registering the online features of ${bundle.name}`);
    }
  }

  #report(error: unknown, context: string): void {
    this.#options.onError?.(error, context);
  }
}
