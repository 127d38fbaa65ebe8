/**
 * Worker threads for the tree learner. The main thread hands out a command
 * through a shared control block and works on blocks itself; workers claim
 * blocks with an atomic counter. Which thread runs a block never changes
 * its result (see tasks.ts), so training is deterministic for any count.
 *
 * Workers are built from the kernels' own source text rather than from a
 * file path, so the same code runs from the compiled package and from the
 * TypeScript sources under a test runner.
 */
import { Worker } from 'node:worker_threads';
import { FlywheelError } from '../../errors.js';
import { buildHistogram, HISTOGRAM_KERNELS } from './histogram-kernels.js';
import { GRADIENT_KERNELS } from './objectives/index.js';
import { quantizeBlock, unpackInto } from './quantize.js';
import type { TaskMemory } from './task-memory.js';
import {
  COMMAND,
  CTRL,
  histogramRows,
  type Kernels,
  partitionBlock,
  REAL,
  runBlock,
  runBlocks,
  scoreBlock,
  workerLoop,
} from './tasks.js';

const KERNELS: Kernels = {
  buildHistogram,
  partitionBlock,
  quantizeBlock,
  unpackInto,
  scoreBlock,
  gradients: GRADIENT_KERNELS,
};

/** Polls before sleeping: a command usually follows within microseconds. */
const WORKER_SPIN = 5_000;
const MAIN_SPIN = 20_000;

function workerSource(): string {
  return [
    `const CTRL = ${JSON.stringify(CTRL)};`,
    `const REAL = ${JSON.stringify(REAL)};`,
    `const COMMAND = ${JSON.stringify(COMMAND)};`,
    ...[...HISTOGRAM_KERNELS, ...GRADIENT_KERNELS].map(String),
    ...[partitionBlock, quantizeBlock, unpackInto, scoreBlock].map(String),
    ...[histogramRows, runBlock, runBlocks, workerLoop].map(String),
    `const kernels = { buildHistogram, partitionBlock, quantizeBlock, unpackInto, scoreBlock, gradients: [${GRADIENT_KERNELS.map((k) => k.name).join(', ')}] };`,
    `const { workerData, parentPort } = require('node:worker_threads');`,
    `parentPort.postMessage('ready');`,
    'workerLoop(workerData.memory, kernels, workerData.spin, workerData.thread);',
  ].join('\n');
}

/**
 * Runs block commands on the main thread and `threads - 1` workers.
 *
 * @example
 * const pool = ThreadPool.open(memory, 2);
 * pool.run(COMMAND.HISTOGRAM, 0, n, 0);
 * await pool.close();
 */
export class ThreadPool {
  private constructor(
    readonly memory: TaskMemory,
    private readonly workers: Worker[],
  ) {}

  /**
   * A pool of `threads` threads over `memory` (allocated for that many
   * threads), once every worker is up.
   */
  static async open(memory: TaskMemory, threads: number): Promise<ThreadPool> {
    const workers: Worker[] = [];
    const source = threads > 1 ? workerSource() : '';
    for (let i = 1; i < threads; i++) {
      const workerData = { memory, spin: WORKER_SPIN, thread: i };
      workers.push(new Worker(source, { eval: true, workerData }));
    }
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('message', () => resolve());
              w.once('error', reject);
            }),
        ),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new FlywheelError('INTERNAL', 'could not start the training threads', { cause: err });
    }
    for (const w of workers) w.unref();
    return new ThreadPool(memory, workers);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs one command over [start, end) and returns when every block is done:
   * the number of threads that took part (their accumulators hold the
   * command's histogram). The command's other arguments are set in the
   * control block beforehand (see `set`).
   */
  run(command: number, start: number, end: number): number {
    const ctrl = this.memory.ctrl;
    ctrl[CTRL.COMMAND] = command;
    ctrl[CTRL.START] = start;
    ctrl[CTRL.END] = end;
    Atomics.store(ctrl, CTRL.NEXT, 0);
    Atomics.store(ctrl, CTRL.DONE, 0);
    const helpers = this.workers.length;
    const blocks = Math.ceil((end - start) / this.memory.blockSize);
    if (helpers === 0 || blocks < 2) {
      runBlocks(this.memory, KERNELS, 0);
      return 1;
    }
    Atomics.add(ctrl, CTRL.SEQ, 1);
    if (Atomics.load(ctrl, CTRL.SLEEPING) !== 0) Atomics.notify(ctrl, CTRL.SEQ);
    runBlocks(this.memory, KERNELS, 0);
    let done = Atomics.load(ctrl, CTRL.DONE);
    for (let i = 0; done < helpers && i < MAIN_SPIN; i++) done = Atomics.load(ctrl, CTRL.DONE);
    if (done < helpers) {
      Atomics.store(ctrl, CTRL.MAIN_SLEEPING, 1);
      for (
        done = Atomics.load(ctrl, CTRL.DONE);
        done < helpers;
        done = Atomics.load(ctrl, CTRL.DONE)
      ) {
        Atomics.wait(ctrl, CTRL.DONE, done);
      }
      Atomics.store(ctrl, CTRL.MAIN_SLEEPING, 0);
    }
    if (Atomics.load(ctrl, CTRL.FAILED) !== 0) {
      throw new FlywheelError('INTERNAL', 'a training thread failed');
    }
    return helpers + 1;
  }

  /** Sets a control slot (an argument of the next command). */
  set(slot: number, value: number): this {
    this.memory.ctrl[slot] = value;
    return this;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.workers.length === 0) return;
    const ctrl = this.memory.ctrl;
    ctrl[CTRL.COMMAND] = COMMAND.EXIT;
    Atomics.add(ctrl, CTRL.SEQ, 1);
    Atomics.notify(ctrl, CTRL.SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
