/**
 * Canonical JSON: object keys sorted at every depth, no whitespace. The same
 * bundle always serialises to the same bytes, so to the same sha256, however
 * its object was assembled.
 */

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // defineProperty, so a key named __proto__ stays data and never a prototype.
    Object.defineProperty(sorted, key, {
      value: (value as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

/**
 * JSON text with sorted keys; values follow JSON.stringify (NaN becomes null).
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? 'null';
}
