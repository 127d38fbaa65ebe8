/**
 * Batch scoring (step 6): a CSV or Parquet file in, the same rows out with
 * `score`, `decision` and `model_version`, scored by one registered model
 * version. DuckDB streams the input; every `chunkRows` rows become a
 * typed-array Frame, get their derived features (evaluateColumn, which the
 * expression consistency test holds equal to training's SQL), and are
 * scored. Scores go to a scratch file as they come, so memory holds one
 * chunk; at the end one DuckDB COPY joins them to the input rows by position
 * into a temporary output that is renamed into place only when complete.
 */
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Column, DuckSession, makeFrame, sqlIdent, sqlString } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import { type FittedModel, loadModel } from '../models/index.js';
import { type ModelBundle, ModelRegistry } from '../registry/index.js';
import { binaryThreshold } from '../serve/index.js';
import {
  type ColumnData,
  type Expression,
  evaluateColumn,
  parseExpression,
} from '../spec/index.js';
import type { Stores } from '../store/index.js';
import {
  type BatchFormat,
  checkInputFile,
  checkOutputFolder,
  duckReason,
  formatOf,
  type OpenedInput,
  openInput,
  streamSelects,
  unreadable,
} from './batch-input.js';

export interface PredictBatchOptions {
  readonly stores: Stores;
  /** `name@alias` (e.g. `flights_delay@champion`) or `name@version` (`flights_delay@3`). */
  readonly ref: string;
  /** A CSV (`.csv`, `.tsv`, `.csv.gz`) or Parquet (`.parquet`, `.pq`) file. */
  readonly input: string;
  /** Where the scored rows go; the format follows the extension unless `format` is given. */
  readonly output: string;
  readonly format?: BatchFormat;
  /** Rows per Frame handed to the model (default 100,000). */
  readonly chunkRows?: number;
  readonly onProgress?: (rowsScored: number, totalRows: number) => void;
  /** Stops between chunks (or interrupts DuckDB); nothing is left at `output`. */
  readonly signal?: AbortSignal;
}

export interface PredictBatchResult {
  /** `name@version` of the model that scored, as written in `model_version`. */
  readonly model: string;
  readonly input: string;
  readonly output: string;
  readonly format: BatchFormat;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** The columns added after the input's own. */
  readonly added: readonly string[];
  readonly warnings: readonly string[];
}

/** The batch-scoring surface a model version needs: its bundle, already loaded. */
export interface ScoreFileOptions extends Omit<PredictBatchOptions, 'stores' | 'ref'> {
  readonly bundle: ModelBundle;
  /** Written in `model_version`, e.g. `flights_delay@3`. */
  readonly modelVersion: string;
}

type Buffer = Float64Array | Int32Array;
type Vector = { getItem(i: number): unknown; items?: unknown };

function copyRange(vector: Vector, from: number, n: number, target: Buffer, at: number): void {
  const items = vector.items;
  if (items instanceof target.constructor) {
    target.set((items as Buffer).subarray(from, from + n), at);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = vector.getItem(from + i);
    target[at + i] = v === null ? Number.NaN : Number(v);
  }
}

/**
 * Scores one chunk: derived features after the inputs, then the model, then
 * the decision by the server's rule (binaryThreshold: a top_k policy acts by
 * its per-row threshold here too, so batch and online decisions agree).
 * Written as lines of the scores file, in the columns of `outputLayout`.
 */
class ChunkScorer {
  private readonly derived: readonly { name: string; expression: Expression }[];
  private readonly threshold: number;
  private readonly classes: readonly string[];

  constructor(
    private readonly bundle: ModelBundle,
    private readonly model: FittedModel,
  ) {
    this.derived = bundle.derived.map((d) => ({
      name: d.name,
      expression: parseExpression(d.expression),
    }));
    this.threshold = binaryThreshold(bundle.decision);
    this.classes = model.classes ?? bundle.classes ?? [];
    const provided = new Set([
      ...bundle.inputs.map((i) => i.name),
      ...bundle.featureVersions.map((f) => f.name),
      ...bundle.derived.map((d) => d.name),
    ]);
    for (const f of model.schema.features) {
      if (!provided.has(f.name)) {
        throw new FlywheelError(
          'ARTIFACT_CORRUPT',
          `bundle of "${bundle.name}": the model needs feature "${f.name}", which is neither an input nor a derived feature`,
        );
      }
    }
  }

  /** Scores `n` rows and returns them as lines of the scores file. */
  score(columns: Map<string, Column>, n: number): string {
    for (const step of this.derived) {
      const column = evaluateColumn(step.expression, columns as ReadonlyMap<string, ColumnData>, n);
      columns.set(step.name, column as Column);
    }
    const output = this.model.predict(makeFrame(columns));
    return this.lines(output, n);
  }

