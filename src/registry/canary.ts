/**
 * Canary state: a blessed candidate holds alias `canary` and a share of
 * traffic (or runs in shadow) until it is promoted, rolled back or aborted.
 * Each step moves aliases and canary state together with its audit record,
 * in one transaction. ModelRegistry exposes these as methods.
 */
import { FlywheelError } from '../errors.js';
import type { MetadataStore } from '../store/index.js';
import {
  assertBlessed,
  assertWeight,
  canaryRunning,
  checkChange,
  moveAudit,
  noCanary,
} from './policy.js';
import { CANARY, CHAMPION } from './refs.js';
import type { SmokeCheck } from './smoke-check.js';
import {
  type AliasMove,
  CANARY_OUTCOMES,
  type EndCanaryOptions,
  type ModelVersion,
  type SetCanaryWeightOptions,
  type StartCanaryOptions,
} from './types.js';

/** What the canary operations need from the registry. */
export interface CanaryHost {
  readonly metadata: MetadataStore;
  now(): string;
  getVersion(name: string, version: number): Promise<ModelVersion>;
  smokeCheck(version: ModelVersion, check?: SmokeCheck): Promise<void>;
}

export async function startCanary(host: CanaryHost, opts: StartCanaryOptions): Promise<AliasMove> {
  const { name } = opts;
  const { metadata } = host;
  checkChange(opts);
  assertWeight(opts.weight);
  if (typeof opts.shadow !== 'boolean') {
    throw new FlywheelError('USAGE', 'shadow must be true or false');
  }
  const version = await host.getVersion(name, opts.version);
  assertBlessed(version);
  const champion = await metadata.currentAlias(name, CHAMPION);
  if (champion === null) {
    throw new FlywheelError('CONFLICT', `model ${name} has no champion to compare a canary with`, {
      hint: `promote a first version: flywheel models promote ${name}@${version.version} --reason …`,
    });
  }
  if (champion === version.version) {
    throw new FlywheelError('USAGE', `${name}@${version.version} is already the champion`);
  }
  const running = await metadata.findCanary(name);
  if (running) throw canaryRunning(name, running.version, running.startedAt);
  await host.smokeCheck(version, opts.smokeCheck);
  const at = host.now();
  return metadata.transaction(async (tx) => {
    const existing = await tx.findCanary(name);
    if (existing) throw canaryRunning(name, existing.version, existing.startedAt);
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
    if (!fresh) throw canaryRunning(name, version.version, at);
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

export async function setCanaryWeight(
  host: CanaryHost,
  opts: SetCanaryWeightOptions,
): Promise<void> {
  checkChange(opts);
  assertWeight(opts.weight);
  const at = host.now();
  await host.metadata.transaction(async (tx) => {
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

export async function endCanary(host: CanaryHost, opts: EndCanaryOptions): Promise<AliasMove> {
  const { name, outcome } = opts;
  checkChange(opts);
  if (!CANARY_OUTCOMES.includes(outcome)) {
    throw new FlywheelError('USAGE', 'unknown canary outcome', {
      hint: `outcomes are: ${CANARY_OUTCOMES.join(', ')}`,
    });
  }
  const common = {
    name,
    at: host.now(),
    actor: opts.actor,
    reason: opts.reason,
    evidence: opts.evidence ?? null,
  };
  return host.metadata.transaction(async (tx) => {
    const canary = await tx.findCanary(name);
    if (!canary) throw noCanary(name);
    let promotion: AliasMove | undefined;
    if (outcome === 'promoted') {
      promotion = await tx.moveAlias({
        ...common,
        alias: CHAMPION,
        action: 'canary.promote',
        toVersion: canary.version,
        expectedFrom: await tx.currentAlias(name, CHAMPION),
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
    return promotion ?? removal!;
  });
}
