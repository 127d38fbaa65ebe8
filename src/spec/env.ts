/**
 * `${NAME}` references in spec strings, resolved from the environment. An
 * unset variable is reported by path; its would-be value is never echoed.
 * `$${NAME}` escapes a literal `${NAME}`.
 */
import type { SpecPath } from './locate.js';

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A deep copy of `value` with every `${NAME}` replaced by `env[NAME]`.
 *
 * @example
 * resolveEnv({ store: '${DB}' }, { DB: 'postgres://db' }, () => {}) // { store: 'postgres://db' }
 */
export function resolveEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  onMissing: (path: SpecPath, name: string) => void,
  at: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, escaped: string, name: string) => {
      if (escaped) return whole.slice(1);
      const resolved = env[name];
      if (resolved === undefined) {
        onMissing(at, name);
        return '';
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, onMissing, [...at, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnv(v, env, onMissing, [...at, k]);
    return out;
  }
  return value;
}
