/**
 * The model registry: immutable versions of model bundles, aliases pointing
 * at them (`champion`, `canary`, any other identifier) with the full history
 * of their moves (who, when, why, evidence), and the canary's traffic state.
 * Policy lives here (blessing, smoke check, canary rules); the store keeps
 * alias rows and their history consistent under concurrent writers, and
 * every change is written together with its audit record.
 */
import { FlywheelError } from '../errors.js';
import type { ArtifactStore, MetadataStore, Stores } from '../store/index.js';
import { BUNDLE_MEDIA_TYPE, type ModelBundle } from './bundle.js';
import { checkBundle } from './bundle-check.js';
import { type CanaryHost, endCanary, setCanaryWeight, startCanary } from './canary.js';
import { canonicalJson } from './canonical-json.js';
import { assertBlessed, canaryReserved, checkChange, moveAudit, unknownModel } from './policy.js';
import {
  assertActor,
  assertAliasName,
  assertModelName,
  assertVersion,
  CANARY,
  CHAMPION,
  formatVersionRef,
  parseModelRef,
} from './refs.js';
import { loadAndScore, type SmokeCheck } from './smoke-check.js';
import type {
  AliasMove,
  Deployment,
  EndCanaryOptions,
  ModelVersion,
  MoveAliasOptions,
  RemoveAliasOptions,
  RollbackOptions,
  SetCanaryWeightOptions,
  StartCanaryOptions,
} from './types.js';

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
  readonly #canaryHost: CanaryHost;

  constructor(stores: Pick<Stores, 'metadata' | 'artifacts'>, options: ModelRegistryOptions = {}) {
    this.#metadata = stores.metadata;
    this.#artifacts = stores.artifacts;
    this.#now = options.now ?? (() => new Date());
    this.#canaryHost = {
      metadata: this.#metadata,
      now: () => this.#now().toISOString(),
      getVersion: (name, version) => this.getVersion(name, version),
      smokeCheck: (version, check) => this.#smokeCheck(version, check),
    };
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
      await attachToRun(tx, record, ref.size);
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
  async moveAlias(opts: MoveAliasOptions): Promise<AliasMove> {
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
  async removeAlias(opts: RemoveAliasOptions): Promise<AliasMove> {
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
  async rollback(opts: RollbackOptions): Promise<AliasMove> {
    const { name } = opts;
    const alias = opts.alias ?? CHAMPION;
    checkChange(opts);
    assertAliasName(alias);
    if (alias === CANARY) {
      throw new FlywheelError('USAGE', 'a canary is rolled back by ending it', {
        hint: "use endCanary with outcome 'rolled_back'",
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
      if (last.fromVersion === null) {
        throw new FlywheelError(
          'CONFLICT',
          `${name}@${alias} was unset before its last move, so there is nothing to roll back to`,
          { hint: 'promote the version you want instead' },
        );
      }
      if (last.toVersion !== current) {
        throw new FlywheelError(
          'CONFLICT',
          `${name}@${alias} does not hold the version its last move set; not rolling back`,
          { hint: 'look at `flywheel models history` and promote the version you want' },
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
  startCanary(opts: StartCanaryOptions): Promise<AliasMove> {
    return startCanary(this.#canaryHost, opts);
  }

  /** Changes the canary's share of traffic (0–100); recorded in the audit log. */
  setCanaryWeight(opts: SetCanaryWeightOptions): Promise<void> {
    return setCanaryWeight(this.#canaryHost, opts);
  }

  /**
   * Ends the running canary. `promoted`: the champion moves to the canary's
   * version (returned), then the canary alias is removed; `rolled_back` or
   * `aborted`: the canary alias is removed (returned). One transaction.
   */
  endCanary(opts: EndCanaryOptions): Promise<AliasMove> {
    return endCanary(this.#canaryHost, opts);
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

/**
 * Attaches a newly registered bundle to the run it came from (when that run is
 * in this store and has no bundle yet), so the run lists it with its media type.
 */
async function attachToRun(tx: MetadataStore, version: ModelVersion, size: number) {
  const run = await tx.findRun(version.runId);
  if (run === undefined) return;
  const attached = await tx.listRunArtifacts(run.id);
  if (attached.some((a) => a.name === RUN_ARTIFACT_NAME)) return;
  await tx.insertRunArtifact({
    runId: run.id,
    name: RUN_ARTIFACT_NAME,
    sha256: version.bundleSha256,
    size,
    mediaType: BUNDLE_MEDIA_TYPE,
    at: version.createdAt,
  });
}
