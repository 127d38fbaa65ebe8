/**
 * Work that training splits into blocks of rows, run the same way by the
 * main thread and by worker threads: gradients, their quantisation,
 * histograms, partitioning a leaf's rows, and score updates. Each thread
 * sums the histograms of the blocks it claims into its own accumulator;
 * the sums are exact integers (see quantize.ts), so which thread took which
 * block never changes the result, and a seed gives the same model on any
 * number of threads.
 *
 * Self-contained (no imports, no closures) because workers are built from
 * this source text; CTRL, REAL and COMMAND are re-declared there from JSON.
 */
import type { buildHistogram } from './histogram-kernels.js';
import type { GradientKernel } from './objectives/objective.js';
import type { quantizeBlock, unpackInto } from './quantize.js';
import type { TaskMemory } from './task-memory.js';

/** Slots of the shared control block. */
export const CTRL = {
  /** Bumped by the main thread to hand out a command. */
  SEQ: 0,
  /** Workers that finished the current command. */
  DONE: 1,
  /** Next block to claim. */
  NEXT: 2,
  COMMAND: 3,
  START: 4,
  END: 5,
  /** The model (class) being worked on. */
  MODEL: 6,
  /** Split: the feature. */
  FEATURE: 7,
  /** Split: which side's histogram to build (1 left, 0 right, -1 none). */
  SIDE: 8,
  /** Gradients: index of the objective's kernel. */
  OBJECTIVE: 9,
  /** Score update: number of leaves. */
  LEAVES: 10,
  /** Set by a worker whose block threw. */
  FAILED: 11,
  /** Workers asleep in Atomics.wait (only they need a notify). */
  SLEEPING: 12,
  /** Whether the main thread sleeps waiting for DONE. */
  MAIN_SLEEPING: 13,
  SIZE: 14,
} as const;

/** Slots of the shared doubles. */
export const REAL = { G_INV: 0, H_INV: 1, ALPHA: 2, SIZE: 3 } as const;

export const COMMAND = {
  /** Gradients of every model for rows [start, end), with per-block maxima. */
  GRADIENTS: 1,
  /** Quantise one model's gradients into `packed`. */
  QUANTIZE: 2,
  /** The histogram of index positions [start, end). */
  HISTOGRAM: 3,
  /** Partition each block by the split, then histogram the requested side's rows. */
  SPLIT: 4,
  /** Add each leaf's value to the scores of its rows (by index position). */
  SCORE: 5,
  EXIT: 6,
} as const;

/** The kernels a block runs, passed in so that this code never names an import. */
export interface Kernels {
  readonly buildHistogram: typeof buildHistogram;
  readonly partitionBlock: typeof partitionBlock;
  readonly quantizeBlock: typeof quantizeBlock;
  readonly unpackInto: typeof unpackInto;
  readonly scoreBlock: typeof scoreBlock;
  readonly gradients: readonly GradientKernel[];
}

/**
 * Stable partition of idx[start..end): rows whose bin goes left go to
 * leftOut from `start` on, in order (leftOut may be idx itself); the others
 * go to rightOut from `start` on. Returns the number of rows that went left.
 * Branch-free: both stores always happen.
 */
export function partitionBlock(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  goesLeft: Uint8Array,
  leftOut: Int32Array,
  rightOut: Int32Array,
): number {
  let l = start;
  let r = start;
  for (let i = start; i < end; i++) {
    const row = idx[i]!;
    const left = goesLeft[bins[row * stride + col]!]!;
    leftOut[l] = row;
    rightOut[r] = row;
    l += left;
    r += 1 - left;
  }
  return l - start;
}

/** Adds each leaf's value to the score of its rows that sit in index positions [s, e). */
export function scoreBlock(
  score: Float64Array,
  indices: Int32Array,
  numModels: number,
  model: number,
  s: number,
  e: number,
  leafBegin: Int32Array,
  leafRows: Int32Array,
  leafValue: Float64Array,
  leaves: number,
): void {
  for (let l = 0; l < leaves; l++) {
    const from = Math.max(s, leafBegin[l]!);
    const to = Math.min(e, leafBegin[l]! + leafRows[l]!);
    const v = leafValue[l]!;
    for (let i = from; i < to; i++) score[indices[i]! * numModels + model]! += v;
  }
}

/**
 * Adds rows rows[from..to) to this thread's accumulator, one packed chunk
 * of at most chunkRows rows at a time.
 */
