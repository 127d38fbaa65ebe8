/**
 * Sticky canary routing: a routing key (an entity id, or the request's key)
 * hashes to a bucket in [0, 100); buckets below the canary's weight go to the
 * canary. The same key lands in the same bucket in every process and after
 * every restart, and raising the weight only moves keys towards the canary.
 */

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so nearby keys spread out. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The bucket of `key` in [0, 100). `salt` (e.g. the model name and canary
 * version) gives each canary its own split.
 *
 * @example
 * routingBucket('customer-42', 'churn@7'); // the same number on every call
 */
export function routingBucket(key: string, salt = ''): number {
  return (hash32(`${salt}\u0000${key}`) / 4294967296) * 100;
}

/**
 * The routing key of a row: the value of its entity field when it has one
 * (a string or a number), else the request's key, else undefined (random).
 */
export function routingKeyOf(
  row: unknown,
  entity: string | undefined,
  requestKey: string | undefined,
): string | undefined {
  if (
    entity !== undefined &&
    row !== null &&
    typeof row === 'object' &&
    Object.hasOwn(row, entity)
  ) {
    const value = (row as Record<string, unknown>)[entity];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return requestKey;
}
