/**
 * In-memory deployment control over a FakeModelHost: promotion and rollback
 * swap the version the host serves at once, as the registry's alias moves do.
 */
import { FlywheelError } from '../../errors.js';
import type { ChangeRequest, DeploymentControl } from '../deployment-control.js';
import type { FakeModelHost } from './fake-host.js';

export interface FakeMove {
  readonly name: string;
  readonly action: string;
  readonly version?: string;
  readonly actor: string;
  readonly reason: string;
}

export class FakeDeployments implements DeploymentControl {
  readonly moves: FakeMove[] = [];
  readonly #host: FakeModelHost;
  readonly #versions: Map<string, string[]>;
  readonly #history = new Map<string, string[]>();
  readonly #canary = new Map<string, { version: string; weight: number; shadow: boolean }>();

  /** `versions`: the registered versions of each model. */
  constructor(host: FakeModelHost, versions: Record<string, string[]>) {
    this.#host = host;
    this.#versions = new Map(Object.entries(versions));
  }

  async listModels() {
    return [...this.#versions].map(([name, versions]) => ({
      name,
      versions,
      aliases: { champion: this.#model(name).version },
    }));
  }

  async deployment(name: string) {
    if (!this.#versions.has(name)) return undefined;
    return {
      name,
      champion: this.#model(name).version,
      canary: this.#canary.get(name) ?? null,
      history: this.moves.filter((m) => m.name === name),
    };
  }

  async promote(name: string, change: ChangeRequest & { version: string }) {
    this.#checkVersion(name, change.version);
    const model = this.#model(name);
    const history = this.#history.get(name) ?? [];
    history.push(model.version);
    this.#history.set(name, history);
    model.version = change.version;
    this.moves.push({ name, action: 'promote', ...change });
    return this.deployment(name);
  }

  async rollback(name: string, change: ChangeRequest) {
    const model = this.#model(name);
    const previous = this.#history.get(name)?.pop();
    if (previous === undefined) throw new FlywheelError('CONFLICT', 'nothing to roll back to');
    model.version = previous;
    this.moves.push({ name, action: 'rollback', version: previous, ...change });
    return this.deployment(name);
  }

  async startCanary(name: string, change: ChangeRequest & { version: string; weight: number; shadow: boolean }) {
    this.#checkVersion(name, change.version);
    this.#canary.set(name, { version: change.version, weight: change.weight, shadow: change.shadow });
    this.moves.push({ name, action: 'canary', version: change.version, actor: change.actor, reason: change.reason });
    return this.deployment(name);
  }

  async endCanary(name: string, change: ChangeRequest) {
    this.#model(name);
    if (!this.#canary.delete(name)) throw new FlywheelError('CONFLICT', 'no canary is running');
    this.moves.push({ name, action: 'end canary', ...change });
    return this.deployment(name);
  }

  #model(name: string) {
    const model = this.#host.models.get(name);
    if (model === undefined || !this.#versions.has(name)) {
      throw new FlywheelError('NOT_FOUND', 'no model of that name is registered');
    }
    return model;
  }

  #checkVersion(name: string, version: string) {
    this.#model(name);
    if (!this.#versions.get(name)!.includes(version)) {
      throw new FlywheelError('NOT_FOUND', 'no such version of the model');
    }
  }
}
