/**
 * The model registry: immutable versions of model bundles, aliases pointing
 * at them (`champion`, `canary`, any other identifier) with the full history
 * of their moves (who, when, why, evidence), and the canary's traffic state.
 * Policy lives here (blessing, smoke check, canary rules); the store keeps
 * alias rows and their history consistent under concurrent writers, and
 * every change is written together with its audit record.
 */
import { FlywheelError } from '../errors.js';
import {
  type AliasMoveRecord,
  type ArtifactStore,
  displayId,
  type MetadataStore,
  type ModelVersionRecord,
  type Stores,
} from '../store/index.js';
import { BUNDLE_MEDIA_TYPE, type ModelBundle } from './bundle.js';
import { checkBundle } from './bundle-check.js';
import { canonicalJson } from './canonical-json.js';
import {
  assertActor,
  assertAliasName,
  assertModelName,
  assertReason,
  assertVersion,
  CANARY,
  CHAMPION,
  formatVersionRef,
  parseModelRef,
} from './refs.js';
import { loadAndScore, type SmokeCheck } from './smoke-check.js';

/** A registered, immutable model version. */
export type ModelVersion = ModelVersionRecord;
/** One move of an alias: from which version to which, who, when, why, on what evidence. */
export type AliasMove = AliasMoveRecord;

/** What a model name serves now. */
export interface Deployment {
  name: string;
  champion: ModelVersion | undefined;
  canary?: { version: ModelVersion; weight: number; shadow: boolean; startedAt: string };
  /** The registry's change token when this was read (see `changeToken`). */
  changeToken: string;
}

export const CANARY_OUTCOMES = ['promoted', 'rolled_back', 'aborted'] as const;
export type CanaryOutcome = (typeof CANARY_OUTCOMES)[number];

export interface ModelRegistryOptions {
  /** The clock moves and registrations are stamped with (tests). */
  now?: () => Date;
}

/** The name of the run artifact a registered bundle is attached as. */
const RUN_ARTIFACT_NAME = 'bundle.json';
const HISTORY_LIMIT = 100_000;

/**
 * Registers bundles and moves aliases.
 *
 * @example
 * const registry = new ModelRegistry(stores);
 * const v = await registry.register(bundle, { actor: 'ann' });
 * await registry.moveAlias({ name: v.name, alias: 'champion', version: v.version,
 *   actor: 'ann', reason: 'passes the gate, beats v1 on cost' });
 * (await registry.resolve('churn')).version; // v.version
 */
export class ModelRegistry {
  readonly #metadata: MetadataStore;
  readonly #artifacts: ArtifactStore;
  readonly #now: () => Date;