export function histogramRows(
  m: TaskMemory,
  k: Kernels,
  thread: number,
  rows: Int32Array,
  from: number,
  to: number,
): void {
  const bins = m.totalBins;
  const chunk = m.chunk.subarray(thread * bins, (thread + 1) * bins);
  const accum = m.accum.subarray(thread * 3 * bins, (thread + 1) * 3 * bins);
  for (let a = from; a < to; a += m.chunkRows) {
    chunk.fill(0);
    k.buildHistogram(
      rows,
      a,
      Math.min(to, a + m.chunkRows),
      m.bins,
      m.stride,
      m.offsets,
      m.packed,
      chunk,
    );
    k.unpackInto(chunk, accum);
  }
}

/** Runs one block [s, e) of the current command on `thread`. */
export function runBlock(
  m: TaskMemory,
  k: Kernels,
  thread: number,
  b: number,
  s: number,
  e: number,
): void {
  const ctrl = m.ctrl;
  const command = ctrl[CTRL.COMMAND]!;
  const model = ctrl[CTRL.MODEL]!;
  const n = m.rowCount;
  if (command === COMMAND.SCORE) {
    const leaves = ctrl[CTRL.LEAVES]!;
    k.scoreBlock(
      m.score,
      m.indices,
      m.numModels,
      model,
      s,
      e,
      m.leafBegin,
      m.leafRows,
      m.leafValue,
      leaves,
    );
  } else if (command === COMMAND.GRADIENTS) {
    const kernel = k.gradients[ctrl[CTRL.OBJECTIVE]!]!;
    const alpha = m.real[REAL.ALPHA]!;
    const stats = 2 * b * m.numModels;
    kernel(m.score, m.label, m.weight, m.gh, s, e, n, m.numModels, alpha, m.blockStats, stats);
  } else if (command === COMMAND.QUANTIZE) {
    k.quantizeBlock(m.gh, model * 2 * n, m.packed, s, e, m.real[REAL.G_INV]!, m.real[REAL.H_INV]!);
  } else if (command === COMMAND.HISTOGRAM) {
    histogramRows(m, k, thread, m.indices, s, e);
  } else {
    const feature = ctrl[CTRL.FEATURE]!;
    const side = ctrl[CTRL.SIDE]!;
    const left = k.partitionBlock(
      m.indices,
      s,
      e,
      m.bins,
      m.stride,
      feature,
      m.table,
      m.indices,
      m.tmp,
    );
    m.blockLeft[b] = left;
    if (side === 1) histogramRows(m, k, thread, m.indices, s, s + left);
    else if (side === 0) histogramRows(m, k, thread, m.tmp, s, e - left);
  }
}

/** Claims blocks of the current command until none are left. */
export function runBlocks(m: TaskMemory, kernels: Kernels, thread: number): void {
  const ctrl = m.ctrl;
  const start = ctrl[CTRL.START]!;
  const end = ctrl[CTRL.END]!;
  const command = ctrl[CTRL.COMMAND]!;
  if (command === COMMAND.HISTOGRAM || command === COMMAND.SPLIT) {
    m.accum.fill(0, thread * 3 * m.totalBins, (thread + 1) * 3 * m.totalBins);
  }
  const blocks = Math.ceil((end - start) / m.blockSize);
  for (;;) {
    const b = Atomics.add(ctrl, CTRL.NEXT, 1);
    if (b >= blocks) return;
    const s = start + b * m.blockSize;
    runBlock(m, kernels, thread, b, s, Math.min(end, s + m.blockSize));
  }
}

/** A worker's life: wait for a command (spinning briefly first), run its blocks, report. */
export function workerLoop(m: TaskMemory, kernels: Kernels, spin: number, thread: number): void {
  const ctrl = m.ctrl;
  let seen = 0;
  for (;;) {
    let seq = Atomics.load(ctrl, CTRL.SEQ);
    for (let i = 0; seq === seen && i < spin; i++) seq = Atomics.load(ctrl, CTRL.SEQ);
    if (seq === seen) {
      Atomics.add(ctrl, CTRL.SLEEPING, 1);
      while (seq === seen) {
        Atomics.wait(ctrl, CTRL.SEQ, seen);
        seq = Atomics.load(ctrl, CTRL.SEQ);
      }
      Atomics.sub(ctrl, CTRL.SLEEPING, 1);
    }
    seen = seq;
    if (ctrl[CTRL.COMMAND] === COMMAND.EXIT) return;
    try {
      runBlocks(m, kernels, thread);
    } catch {
      Atomics.store(ctrl, CTRL.FAILED, 1);
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    if (Atomics.load(ctrl, CTRL.MAIN_SLEEPING) !== 0) Atomics.notify(ctrl, CTRL.DONE);
  }
}
