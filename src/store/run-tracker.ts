/**
 * RunTracker: the run lifecycle over the MetadataStore. A run records what made
 * it (spec hash, data snapshot, code version, git commit, seed, params) so any
 * result can be traced and reproduced, plus the owning pid and host so a run
 * left RUNNING by a killed process can be marked FAILED on the next start.
 */
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { FlywheelError } from '../errors.js';
import type { ArtifactRef, ArtifactSource, ArtifactStore } from './artifacts/artifact-store.js';
import { assertSha256 } from './artifacts/artifact-store.js';
import { type CodeVersion, detectCodeVersion } from './code-version.js';
import { displayId } from './codec.js';
import type { MetadataStore } from './metadata-store.js';
import { isProcessAlive } from './process-alive.js';
import {
  type MetricPoint,
  RUN_STATUSES,
  type Run,
  type RunArtifact,
  type RunFilter,
  type TerminalRunStatus,
} from './records.js';

export interface StartRunOptions {
  kind: string;
  parentRunId?: string;
  specHash?: string;
  snapshotId?: string;
  seed?: number;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
}

export interface RunTrackerOptions {
  /** Where `logArtifact` stores bytes; without it only existing refs can be logged. */
  artifacts?: ArtifactStore;
  /** Overrides for tests: clock, identity of this process, code version. */
  now?: () => Date;
  pid?: number;
  hostname?: string;
  codeVersion?: () => Promise<CodeVersion>;
}

/**
 * Starts, records and finishes runs.
 *
 * @example
 * const tracker = new RunTracker(stores.metadata, { artifacts: stores.artifacts });
 * const run = await tracker.startRun({ kind: 'train', seed: 42, params: { depth: 6 } });
 * await tracker.logMetric(run.id, 'auc', 0.91);
 * await tracker.finishRun(run.id, 'FINISHED');
 */
export class RunTracker {
  readonly #metadata: MetadataStore;
  readonly #artifacts: ArtifactStore | undefined;
  readonly #now: () => Date;
  readonly #pid: number;
  readonly #hostname: string;
  readonly #codeVersion: () => Promise<CodeVersion>;

  constructor(metadata: MetadataStore, options: RunTrackerOptions = {}) {
    this.#metadata = metadata;
    this.#artifacts = options.artifacts;
    this.#now = options.now ?? (() => new Date());
    this.#pid = options.pid ?? process.pid;
    this.#hostname = options.hostname ?? osHostname();
    this.#codeVersion = options.codeVersion ?? detectCodeVersion;
  }

