/**
 * A labelled part of a split (feature rows and their target) and the row
 * helpers the signal checks share: which rows are labelled, a seeded shuffle,
 * and taking a subset of rows.
 */

import { type Column, type Frame, takeRows } from '../data/index.js';

/** Feature rows and their target. */
export interface LabelledPart {
  readonly frame: Frame;
  readonly target: Column;
}

export function shuffle(values: Int32Array, rand: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
  return values;
}

export function isLabelled(target: Column, row: number): boolean {
  return target.type === 'categorical'
    ? target.codes[row]! >= 0
    : !Number.isNaN(target.values[row]!);
}

export function labelledRows(target: Column): Int32Array {
  const n = target.type === 'categorical' ? target.codes.length : target.values.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (isLabelled(target, i)) rows.push(i);
  return Int32Array.from(rows);
}

function takeTarget(target: Column, rows: Int32Array): Column {
  if (target.type === 'categorical')
    return { ...target, codes: Int32Array.from(rows, (r) => target.codes[r]!) };
  return { type: target.type, values: Float64Array.from(rows, (r) => target.values[r]!) };
}

export function take(part: LabelledPart, rows: Int32Array): LabelledPart {
  return { frame: takeRows(part.frame, rows), target: takeTarget(part.target, rows) };
}

export const labelsOf = (target: Column) =>
  target.type === 'categorical' ? target.codes : target.values;
