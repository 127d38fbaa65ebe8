/**
 * The conveniences synthetic example data needs (pick, weighted choice…)
 * over Flywheel's sfc32 generator, so a seed gives the same rows on every
 * platform. Never Math.random.
 */
import { Rng } from '../random.js';

export interface Prng {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One of `items`, with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
}

/**
 * A seeded generator.
 *
 * @example
 * const rng = prng(7);
 * rng.int(6); // the same integer in [0, 6) on every run with seed 7
 */
export function prng(seed: number): Prng {
  const rng = new Rng(seed);
  const draw = new Uint32Array(1);
  const next = () => {
    rng.fillUint32(draw, 1);
    return draw[0]! / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    weighted: (items) => {
      const total = items.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
  };
}