  async startRun(options: StartRunOptions): Promise<Run> {
    if (!options.kind) throw new FlywheelError('USAGE', 'a run needs a kind');
    if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
      throw new FlywheelError('USAGE', 'seed must be an integer');
    }
    if (options.parentRunId !== undefined) await this.getRun(options.parentRunId);
    const code = await this.#codeVersion();
    const run: Run = {
      id: randomUUID(),
      kind: options.kind,
      status: 'RUNNING',
      startedAt: this.#now().toISOString(),
      endedAt: null,
      parentRunId: options.parentRunId ?? null,
      specHash: options.specHash ?? null,
      snapshotId: options.snapshotId ?? null,
      codeVersion: code.version,
      gitCommit: code.gitCommit,
      seed: options.seed ?? null,
      params: options.params ?? {},
      tags: options.tags ?? {},
      error: null,
      pid: this.#pid,
      hostname: this.#hostname,
    };
    await this.#metadata.insertRun(run);
    return run;
  }

  /** Appends one value to the metric series `key` (step defaults to 0). */
  logMetric(runId: string, key: string, value: number, step = 0): Promise<void> {
    return this.logMetrics(runId, { [key]: value }, step);
  }

  /** Appends several metrics at one step in one write. */
  async logMetrics(runId: string, values: Record<string, number>, step = 0): Promise<void> {
    if (!Number.isSafeInteger(step)) throw new FlywheelError('USAGE', 'step must be an integer');
    const at = this.#now().toISOString();
    const points: MetricPoint[] = Object.entries(values).map(([key, value]) => {
      if (key === '') throw new FlywheelError('USAGE', 'metric key must not be empty');
      if (typeof value !== 'number') {
        throw new FlywheelError('USAGE', `metric ${key} must be a number`);
      }
      return { runId, key, step, value, at };
    });
    if (points.length > 0) await this.#metadata.insertMetrics(points);
  }

  /**
   * Attaches an artifact to a run under `name`: bytes or a stream are stored in
   * the artifact store first; an existing `{ sha256, size }` is referenced.
   */
  async logArtifact(
    runId: string,
    name: string,
    source: ArtifactSource | ArtifactRef,
    options: { mediaType?: string } = {},
  ): Promise<RunArtifact> {
    if (name === '') throw new FlywheelError('USAGE', 'artifact name must not be empty');
    let ref: ArtifactRef;
    if (isArtifactRef(source)) {
      assertSha256(source.sha256);
      const stored = await this.#artifacts?.stat(source.sha256);
      if (this.#artifacts !== undefined && stored?.size !== source.size) {
        throw new FlywheelError('NOT_FOUND', `artifact sha256:${source.sha256} is not stored`);
      }
      ref = source;
    } else {
      ref = await this.#requireArtifacts().put(source);
    }
    const artifact: RunArtifact = {
      runId,
      name,
      sha256: ref.sha256,
      size: ref.size,
      mediaType: options.mediaType ?? null,
      at: this.#now().toISOString(),
    };
    await this.#metadata.insertRunArtifact(artifact);
    return artifact;
  }

  /** Merges tags into the run's tags and returns the result. */
  setTags(runId: string, tags: Record<string, string>): Promise<Record<string, string>> {
    for (const [key, value] of Object.entries(tags)) {
      if (typeof value !== 'string') {
        throw new FlywheelError('USAGE', `tag ${displayId(key)} must be a string`);
      }
    }
    return this.#metadata.mergeRunTags(runId, tags);
  }

  /** Moves a RUNNING run to a terminal status; CONFLICT if it already ended. */
  async finishRun(runId: string, status: TerminalRunStatus, error?: string): Promise<Run> {
    if (!TERMINAL_STATUSES.includes(status)) {
      throw new FlywheelError('USAGE', 'a run can only finish as FINISHED, FAILED or KILLED');
    }
    const patch = { status, endedAt: this.#now().toISOString(), error: error ?? null };
    if (!(await this.#metadata.updateRun(runId, patch, 'RUNNING'))) {
      const run = await this.getRun(runId);
      throw new FlywheelError('CONFLICT', `run ${displayId(runId)} already ended as ${run.status}`);
    }
    return this.getRun(runId);
  }

  /** The run with `id`; NOT_FOUND when there is none. */
  async getRun(id: string): Promise<Run> {
    const run = await this.#metadata.findRun(id);
    if (run === undefined) {
      throw new FlywheelError('NOT_FOUND', `run ${displayId(id)} does not exist`);
    }
    return run;
  }

  listRuns(filter: RunFilter = {}): Promise<Run[]> {
    return this.#metadata.listRuns(filter);
  }

  listMetrics(runId: string, key?: string): Promise<MetricPoint[]> {
    return this.#metadata.listMetrics(runId, key);
  }

  listArtifacts(runId: string): Promise<RunArtifact[]> {
    return this.#metadata.listRunArtifacts(runId);
  }

  /**
   * Marks FAILED every RUNNING run owned by a process on this host that no
   * longer exists (killed, crashed, OOM). Returns the runs it marked.
   */
  async reapOrphanedRuns(): Promise<Run[]> {
    const reaped: Run[] = [];
    for (const run of await this.#metadata.listRunningRuns(this.#hostname)) {
      if (run.pid === null || run.pid === this.#pid || isProcessAlive(run.pid)) continue;
      const error = `orphaned: process ${run.pid} on ${this.#hostname} exited without finishing the run`;
      const patch = { status: 'FAILED' as const, endedAt: this.#now().toISOString(), error };
      if (await this.#metadata.updateRun(run.id, patch, 'RUNNING')) {
        reaped.push({ ...run, ...patch });
      }
    }
    return reaped;
  }

  #requireArtifacts(): ArtifactStore {
    if (this.#artifacts === undefined) {
      throw new FlywheelError('USAGE', 'this RunTracker has no artifact store to put bytes in');
    }
    return this.#artifacts;
  }
}

const TERMINAL_STATUSES: readonly string[] = RUN_STATUSES.filter((s) => s !== 'RUNNING');

function isArtifactRef(source: ArtifactSource | ArtifactRef): source is ArtifactRef {
  return (
    !(source instanceof Uint8Array) &&
    !(Symbol.asyncIterator in source) &&
    typeof (source as ArtifactRef).sha256 === 'string'
  );
}
