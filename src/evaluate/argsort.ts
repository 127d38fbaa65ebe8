/**
 * Sorting scores once: a stable argsort in descending order, by LSD radix
 * sort on the IEEE-754 bits (four 16-bit passes), about ten times faster than
 * a comparator sort on the half-million-row test splits. Every ranking metric,
 * curve and bootstrap replicate then walks the sorted order in O(n).
 */

const SMALL = 2048;

/**
 * Row indices ordered by descending score; equal scores keep their row order.
 * Scores must not be NaN (callers validate first).
 *
 * @example
 * argsortDescending(Float64Array.of(0.2, 0.9, 0.2)); // Int32Array [1, 0, 2]
 */
export function argsortDescending(scores: Float64Array): Int32Array {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < SMALL) return order.sort((a, b) => scores[b]! - scores[a]! || a - b);

  // Map each double to two uint32 words whose unsigned order is the descending
  // numeric order: flip all bits of negatives, only the sign of positives, then
  // invert everything. -0 is folded into +0 first so that they tie.
  const view = new Float64Array(1);
  const words = new Uint32Array(view.buffer);
  const little = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
  const [loIndex, hiIndex] = little ? [0, 1] : [1, 0];
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    view[0] = scores[i]! + 0;
    let h = words[hiIndex]!;
    let l = words[loIndex]!;
    if (h & 0x80000000) {
      h = ~h;
      l = ~l;
    } else h |= 0x80000000;
    hi[i] = ~h >>> 0;
    lo[i] = ~l >>> 0;
  }

  let from = order;
  let to = new Int32Array(n);
  const counts = new Int32Array(65536);
  for (const [key, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[from[i]!]! >>> shift) & 0xffff]!++;
    if (counts[(key[from[0]!]! >>> shift) & 0xffff] === n) continue; // one digit: already ordered
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const row = from[i]!;
      to[counts[(key[row]! >>> shift) & 0xffff]!++] = row;
    }
    [from, to] = [to, from];
  }
  return from;
}
