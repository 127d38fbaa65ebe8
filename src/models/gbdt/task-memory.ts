/**
 * The buffers training works in, allocated once per fit and, when worker
 * threads help, on SharedArrayBuffers that every thread sees.
 */
import { CHUNK_ROWS } from './quantize.js';
import { CTRL, REAL } from './tasks.js';

export interface TaskMemory {
  /** Control block (see CTRL in tasks.ts). */
  readonly ctrl: Int32Array;
  /** Shared doubles (see REAL in tasks.ts). */
  readonly real: Float64Array;
  readonly rowCount: number;
  /** Features per row of the bin matrix. */
  readonly stride: number;
  readonly numModels: number;
  readonly totalBins: number;
  /** Rows per block of a command. */
  readonly blockSize: number;
  /** Most rows per packed histogram (CHUNK_ROWS). */
  readonly chunkRows: number;
  readonly bins: Uint8Array;
  /** First histogram bin of each feature (featureCount + 1 entries). */
  readonly offsets: Int32Array;
  readonly label: Float64Array;
  /** Per-row weights; empty when unweighted. */
  readonly weight: Float64Array;
  /** Raw scores, row-major n × numModels. */
  readonly score: Float64Array;
  /** Gradient/hessian pairs, model-major: model k, row r at k · 2n + 2r. */
  readonly gh: Float32Array;
  /** The quantised, packed gradients of the model being grown. */
  readonly packed: Float64Array;
  /** Row indices, partitioned so each leaf's rows are contiguous. */
  readonly indices: Int32Array;
  /** Where a partition puts the rows that go right. */
  readonly tmp: Int32Array;

  /** Per thread: a packed histogram of one chunk of rows (totalBins slots). */
  readonly chunk: Float64Array;
  /** Per thread: its (gradient, hessian, count) sums of the current command (3 × totalBins). */
  readonly accum: Float64Array;
  /** Rows that went left, per block of a partition. */
  readonly blockLeft: Int32Array;

  /** Per block and model: largest |gradient| and largest hessian. */
  readonly blockStats: Float64Array;
  /** Partition: whether each bin of the split feature goes left. */
  readonly table: Uint8Array;
  /** Score update: each leaf's first index position, row count and value. */
  readonly leafBegin: Int32Array;
  readonly leafRows: Int32Array;
  readonly leafValue: Float64Array;
}

/** Rows per block of a command: large enough that handing blocks out costs little. */
export const BLOCK_ROWS = 1 << 15;

type TypedCtor<T> = { new (buffer: ArrayBufferLike): T; readonly BYTES_PER_ELEMENT: number };

/** A zeroed typed array, on a SharedArrayBuffer when `shared`. */
export function allocate<T>(Ctor: TypedCtor<T>, length: number, shared: boolean): T {
  const bytes = Math.max(1, length) * Ctor.BYTES_PER_ELEMENT;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new Ctor(buffer);
}

export interface MemoryLayout {
  readonly bins: Uint8Array;
  readonly rowCount: number;
  readonly stride: number;
  readonly offsets: Int32Array;
  readonly numModels: number;
  readonly maxLeaves: number;
  readonly label: Float64Array;
  readonly weight: Float64Array | null;
}

/** Allocates the buffers for one fit on `threads` threads (shared when more than one). */
export function createTaskMemory(layout: MemoryLayout, threads: number): TaskMemory {
  const { rowCount, stride, numModels, maxLeaves } = layout;
  const shared = threads > 1;
  const totalBins = layout.offsets[stride]!;
  const blockSize = BLOCK_ROWS;
  const blocks = Math.ceil(rowCount / blockSize);
  const copy = <T extends Float64Array | Int32Array>(source: T, Ctor: TypedCtor<T>) => {
    const out = allocate(Ctor, source.length, shared);
    (out as Float64Array).set(source as Float64Array);
    return out;
  };
  return {
    ctrl: allocate(Int32Array, CTRL.SIZE, shared),
    real: allocate(Float64Array, REAL.SIZE, shared),
    rowCount,
    stride,
    numModels,
    totalBins,
    blockSize,
    chunkRows: CHUNK_ROWS,
    bins: layout.bins,
    offsets: copy(layout.offsets, Int32Array),
    label: copy(layout.label, Float64Array),
    weight: layout.weight ? copy(layout.weight, Float64Array) : new Float64Array(0),
    score: allocate(Float64Array, rowCount * numModels, shared),
    gh: allocate(Float32Array, 2 * rowCount * numModels, shared),
    packed: allocate(Float64Array, rowCount, shared),
    indices: allocate(Int32Array, rowCount, shared),
    tmp: allocate(Int32Array, rowCount, shared),
    chunk: allocate(Float64Array, threads * totalBins, shared),
    accum: allocate(Float64Array, threads * 3 * totalBins, shared),
    blockLeft: allocate(Int32Array, blocks, shared),
    blockStats: allocate(Float64Array, blocks * numModels * 2, shared),
    table: allocate(Uint8Array, 256, shared),
    leafBegin: allocate(Int32Array, maxLeaves, shared),
    leafRows: allocate(Int32Array, maxLeaves, shared),
    leafValue: allocate(Float64Array, maxLeaves, shared),
  };
}