  constructor(stores: Pick<Stores, 'metadata' | 'artifacts'>, options: ModelRegistryOptions = {}) {
    this.#metadata = stores.metadata;
    this.#artifacts = stores.artifacts;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Registers a bundle as the next version of its model; the same bundle
   * (same canonical JSON, same sha256) returns the version it already has.
   * The bundle must be well-formed and its model must load. Audited.
   */
  async register(bundle: ModelBundle, opts: { actor: string }): Promise<ModelVersion> {
    assertActor(opts.actor);
    const checked = checkBundle(bundle, { code: 'USAGE', loadModel: true });
    // The artifact is durable before the version row exists, so a crash in
    // between leaves an unreferenced blob, never a version without a bundle.
    const ref = await this.#artifacts.put(Buffer.from(canonicalJson(checked)));
    const at = this.#now().toISOString();
    return this.#metadata.transaction(async (tx) => {
      const { record, created } = await tx.registerModelVersion({
        name: checked.name,
        bundleSha256: ref.sha256,
        runId: checked.lineage.runId,
        snapshotId: checked.lineage.snapshotId,
        specHash: checked.specHash,
        rung: checked.rung,
        blessed: checked.blessing.passed,
        createdAt: at,
        createdBy: opts.actor,
      });
      if (!created) return record;
      const run = await tx.findRun(record.runId);
      const attached = await (run ? tx.listRunArtifacts(run.id) : Promise.resolve([]));
      if (run && !attached.some((a) => a.name === RUN_ARTIFACT_NAME)) {
        await tx.insertRunArtifact({
          runId: run.id,
          name: RUN_ARTIFACT_NAME,
          sha256: ref.sha256,
          size: ref.size,
          mediaType: BUNDLE_MEDIA_TYPE,
          at,
        });
      }
      await tx.audit({
        actor: opts.actor,
        action: 'model.register',
        objectType: 'model',
        objectId: record.name,
        details: {
          version: record.version,
          bundleSha256: record.bundleSha256,
          runId: record.runId,
          snapshotId: record.snapshotId,
          specHash: record.specHash,
          rung: record.rung,
          blessed: record.blessed,
        },
        at,
      });
      return record;
    });
  }

  /** Every model by name, with its number of versions and where its aliases point. */
  listModels(): Promise<{ name: string; versions: number; aliases: Record<string, number> }[]> {
    return this.#metadata.listModels();
  }

  /** The versions of a model, oldest first (none for an unknown name). */
  async listVersions(name: string): Promise<ModelVersion[]> {
    assertModelName(name);
    return this.#metadata.listModelVersions(name);
  }

  /** One version; NOT_FOUND naming the versions that exist. */
  async getVersion(name: string, version: number): Promise<ModelVersion> {
    assertModelName(name);
    assertVersion(version);
    const found = await this.#metadata.findModelVersion(name, version);
    if (found) return found;
    const versions = await this.#metadata.listModelVersions(name);
    if (versions.length === 0) throw unknownModel(name);
    throw new FlywheelError('NOT_FOUND', `model ${name} has no version ${version}`, {
      hint: `its versions are 1 to ${versions.at(-1)!.version}`,
    });
  }

  /**
   * The version a reference points at: `name@3`, `name@v3`, `name@alias`, or
   * `name` (its champion). USAGE when malformed, NOT_FOUND when unset.
   */
  async resolve(ref: string): Promise<ModelVersion> {
    const parsed = parseModelRef(ref);
    if ('version' in parsed) return this.getVersion(parsed.name, parsed.version);
    const version = await this.#metadata.currentAlias(parsed.name, parsed.alias);
    if (version !== null) return this.getVersion(parsed.name, version);
    await this.#assertModelExists(parsed.name);
    const aliases = Object.keys(await this.#metadata.listAliases(parsed.name));
    throw new FlywheelError('NOT_FOUND', `model ${parsed.name} has no alias ${parsed.alias}`, {
      hint:
        aliases.length > 0
          ? `its aliases are: ${aliases.join(', ')}`
          : 'it has no aliases yet; promote a version with `flywheel models promote`',
    });
  }

  /** The bundle of a version, read back and verified against its sha256 (ARTIFACT_CORRUPT otherwise). */
  async loadBundle(v: ModelVersion): Promise<ModelBundle> {
    const bytes = await this.#artifacts.get(v.bundleSha256);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new FlywheelError('ARTIFACT_CORRUPT', `bundle of ${v.name}@${v.version} is not JSON`, {
        cause: err,
      });
    }
    const bundle = checkBundle(parsed, { code: 'ARTIFACT_CORRUPT' });
    if (bundle.name !== v.name) {
      throw new FlywheelError(
        'ARTIFACT_CORRUPT',
        `bundle of ${v.name}@${v.version} names another model`,
      );
    }
    return bundle;
  }

  /** Where the aliases of a model point now. */
  async aliases(name: string): Promise<Record<string, number>> {
    assertModelName(name);
    return this.#metadata.listAliases(name);
  }

  /**
   * Points an alias at a version. Champion requires a blessed version
   * (GATE_FAILED otherwise, unless `requireBlessing: false`); the smoke check
   * (default: the model loads and scores a row of missing values) must pass,
   * or nothing is recorded. The move goes to the alias history and the audit
   * log in one transaction; CONFLICT when someone moved the alias meanwhile.
   * Moving an alias to the version it holds returns its last move.
   */
  async moveAlias(opts: {
    name: string;
    alias: string;
    version: number;
    actor: string;
    reason: string;
    evidence?: unknown;
    smokeCheck?: SmokeCheck;
    requireBlessing?: boolean;
  }): Promise<AliasMove> {
    const { name, alias } = opts;
    checkChange(opts);
    assertAliasName(alias);
    if (alias === CANARY) throw canaryReserved();
    const version = await this.getVersion(name, opts.version);
    const requireBlessing = opts.requireBlessing ?? alias === CHAMPION;
    if (requireBlessing) assertBlessed(version);
    const from = await this.#metadata.currentAlias(name, alias);
    if (from === version.version) return (await this.#metadata.lastAliasMove(name, alias))!;
    await this.#smokeCheck(version, opts.smokeCheck);
    const at = this.#now().toISOString();
    return this.#metadata.transaction(async (tx) => {
      const move = await tx.moveAlias({
        name,
        alias,
        action: 'promote',
        toVersion: version.version,
        expectedFrom: from,
        at,
        actor: opts.actor,
        reason: opts.reason,
        evidence: opts.evidence ?? null,
      });
      await tx.audit(
        moveAudit(move!, 'model.alias.move', { blessed: version.blessed, requireBlessing }),
      );
      return move!;
    });
  }

  /** Unsets an alias (recorded like a move, to `null`). NOT_FOUND when it is not set. */
  async removeAlias(opts: {
    name: string;
    alias: string;
    actor: string;
    reason: string;
  }): Promise<AliasMove> {
    const { name, alias } = opts;
    checkChange(opts);
    assertAliasName(alias);
    if (alias === CANARY) throw canaryReserved();
    await this.#assertModelExists(name);
    const at = this.#now().toISOString();
    return this.#metadata.transaction(async (tx) => {
      const move = await tx.moveAlias({
        name,
        alias,
        action: 'remove',
        toVersion: null,
        at,
        actor: opts.actor,
        reason: opts.reason,
      });
      await tx.audit(moveAudit(move!, 'model.alias.remove'));
      return move!;
    });
  }

  /**
   * Points an alias (default champion) back at the version it held before its
   * last move. NOT_FOUND when it never moved, CONFLICT when it was unset
   * before. Rolling back twice returns to where the first rollback started.
   */
  async rollback(opts: {
    name: string;
    alias?: string;
    actor: string;
    reason: string;
    evidence?: unknown;
  }): Promise<AliasMove> {
    const { name } = opts;
    const alias = opts.alias ?? CHAMPION;
    checkChange(opts);
    assertAliasName(alias);
    if (alias === CANARY) {
      throw new FlywheelError('USAGE', 'a canary is rolled back by ending it', {
        hint: "use endCanary with outcome 'rolled_back' (`flywheel deploy … --rollback`)",
      });
    }
    await this.#assertModelExists(name);
    const at = this.#now().toISOString();
    return this.#metadata.transaction(async (tx) => {
      const current = await tx.currentAlias(name, alias);
      const last = await tx.lastAliasMove(name, alias);
      if (last === undefined) {
        throw new FlywheelError('NOT_FOUND', `${name}@${alias} was never set`, {
          hint: 'there is nothing to roll back to',
        });
      }
      if (last.fromVersion === null || last.toVersion !== current) {
        throw new FlywheelError(
          'CONFLICT',
          `${name}@${alias} was unset before its last move, so there is nothing to roll back to`,
          { hint: 'promote the version you want instead' },
        );
      }
      const move = await tx.moveAlias({
        name,
        alias,
        action: 'rollback',
        toVersion: last.fromVersion,
        expectedFrom: current,
        at,
        actor: opts.actor,
        reason: opts.reason,
        evidence: opts.evidence ?? null,
      });
      await tx.audit(moveAudit(move!, 'model.rollback', { undoes: last.id }));
      return move!;
    });
  }

  /** The moves of a model's aliases (or one alias), oldest first. */
  async aliasHistory(name: string, alias?: string): Promise<AliasMove[]> {
    assertModelName(name);
    if (alias !== undefined) assertAliasName(alias);
    return this.#metadata.listAliasMoves({
      name,
      ...(alias === undefined ? {} : { alias }),
      limit: HISTORY_LIMIT,
    });
  }

  /** The version an alias pointed at on `at` ("what served on date X"); `undefined` when unset. */
  async servedAt(name: string, alias: string, at: Date): Promise<number | undefined> {
    assertModelName(name);
    assertAliasName(alias);
    return this.#metadata.aliasVersionAt(name, alias, at);
  }

  /**
   * Starts a canary: alias `canary` points at a blessed version that receives
   * `weight`% of traffic (or, in shadow mode, is scored without serving). The
   * model needs a champion to compare with, and at most one canary runs.
   */
  async startCanary(opts: {
    name: string;
    version: number;
    weight: number;
    shadow: boolean;
    actor: string;
    reason: string;
    evidence?: unknown;
    smokeCheck?: SmokeCheck;
  }): Promise<AliasMove> {
    const { name } = opts;
    checkChange(opts);
    assertWeight(opts.weight);
    if (typeof opts.shadow !== 'boolean') {
      throw new FlywheelError('USAGE', 'shadow must be true or false');
    }
    const version = await this.getVersion(name, opts.version);
    assertBlessed(version);
    const champion = await this.#metadata.currentAlias(name, CHAMPION);
    if (champion === null) {
      throw new FlywheelError(
        'CONFLICT',
        `model ${name} has no champion to compare a canary with`,
        {
          hint: `promote a first version: flywheel models promote ${name}@${version.version} --reason …`,
        },
      );
    }
    if (champion === version.version) {
      throw new FlywheelError('USAGE', `${name}@${version.version} is already the champion`);
    }
    const running = await this.#metadata.findCanary(name);
    if (running) throw canaryRunning(running.version, running.startedAt, name);
    await this.#smokeCheck(version, opts.smokeCheck);
    const at = this.#now().toISOString();
    return this.#metadata.transaction(async (tx) => {
      const existing = await tx.findCanary(name);
      if (existing) throw canaryRunning(existing.version, existing.startedAt, name);
      const move = await tx.moveAlias({
        name,
        alias: CANARY,
        action: 'canary.start',
        toVersion: version.version,
        expectedFrom: null,
        at,
        actor: opts.actor,
        reason: opts.reason,
        evidence: opts.evidence ?? null,
      });
      const fresh = await tx.insertCanary({
        name,
        version: version.version,
        weight: opts.weight,
        shadow: opts.shadow,
        startedAt: at,
      });
      if (!fresh) throw canaryRunning(version.version, at, name);
      await tx.audit(
        moveAudit(move!, 'model.canary.start', {
          weight: opts.weight,
          shadow: opts.shadow,
          champion,
        }),
      );
      return move!;
    });
  }

  /** Changes the canary's share of traffic (0–100); recorded in the audit log. */
  async setCanaryWeight(opts: {
    name: string;
    weight: number;
    actor: string;
    reason: string;
    evidence?: unknown;
  }): Promise<void> {
    checkChange(opts);
    assertWeight(opts.weight);
    const at = this.#now().toISOString();
    await this.#metadata.transaction(async (tx) => {
      const canary = await tx.findCanary(opts.name);
      if (!canary) throw noCanary(opts.name);
      await tx.updateCanaryWeight(opts.name, opts.weight);
      await tx.audit({
        actor: opts.actor,
        action: 'model.canary.weight',
        objectType: 'model',
        objectId: opts.name,
        details: {
          version: canary.version,
          from: canary.weight,
          to: opts.weight,
          reason: opts.reason,
          evidence: opts.evidence ?? null,
        },
        at,
      });
    });
  }

  /**
   * Ends the running canary. `promoted`: the champion moves to the canary's
   * version (returned), then the canary alias is removed; `rolled_back` or
   * `aborted`: the canary alias is removed (returned). One transaction.
   */
  async endCanary(opts: {
    name: string;
    outcome: CanaryOutcome;
    actor: string;
    reason: string;
    evidence?: unknown;
  }): Promise<AliasMove> {
    const { name, outcome } = opts;
    checkChange(opts);
    if (!CANARY_OUTCOMES.includes(outcome)) {
      throw new FlywheelError('USAGE', 'unknown canary outcome', {
        hint: `outcomes are: ${CANARY_OUTCOMES.join(', ')}`,
      });
    }
    const at = this.#now().toISOString();
    const common = {
      name,
      at,
      actor: opts.actor,
      reason: opts.reason,
      evidence: opts.evidence ?? null,
    };
    return this.#metadata.transaction(async (tx) => {
      const canary = await tx.findCanary(name);
      if (!canary) throw noCanary(name);
      let promotion: AliasMove | undefined;
      if (outcome === 'promoted') {
        const champion = await tx.currentAlias(name, CHAMPION);
        promotion = await tx.moveAlias({
          ...common,
          alias: CHAMPION,
          action: 'canary.promote',
          toVersion: canary.version,
          expectedFrom: champion,
        });
      }
      const removal = await tx.moveAlias({
        ...common,
        alias: CANARY,
        action: `canary.${outcome}`,
        toVersion: null,
        expectedFrom: canary.version,
      });
      await tx.deleteCanary(name);
      await tx.audit(
        moveAudit(removal!, 'model.canary.end', {
          outcome,
          weight: canary.weight,
          shadow: canary.shadow,
          startedAt: canary.startedAt,
          ...(promotion
            ? { championFrom: promotion.fromVersion, promotionMoveId: promotion.id }
            : {}),
        }),
      );
      return outcome === 'promoted' && promotion ? promotion : removal!;
    });
  }

  /** What a model serves now: champion and canary, with the change token read before them. */
  async deployment(name: string): Promise<Deployment> {
    assertModelName(name);
    const changeToken = await this.changeToken();
    await this.#assertModelExists(name);
    const championVersion = await this.#metadata.currentAlias(name, CHAMPION);
    const champion =
      championVersion === null ? undefined : await this.getVersion(name, championVersion);
    const canary = await this.#metadata.findCanary(name);
    return {
      name,
      champion,
      ...(canary
        ? {
            canary: {
              version: await this.getVersion(name, canary.version),
              weight: canary.weight,
              shadow: canary.shadow,
              startedAt: canary.startedAt,
            },
          }
        : {}),
      changeToken,
    };
  }

  /**
   * A token that changes on every alias move and canary change, across
   * processes; one cheap query, meant to be polled (read it before reading
   * the state it guards, so a change in between is seen on the next poll).
   */
  changeToken(): Promise<string> {
    return this.#metadata.registryChangeToken();
  }

  async #assertModelExists(name: string): Promise<void> {
    assertModelName(name);
    // Versions are never deleted, so a model exists exactly when it has a version 1.
    if ((await this.#metadata.findModelVersion(name, 1)) === undefined) throw unknownModel(name);
  }

  async #smokeCheck(version: ModelVersion, check: SmokeCheck = loadAndScore): Promise<void> {
    const bundle = await this.loadBundle(version);
    const ref = formatVersionRef(version.name, version.version);
    try {
      await check(bundle);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new FlywheelError('GATE_FAILED', `smoke check of ${ref} failed: ${message}`, {
        cause: err,
        details: { model: version.name, version: version.version },
        hint: 'nothing was moved',
      });
    }
  }
}

