/**
 * The registry's rules, shared by its operations: what every change must
 * carry, what may be promoted, and the errors that explain a refusal.
 */
import { FlywheelError } from '../errors.js';
import { type AuditEntry, displayId } from '../store/index.js';
import { assertActor, assertModelName, assertReason } from './refs.js';
import type { AliasMove, ModelVersion } from './types.js';

/** Every change names a model, who acts and why. */
export function checkChange(opts: { name: string; actor: string; reason: string }): void {
  assertModelName(opts.name);
  assertActor(opts.actor);
  assertReason(opts.reason);
}

export function assertWeight(weight: unknown): asserts weight is number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new FlywheelError('USAGE', 'canary weight must be a number from 0 to 100 (percent)', {
      details: { field: 'weight' },
    });
  }
}

/** No deployment without a recorded blessing (the gate of step 5). */
export function assertBlessed(version: ModelVersion): void {
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

/** The audit record of an alias move. */
export function moveAudit(
  move: AliasMove,
  action: string,
  extra: Record<string, unknown> = {},
): AuditEntry {
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

export function unknownModel(name: string): FlywheelError {
  return new FlywheelError('NOT_FOUND', `no model named ${displayId(name)}`, {
    hint: 'list registered models with `flywheel models list`',
  });
}

export function canaryReserved(): FlywheelError {
  return new FlywheelError(
    'USAGE',
    'the canary alias is moved only by starting or ending a canary',
    { hint: 'use startCanary / endCanary (`flywheel deploy NAME@VERSION --canary 10%`)' },
  );
}

export function canaryRunning(name: string, version: number, since: string): FlywheelError {
  return new FlywheelError(
    'CONFLICT',
    `a canary of ${name}@${version} is already running (since ${since})`,
    { hint: 'end it (promote, roll back or abort) before starting another' },
  );
}

export function noCanary(name: string): FlywheelError {
  return new FlywheelError('NOT_FOUND', `no canary is running for model ${name}`);
}
