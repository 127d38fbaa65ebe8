/**
 * The canary controller's cost reading: the realised business cost per
 * decision of the champion's and the canary's own predictions, from the
 * labels that have arrived for them. Each side is judged by the decisions it
 * served (the logged outputs), with the framing's costs.
 */
import { ModelRegistry, parseModelRef } from '../registry/index.js';
import type { CostSource } from '../serve/index.js';
import type { LabelledPrediction, Stores } from '../store/index.js';

type Costs = { readonly tp: number; readonly fp: number; readonly fn: number; readonly tn: number };

export interface LabelCostOptions {
  /** The costs of each outcome (default: those the champion's bundle carries, its spec's `business.costs`). */
  readonly costs?: Costs;
  /**
   * `canary` (default): every labelled prediction since the canary started,
   * so each check judges more rows than the last; `tick`: only those since
   * the previous check.
   */
  readonly span?: 'canary' | 'tick';
  /** A side with fewer labelled predictions reads as absent (default 30). */
  readonly minLabelled?: number;
  /**
   * Labels trail predictions: read the window this much earlier (default 0).
   * With labels a day late, a lag of a day compares predictions that have them.
   */
  readonly lagMs?: number;
}

/** Whether a logged prediction acted (binary decision), from its outputs. */
function acted(p: LabelledPrediction): boolean | undefined {
  const outputs = p.outputs as { decision?: unknown } | null;
  const d = outputs?.decision;
  return typeof d === 'boolean' ? d : undefined;
}

/**
 * Cost per decision of labelled predictions, each as it was decided.
 *
 * @example
 * realisedCost(rows, { tp: 20, fp: 20, fn: 80, tn: 0 }); // e.g. 11.4
 */
export function realisedCost(
  rows: readonly LabelledPrediction[],
  costs: Costs,
): { cost: number; n: number } {
  let sum = 0;
  let n = 0;
  for (const p of rows) {
    const act = acted(p);
    if (act === undefined) continue;
    const positive = p.label > 0;
    sum += act ? (positive ? costs.tp : costs.fp) : positive ? costs.fn : costs.tn;
    n++;
  }
  return { cost: n === 0 ? Number.NaN : sum / n, n };
}

/**
 * A CostSource reading labels from the store.
 *
 * @example
 * const host = await RegistryModelHost.open(source, {
 *   logger, models, controller: { cost: labelCostSource(stores, { costs: spec.business.costs }) },
 * });
 */
export function labelCostSource(
  stores: Pick<Stores, 'metadata' | 'artifacts'>,
  options: LabelCostOptions = {},
): CostSource {
  const min = options.minLabelled ?? 30;
  const lag = options.lagMs ?? 0;
  const bundleCosts = new Map<string, Promise<Costs | undefined>>();
  const costsOf = (version: string): Promise<Costs | undefined> => {
    if (options.costs !== undefined) return Promise.resolve(options.costs);
    let found = bundleCosts.get(version);
    if (found === undefined) {
      const registry = new ModelRegistry(stores);
      const ref = parseModelRef(version);
      found = (
        'version' in ref ? registry.getVersion(ref.name, ref.version) : registry.resolve(version)
      )
        .then((v) => registry.loadBundle(v))
        .then((b) => b.costs);
      bundleCosts.set(version, found);
    }
    return found;
  };
  return async ({ name, champion, canary, since, until }) => {
    const costs = await costsOf(champion);
    if (costs === undefined) return undefined;
    const running = options.span === 'tick' ? undefined : await stores.metadata.findCanary(name);
    const from = running === undefined ? since : new Date(running.startedAt);
    const window = {
      since: new Date(from.getTime() - lag),
      until: new Date(until.getTime() - lag),
    };
    const read = async (version: string) => {
      const rows = await stores.metadata.listLabelled({ modelVersions: [version], ...window });
      const { cost, n } = realisedCost(rows, costs);
      return n >= min ? cost : undefined;
    };
    const [championCost, canaryCost] = [await read(champion), await read(canary)];
    return {
      ...(championCost === undefined ? {} : { champion: championCost }),
      ...(canaryCost === undefined ? {} : { canary: canaryCost }),
    };
  };
}