/** The audit record of an alias move. */
function moveAudit(move: AliasMove, action: string, extra: Record<string, unknown> = {}) {
  return {
    actor: move.actor,
    action,
    objectType: 'model',
    objectId: move.name,
    details: {
      alias: move.alias,
      from: move.fromVersion,
      to: move.toVersion,
      moveId: move.id,
      reason: move.reason,
      evidence: move.evidence,
      ...extra,
    },
    at: move.at,
  };
}

function checkChange(opts: { name: string; actor: string; reason: string }): void {
  assertModelName(opts.name);
  assertActor(opts.actor);
  assertReason(opts.reason);
}

function assertWeight(weight: unknown): asserts weight is number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new FlywheelError('USAGE', 'canary weight must be a number from 0 to 100 (percent)', {
      details: { field: 'weight' },
    });
  }
}

function assertBlessed(version: ModelVersion): void {
  if (version.blessed) return;
  throw new FlywheelError(
    'GATE_FAILED',
    `${version.name}@${version.version} is not blessed: its evaluation did not pass the gate`,
    {
      details: { model: version.name, version: version.version },
      hint: 'only a version whose run passed the gate can be champion or canary',
    },
  );
}

function unknownModel(name: string): FlywheelError {
  return new FlywheelError('NOT_FOUND', `no model named ${displayId(name)}`, {
    hint: 'list registered models with `flywheel models list`',
  });
}

function canaryReserved(): FlywheelError {
  return new FlywheelError(
    'USAGE',
    'the canary alias is moved only by starting or ending a canary',
    {
      hint: 'use startCanary / endCanary (`flywheel deploy NAME@VERSION --canary 10%`)',
    },
  );
}

function canaryRunning(version: number, since: string, name: string): FlywheelError {
  return new FlywheelError(
    'CONFLICT',
    `a canary of ${name}@${version} is already running (since ${since})`,
    { hint: 'end it (promote, roll back or abort) before starting another' },
  );
}

function noCanary(name: string): FlywheelError {
  return new FlywheelError('NOT_FOUND', `no canary is running for model ${name}`);
}
