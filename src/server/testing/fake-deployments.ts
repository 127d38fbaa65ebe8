/**
 * In-memory deployment control over a FakeModelHost: promotion and rollback
 * swap the version the host serves at once, as the registry's alias moves do.
 */
import { FlywheelError } from '../../errors.js';
import type { CanaryOutcome } from '../../registry/index.js';
import type { ChangeRequest, DeploymentControl } from '../deployment-control.js';
import type { FakeModelHost } from './fake-host.js';

export interface FakeMove {
  readonly name: string;
  readonly action: string;
  readonly version?: number;
  readonly outcome?: CanaryOutcome;
  readonly actor: string;
  readonly reason: string;
}

export class FakeDeployments implements DeploymentControl {
  readonly moves: FakeMove[] = [];
  readonly #host: FakeModelHost;
  readonly #versions: Map<string, number[]>;
  readonly #history = new Map<string, number[]>();
  readonly #canary = new Map<string, { version: number; weight: number; shadow: boolean }>();

  /** `versions`: the registered versions of each model; the host serves `name@version`. */
  constructor(host: FakeModelHost, versions: Record<string, number[]>) {
    this.#host = host;
    this.#versions = new Map(Object.entries(versions));
  }

  async listModels() {
    return [...this.#versions].map(([name, versions]) => ({
      name,
      versions: Math.max(0, ...versions),
      aliases: { champion: this.#champion(name) },
    }));
  }

  async deployment(name: string) {
    if (!this.#versions.has(name)) return undefined;
    return {
      name,
      champion: this.#champion(name),
      canary: this.#canary.get(name) ?? null,
      aliases: { champion: this.#champion(name) },
    };
  }

  #champion(name: string): number {
    return Number(this.#model(name).version);
  }

  #done(move: FakeMove) {
    this.moves.push(move);
    return this.deployment(move.name).then((deployment) => ({ move, deployment }));
  }

  async promote(name: string, change: ChangeRequest & { version: number }) {
    this.#checkVersion(name, change.version);
    const model = this.#model(name);
    const history = this.#history.get(name) ?? [];
    history.push(this.#champion(name));
    this.#history.set(name, history);
    model.version = String(change.version);
    return this.#done({ name, action: 'promote', ...change });
  }

  async rollback(name: string, change: ChangeRequest) {
    const model = this.#model(name);
    const previous = this.#history.get(name)?.pop();
    if (previous === undefined) throw new FlywheelError('CONFLICT', 'nothing to roll back to');
    model.version = String(previous);
    return this.#done({ name, action: 'rollback', version: previous, ...change });
  }

  async startCanary(
    name: string,
    change: ChangeRequest & { version: number; weight: number; shadow: boolean },
  ) {
    this.#checkVersion(name, change.version);
    const { version, weight, shadow, actor, reason } = change;
    this.#canary.set(name, { version, weight, shadow });
    return this.#done({ name, action: 'canary', version, actor, reason });
  }

  async endCanary(name: string, change: ChangeRequest & { outcome: CanaryOutcome }) {
    this.#model(name);
    if (!this.#canary.delete(name)) throw new FlywheelError('NOT_FOUND', 'no canary is running');
    return this.#done({ name, action: 'end canary', ...change });
  }

  #model(name: string) {
    const model = this.#host.models.get(name);
    if (model === undefined || !this.#versions.has(name)) {
      throw new FlywheelError('NOT_FOUND', 'no model of that name is registered');
    }
    return model;
  }

  #checkVersion(name: string, version: number) {
    this.#model(name);
    if (!this.#versions.get(name)!.includes(version)) {
      throw new FlywheelError('NOT_FOUND', 'no such version of the model');
    }
  }
}
