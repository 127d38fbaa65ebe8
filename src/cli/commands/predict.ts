/** `flywheel predict`: batch scoring of a CSV or Parquet file with a registered model version. */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { FlywheelError } from '../../errors.js';
import { openProjectStore, type PredictBatchResult, predictBatch } from '../../pipeline/index.js';
import { type LoadedSpec, loadSpec, SPEC_FILE_NAME } from '../../spec/index.js';
import { ExitWith, fmt, type Io, printJson, progressBar } from '../output.js';

/** Exit code after SIGTERM (128 + 15), as shells report it. */
const TERMINATED = 143;

function parseRows(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`must be a positive integer, got ${value}`);
  return n;
}

interface PredictOptions {
  model?: string;
  in: string;
  out: string;
  chunkRows: number;
  store?: string;
  json?: boolean;
}

export function predictCommand(io: Io): Command {
  return new Command('predict')
    .description(
      'score a CSV or Parquet file with a registered model: the rows come back with score, decision and model_version (written atomically)',
    )
    .argument(
      '[path]',
      'spec file or project folder: where the store is (default: . if it holds a spec)',
    )
    .option('--model <name@alias>', 'NAME@ALIAS or NAME@VERSION (default: <spec name>@champion)')
    .requiredOption('--in <file>', 'the rows to score (.csv, .tsv, .csv.gz, .parquet)')
    .requiredOption(
      '--out <file>',
      'where to write the scored rows (.csv, .tsv, .csv.gz, .parquet)',
    )
    .option('--chunk-rows <n>', 'rows scored at a time', parseRows, 100_000)
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON (rows, seconds, rows/s, warnings)')
    .action(async (target: string | undefined, opts: PredictOptions) => {
      const loaded: LoadedSpec | undefined =
        target !== undefined || existsSync(SPEC_FILE_NAME) ? loadSpec(target ?? '.') : undefined;
      const ref = opts.model ?? (loaded ? `${loaded.spec.name}@champion` : undefined);
      if (ref === undefined) {
        throw new FlywheelError('USAGE', 'which model? no --model and no spec here to name it', {
          hint: 'pass --model NAME@ALIAS (e.g. flights_delay@champion) or run inside a project',
        });
      }
      const stores = await openProjectStore(loaded, opts.store);
      const bar = progressBar(io, 'scoring', !opts.json);
      // Ctrl-C exits at once (bin/flywheel.js) and predictBatch removes its
      // files on exit; SIGTERM stops the scoring and exits after cleaning up.
      const abort = new AbortController();
      const terminate = () => abort.abort();
      process.once('SIGTERM', terminate);
      let result: PredictBatchResult;
      try {
        result = await predictBatch({
          stores,
          ref,
          input: opts.in,
          output: opts.out,
          chunkRows: opts.chunkRows,
          onProgress: (rows, total) => bar.update(rows, total),
          signal: abort.signal,
        });
      } catch (err) {
        if (!abort.signal.aborted) throw err;
        io.err(`terminated: nothing was written to ${opts.out}`);
        throw new ExitWith(TERMINATED);
      } finally {
        bar.stop();
        process.off('SIGTERM', terminate);
        await stores.close();
      }
      if (opts.json) printJson(io, result);
      else {
        for (const w of result.warnings) io.err(`warning: ${w}`);
        io.out(renderPredict(result));
      }
    });
}

/** The outcome for a person: rows, time, rows/s and what was written. */
export function renderPredict(r: PredictBatchResult): string {
  return [
    `Scored ${r.rows.toLocaleString('en-US')} rows of ${r.input} with ${r.model} in ${fmt(r.seconds, 2)} s (${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s)`,
    `Wrote ${r.output} (${r.format}): the input columns plus ${r.added.join(', ')}`,
  ].join('\n');
}
