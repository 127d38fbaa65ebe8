/**
 * What the admin routes need from the registry: list models with their
 * aliases, show a deployment, and move it (promote, roll back, start or end a
 * canary). Every move names who made it and why, for the audit history.
 */

import type { CanaryOutcome } from '../registry/index.js';

/** Who asked for a change and why. */
export interface ChangeRequest {
  readonly actor: string;
  readonly reason: string;
}

export interface DeploymentControl {
  /** Registered models with their aliases and versions. */
  listModels(): Promise<
    readonly { name: string; versions: number; aliases: Record<string, number> }[]
  >;
  /** The deployment of `name` (champion, canary, aliases); NOT_FOUND when unknown. */
  deployment(name: string): Promise<unknown>;
  promote(name: string, change: ChangeRequest & { readonly version: number }): Promise<unknown>;
  rollback(name: string, change: ChangeRequest): Promise<unknown>;
  startCanary(
    name: string,
    change: ChangeRequest & {
      readonly version: number;
      /** Share of traffic in percent, 0 to 100. */
      readonly weight: number;
      readonly shadow: boolean;
    },
  ): Promise<unknown>;
  endCanary(
    name: string,
    change: ChangeRequest & { readonly outcome: CanaryOutcome },
  ): Promise<unknown>;
}
