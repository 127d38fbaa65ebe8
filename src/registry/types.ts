/**
 * The registry's public records and the options of its operations. The
 * records are the store's rows as the registry hands them out.
 */
import type { AliasMoveRecord, ModelVersionRecord } from '../store/index.js';
import type { SmokeCheck } from './smoke-check.js';

/** A registered, immutable model version. */
export type ModelVersion = ModelVersionRecord;
/** One move of an alias: from which version to which, who, when, why, on what evidence. */
export type AliasMove = AliasMoveRecord;

/** What a model name serves now. */
export interface Deployment {
  name: string;
  champion: ModelVersion | undefined;
  canary?: { version: ModelVersion; weight: number; shadow: boolean; startedAt: string };
  /** The registry's change token, read before the rest (see `changeToken`). */
  changeToken: string;
}

export const CANARY_OUTCOMES = ['promoted', 'rolled_back', 'aborted'] as const;
export type CanaryOutcome = (typeof CANARY_OUTCOMES)[number];

/** Who changes something and why; every change records both. */
export interface ChangeOptions {
  name: string;
  actor: string;
  reason: string;
  evidence?: unknown;
}

export interface MoveAliasOptions extends ChangeOptions {
  alias: string;
  version: number;
  /** Runs before anything is written; its throw aborts the move (default: `loadAndScore`). */
  smokeCheck?: SmokeCheck;
  /** Default true for champion (and canary, which has its own operations). */
  requireBlessing?: boolean;
}

export interface RemoveAliasOptions extends Omit<ChangeOptions, 'evidence'> {
  alias: string;
}

export interface RollbackOptions extends ChangeOptions {
  /** Default champion. */
  alias?: string;
}

export interface StartCanaryOptions extends ChangeOptions {
  version: number;
  /** Share of traffic in percent, 0–100. */
  weight: number;
  /** Score the canary beside the champion without serving its answers. */
  shadow: boolean;
  smokeCheck?: SmokeCheck;
}

export interface SetCanaryWeightOptions extends ChangeOptions {
  weight: number;
}

export interface EndCanaryOptions extends ChangeOptions {
  outcome: CanaryOutcome;
}
