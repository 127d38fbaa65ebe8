/**
 * What the model host needs from the registry: what each model's deployment
 * is now (champion, canary), a token that changes whenever any deployment
 * does, the bundle of a version, and a way to end a canary. ModelRegistry
 * provides it; tests use a small in-memory one.
 */
import type { ModelBundle } from '../registry/index.js';
import type { EndCanaryRequest } from './canary-controller.js';

/** A registered version, as the host needs it. */
export interface ServedVersion {
  readonly name: string;
  readonly version: number;
  readonly bundleSha256: string;
}

export interface DeploymentState {
  readonly name: string;
  readonly champion?: ServedVersion | undefined;
  readonly canary?:
    | {
        readonly version: ServedVersion;
        /** Share of traffic in percent, 0–100. */
        readonly weight: number;
        /** Scored beside the champion, never served. */
        readonly shadow: boolean;
      }
    | undefined;
  /** Changes whenever this deployment does. */
  readonly changeToken?: string;
}

export interface DeploymentSource {
  /** Changes whenever any deployment does. */
  changeToken(): Promise<string>;
  deployment(name: string): Promise<DeploymentState | undefined>;
  loadBundle(version: ServedVersion): Promise<ModelBundle>;
  endCanary(request: EndCanaryRequest): Promise<unknown>;
}

/** `name@version`, the form served predictions carry. */
export function versionKey(version: Pick<ServedVersion, 'name' | 'version'>): string {
  return `${version.name}@${version.version}`;
}