  private lines(output: Float64Array, n: number): string {
    const num = (x: number) => (Number.isNaN(x) ? '' : String(x));
    let text = '';
    if (this.bundle.task === 'binary') {
      const t = this.threshold;
      for (let r = 0; r < n; r++) {
        const s = output[r]!;
        text += Number.isNaN(s) ? ',\n' : `${s},${s >= t ? 'true' : 'false'}\n`;
      }
    } else if (this.bundle.task === 'regression') {
      for (let r = 0; r < n; r++) text += `${num(output[r]!)}\n`;
    } else {
      const k = this.classes.length;
      for (let r = 0; r < n; r++) {
        let best = 0;
        let line = '';
        for (let j = 0; j < k; j++) {
          const p = output[r * k + j]!;
          if (p > output[r * k + best]!) best = j;
          line += `,${num(p)}`;
        }
        text += `${num(output[r * k + best]!)},${best}${line}\n`;
      }
    }
    return text;
  }
}

/**
 * What scoring adds to each row: the columns of the scores file (as
 * ChunkScorer writes them) and how each becomes an output column.
 */
function outputLayout(task: ModelBundle['task'], classes: readonly string[], modelVersion: string) {
  const scores = [{ name: 'score', type: 'DOUBLE' }];
  const selects = ['s.score AS score'];
  const added = ['score', 'decision'];
  if (task === 'binary') {
    scores.push({ name: 'decision', type: 'BOOLEAN' });
    selects.push('s.decision AS decision');
  } else if (task === 'regression') selects.push('s.score AS decision');
  else {
    scores.push({ name: 'decision', type: 'INTEGER' });
    selects.push(`[${classes.map(sqlString).join(', ')}][s.decision + 1] AS decision`);
    for (const [j, c] of classes.entries()) {
      scores.push({ name: `p${j}`, type: 'DOUBLE' });
      selects.push(`s.p${j} AS ${sqlIdent(`probability_${c}`)}`);
      added.push(`probability_${c}`);
    }
  }
  selects.push(`${sqlString(modelVersion)} AS model_version`);
  added.push('model_version');
  return { scores, selects, added };
}

