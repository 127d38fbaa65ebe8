/**
 * The admin routes' deployment operations over the model registry: promote
 * moves the `champion` alias (blessing and smoke check enforced by the
 * registry), rollback moves it back, and the canary calls map one to one.
 */
import { CHAMPION, type ModelRegistry } from '../registry/index.js';
import type { DeploymentControl } from './deployment-control.js';

/**
 * @example
 * createServer({ host, auth: tokens, registry: registryDeployments(new ModelRegistry(stores)) });
 */
export function registryDeployments(registry: ModelRegistry): DeploymentControl {
  const deployment = async (name: string) => {
    const { changeToken: _token, ...current } = await registry.deployment(name);
    return { ...current, aliases: await registry.aliases(name) };
  };
  return {
    listModels: () => registry.listModels(),
    deployment,
    async promote(name, change) {
      const move = await registry.moveAlias({ name, alias: CHAMPION, ...change });
      return { move, deployment: await deployment(name) };
    },
    async rollback(name, change) {
      const move = await registry.rollback({ name, alias: CHAMPION, ...change });
      return { move, deployment: await deployment(name) };
    },
    async startCanary(name, change) {
      const move = await registry.startCanary({ name, ...change });
      return { move, deployment: await deployment(name) };
    },
    async endCanary(name, change) {
      const move = await registry.endCanary({ name, ...change });
      return { move, deployment: await deployment(name) };
    },
  };
}
