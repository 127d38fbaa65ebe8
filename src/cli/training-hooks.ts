/**
 * What the training commands (`baseline`, `train`, `run`, `evaluate`) share:
 * the `--seed` option and the progress shown while data loads and each rung
 * of the ladder fits (bars on a terminal, stage lines on stderr otherwise).
 */
import { InvalidArgumentError } from 'commander';
import type { FitProgress, Rung } from '../models/index.js';
import { type Io, progressBar } from './output.js';

/** Parses `--seed`: a non-negative integer. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`must be a non-negative integer, got ${value}`);
  return n;
}

/** Progress callbacks for the pipeline; `stop()` clears any bar left drawn. */
export function trainingHooks(io: Io, show: boolean) {
  const load = progressBar(io, 'loading data  ', show);
  let fit: ReturnType<typeof progressBar> | undefined;
  return {
    onStage(stage: string) {
      load.stop();
      fit?.stop();
      if (show) io.err(`» ${stage}`);
    },
    onLoadProgress(rows: number, total: number) {
      load.update(rows, total);
    },
    onRungStart(rung: Rung, index: number, total: number) {
      load.stop();
      fit?.stop();
      if (show) io.err(`  [${index + 1}/${total}] ${rung.name} (${rung.kind})`);
      fit = progressBar(io, `  ${rung.name}`.padEnd(14), show);
    },
    onProgress(_rung: Rung, p: FitProgress) {
      fit?.update(p.iteration, p.total);
    },
    onRungDone() {
      fit?.stop();
    },
    stop() {
      load.stop();
      fit?.stop();
    },
  };
}
