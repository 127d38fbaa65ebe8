/**
 * A helper thread for large batch predictions: the main thread walks the
 * first half of the rows while the helper walks the second, over a
 * SharedArrayBuffer copy of the forest and of the rows. The handoff is
 * synchronous (Atomics.wait, and receiveMessageOnPort for the job), so
 * `predict` stays a plain function. The helper is started on the first
 * large batch, never keeps the process alive, and is skipped on one core or
 * if it fails to start. Every row is walked by the same code either way,
 * so predictions do not depend on it.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Forest } from './forest.js';
import { goesLeft, leafOf, predictRawRange } from './forest-walk.js';

/** Batches smaller than this are walked on the calling thread alone. */
export const HELPER_ROWS = 50_000;

interface Helper {
  readonly port: MessagePort;
  /** [0] job number handed out, [1] job number done. */
  readonly ctrl: Int32Array;
}

let helper: Helper | null | undefined;

/** The helper's life (runs on the helper thread; everything it calls comes in as arguments). */
function helperLoop(
  port: MessagePort,
  ctrl: Int32Array,
  receive: (p: MessagePort) => { message: unknown } | undefined,
  walk: typeof predictRawRange,
) {
  let seen = 0;
  Atomics.store(ctrl, 1, -1); // ready
  Atomics.notify(ctrl, 1);
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    seen = Atomics.load(ctrl, 0);
    const job = receive(port)?.message as
      | { forest: Forest; x: Float64Array; start: number; end: number; out: Float64Array }
      | undefined;
    if (job) walk(job.forest, job.x, job.start, job.end, job.out);
    Atomics.store(ctrl, 1, seen);
    Atomics.notify(ctrl, 1);
  }
}

function start(): Helper | null {
  const { port1, port2 } = new MessageChannel();
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const source = [
    ...[goesLeft, leafOf, predictRawRange, helperLoop].map(String),
    `const { workerData, receiveMessageOnPort } = require('node:worker_threads');`,
    'helperLoop(workerData.port, workerData.ctrl, receiveMessageOnPort, predictRawRange);',
  ].join('\n');
  try {
    const worker = new Worker(source, {
      eval: true,
      workerData: { port: port2, ctrl },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    // The helper boots on its own thread; wait for it, but not forever.
    if (Atomics.wait(ctrl, 1, 0, 5000) === 'timed-out' && Atomics.load(ctrl, 1) === 0) {
      void worker.terminate();
      return null;
    }
    worker.on('error', () => {
      helper = null;
    });
    return { port: port1, ctrl };
  } catch {
    return null;
  }
}

/** Whether a batch of `rows` rows gets the helper thread (starting it if needed). */
export function helperFor(rows: number): boolean {
  if (rows < HELPER_ROWS || availableParallelism() < 2) return false;
  if (helper === undefined) helper = start();
  return helper !== null;
}

const sharedForests = new WeakMap<Forest, Forest>();

/** The forest on SharedArrayBuffers (made once per forest). */
function shared(forest: Forest): Forest {
  let copy = sharedForests.get(forest);
  if (!copy) {
    const share = <T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(a: T): T => {
      const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
      const out = new Ctor(new SharedArrayBuffer(Math.max(8, a.byteLength)));
      (out as Float64Array).set(a as Float64Array);
      return out.subarray(0, a.length) as T;
    };
    copy = {
      numFeatures: forest.numFeatures,
      numModels: forest.numModels,
      initScore: share(forest.initScore),
      treeRoot: share(forest.treeRoot),
      feature: share(forest.feature),
      threshold: share(forest.threshold),
      left: share(forest.left),
      right: share(forest.right),
      flags: share(forest.flags),
      catStart: share(forest.catStart),
      catLength: share(forest.catLength),
      catBits: share(forest.catBits),
      nodeCover: share(forest.nodeCover),
      leafValue: share(forest.leafValue),
      leafCover: share(forest.leafCover),
    };
    sharedForests.set(forest, copy);
  }
  return copy;
}

/**
 * Raw scores of `rows` row-major rows in x (on a SharedArrayBuffer): the
 * helper takes the second half while this thread walks the first.
 */
export function predictWithHelper(forest: Forest, x: Float64Array, rows: number): Float64Array {
  const h = helper!;
  const k = forest.numModels;
  const out = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, rows * k)));
  const half = Math.ceil(rows / 2 / 256) * 256;
  const job = Atomics.load(h.ctrl, 0) + 1;
  h.port.postMessage({ forest: shared(forest), x, start: Math.min(rows, half), end: rows, out });
  Atomics.store(h.ctrl, 0, job);
  Atomics.notify(h.ctrl, 0);
  const t0 = performance.now();
  predictRawRange(forest, x, 0, Math.min(rows, half), out);
  // The helper walks as many rows with the same code: if it takes ten times
  // longer (or it died), finish here and stop using it.
  const patience = Math.max(10_000, 10 * (performance.now() - t0));
  const deadline = performance.now() + patience;
  while (Atomics.load(h.ctrl, 1) !== job) {
    const left = deadline - performance.now();
    if (left <= 0) {
      helper = null;
      predictRawRange(forest, x, Math.min(rows, half), rows, out);
      break;
    }
    Atomics.wait(h.ctrl, 1, Atomics.load(h.ctrl, 1), left);
  }
  return new Float64Array(out);
}