/** The input rows (less the columns scoring replaces) beside their scores, by position. */
function outputSql(
  layout: ReturnType<typeof outputLayout>,
  scoresFile: string,
  replaced: readonly string[],
): string {
  const types = layout.scores.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`);
  const scores = `read_csv(${sqlString(scoresFile)}, header=false, auto_detect=false, delim=',', columns={${types.join(', ')}})`;
  const exclude = replaced.length > 0 ? ` EXCLUDE (${replaced.map(sqlIdent).join(', ')})` : '';
  return `SELECT i.*${exclude}, ${layout.selects.join(', ')} FROM fw_in AS i POSITIONAL JOIN ${scores} AS s`;
}

function copyOptions(output: string, format: BatchFormat): string {
  if (format === 'parquet') return "FORMAT parquet, COMPRESSION 'zstd'";
  const options = ['FORMAT csv', 'HEADER true'];
  if (/\.tsv(\.gz)?$/i.test(output)) options.push("DELIMITER '\\t'");
  if (/\.gz$/i.test(output)) options.push("COMPRESSION 'gzip'");
  return options.join(', ');
}

/**
 * Streams the inputs out of DuckDB into reusable chunk buffers, scores every
 * `chunkRows` rows and appends their lines to the scores file. Returns the
 * number of rows scored.
 */
async function streamScores(
  session: DuckSession,
  input: OpenedInput,
  scorer: ChunkScorer,
  scoresFile: string,
  options: Pick<ScoreFileOptions, 'onProgress' | 'signal'> & { chunkRows: number; shown: string },
): Promise<number> {
  const { plans, dictionaries } = input;
  const { chunkRows, signal } = options;
  // One chunk's buffers, reused; inputs the file lacks stay NaN.
  const buffers = plans.map((p) =>
    p.input.type === 'categorical' ? new Int32Array(chunkRows) : new Float64Array(chunkRows),
  );
  for (const [i, p] of plans.entries()) if (p.sql === undefined) buffers[i]!.fill(Number.NaN);
  const streamed = plans.flatMap((p, i) => (p.sql === undefined ? [] : [i]));
  const columnsOf = (n: number) => {
    const map = new Map<string, Column>();
    for (const [i, { input: field }] of plans.entries()) {
      const values = buffers[i]!.subarray(0, n);
      map.set(
        field.name,
        field.type === 'categorical'
          ? {
              type: 'categorical',
              codes: values as Int32Array,
              dictionary: dictionaries.get(field.name) ?? [],
            }
          : { type: field.type, values: values as Float64Array },
      );
    }
    return map;
  };

  const fd = openSync(scoresFile, 'w');
  let filled = 0;
  let scored = 0;
  const flush = () => {
    if (filled === 0) return;
    writeSync(fd, scorer.score(columnsOf(filled), filled));
    scored += filled;
    filled = 0;
    options.onProgress?.(scored, input.rows);
  };
  const selects = streamSelects(plans);
  const query = `SELECT ${selects.length > 0 ? selects.join(', ') : '0'} FROM fw_in`;
  try {
    for await (const chunk of session.chunks(query)) {
      signal?.throwIfAborted();
      const n = chunk.rowCount;
      for (let from = 0; from < n; ) {
        const take = Math.min(n - from, chunkRows - filled);
        for (const [c, p] of streamed.entries())
          copyRange(chunk.getColumnVector(c), from, take, buffers[p]!, filled);
        filled += take;
        from += take;
        if (filled === chunkRows) flush();
      }
    }
    flush();
    return scored;
  } catch (err) {
    throw signal?.aborted ? signal.reason : unreadable(options.shown, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Scores a file with a loaded bundle (what `predictBatch` does once it has
 * resolved the reference). Exposed for tests and tools that hold a bundle.
 *
 * @example
 * await scoreFile({ bundle, modelVersion: 'churn@3', input: 'in.parquet', output: 'out.csv' });
 */
export async function scoreFile(options: ScoreFileOptions): Promise<PredictBatchResult> {
  const started = performance.now();
  const { bundle, signal } = options;
  const chunkRows = options.chunkRows ?? 100_000;
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
    throw new FlywheelError('USAGE', `chunkRows must be a positive integer, got ${chunkRows}`);
  }
  const shown = options.input;
  const input = path.resolve(options.input);
  const output = path.resolve(options.output);
  checkInputFile(shown, input);
  const inputFormat = formatOf(shown, 'input');
  const format = options.format ?? formatOf(options.output, 'output');
  checkOutputFolder(options.output, output);
  const model = loadModel(bundle.model);
  const scorer = new ChunkScorer(bundle, model);
  const classes = model.classes ?? bundle.classes ?? [];
  const warnings: string[] = [];

  const scratch = mkdtempSync(path.join(tmpdir(), 'fw-predict-'));
  const scoresFile = path.join(scratch, 'scores.csv');
  const partial = path.join(
    path.dirname(output),
    `.${path.basename(output)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`,
  );
  // Also on process.exit (a Ctrl-C handler that exits at once): no partial file survives.
  const removeFiles = () => {
    rmSync(partial, { force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  process.on('exit', removeFiles);
  let session: DuckSession | undefined;
  const interrupt = () => session?.connection.interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    session = await DuckSession.open();
    signal?.throwIfAborted();
    const opened = await openInput(
      session,
      bundle,
      { absolute: input, shown, format: inputFormat },
      warnings,
    );
    const layout = outputLayout(bundle.task, classes, options.modelVersion);
    const replaced = opened.columns.map((c) => c.name).filter((c) => layout.added.includes(c));
    if (replaced.length > 0)
      warnings.push(`${shown} already has ${replaced.join(', ')}: replaced in the output`);
    const scored = await streamScores(session, opened, scorer, scoresFile, {
      ...options,
      chunkRows,
      shown,
    });

    const select = outputSql(layout, scoresFile, replaced);
    let written: number;
    try {
      const [copied] = await session.rows(
        `COPY (${select}) TO ${sqlString(partial)} (${copyOptions(output, format)})`,
      );
      written = Number(copied?.['Count'] ?? scored);
    } catch (err) {
      throw new FlywheelError(
        'DATA_UNREADABLE',
        `cannot write ${options.output}: ${duckReason(err)}`,
        {
          cause: err,
        },
      );
    }
    if (written !== scored || scored !== opened.rows) {
      throw new FlywheelError(
        'DATA_UNREADABLE',
        `${shown} changed while it was being scored (${opened.rows} rows counted, ${scored} scored, ${written} written)`,
      );
    }
    signal?.throwIfAborted();
    renameSync(partial, output);
    const seconds = (performance.now() - started) / 1000;
    return {
      model: options.modelVersion,
      input: shown,
      output: options.output,
      format,
      rows: scored,
      seconds,
      rowsPerSecond: seconds > 0 ? scored / seconds : 0,
      added: layout.added,
      warnings,
    };
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    session?.close();
    removeFiles();
    process.off('exit', removeFiles);
  }
}

/**
 * Scores a CSV or Parquet file with a registered model version and writes
 * the rows back with `score`, `decision` and `model_version` (plus one
 * `probability_<class>` column per class for multiclass), atomically.
 *
 * @example
 * const result = await predictBatch({
 *   stores, ref: 'flights_delay@champion', input: 'flights.parquet', output: 'scored.parquet',
 * });
 * console.log(`${result.rows} rows at ${Math.round(result.rowsPerSecond)} rows/s`);
 */
export async function predictBatch(options: PredictBatchOptions): Promise<PredictBatchResult> {
  const { stores, ref, ...rest } = options;
  const registry = new ModelRegistry(stores);
  const version = await registry.resolve(ref);
  const bundle = await registry.loadBundle(version);
  return scoreFile({ ...rest, bundle, modelVersion: `${version.name}@${version.version}` });
}
