/**
 * What every fitted linear model shares: the saved preprocessing and
 * coefficients, chunked prediction (bounded memory on any frame size), named
 * coefficients, cost, and the model file (design and solver report as JSON,
 * coefficients as f64 binary blocks). Logistic and ridge add their link.
 */
import { z } from 'zod';
import type { Frame } from '../../data/index.js';
import { FlywheelError } from '../../errors.js';
import type { Task } from '../../spec/index.js';
import { alignFrame } from '../align.js';
import type { FeatureSchema, FittedModel, ModelCost, ModelFile } from '../estimator.js';
import { decodeArray, encodeArray } from '../model-file.js';
import { linearScores } from './compact-matrix.js';
import { buildDesign, type DesignSpec, parseDesignSpec } from './design-matrix.js';
import type { LinearSolution } from './logistic-solver.js';

/** Rows transformed and scored at a time in `predict`. */
const CHUNK_ROWS = 65_536;

/** One coefficient with its design-column name; coefficients are on the standardised scale. */
export interface NamedCoefficient {
  /** Design column (`age`, `age[missing]`, `city=Paris`, `city[rare]`) or `(intercept)`. */
  readonly name: string;
  /** Multiclass: the class this coefficient scores. */
  readonly class?: string;
  readonly value: number;
}

/** The fitted state of a linear model, as saved. */
export interface LinearCore {
  readonly design: DesignSpec;
  readonly solution: Pick<
    LinearSolution,
    'coef' | 'intercept' | 'outputs' | 'iterations' | 'status' | 'objective'
  >;
}

const SolverReport = z.object({
  outputs: z.int().positive(),
  iterations: z.int().nonnegative(),
  status: z.string(),
  objective: z.number().nullable(),
});

export abstract class FittedLinearModel implements FittedModel {
  abstract readonly kind: string;
  private bytes: number | undefined;

  constructor(
    readonly task: Task,
    readonly schema: FeatureSchema,
    readonly params: Readonly<Record<string, unknown>>,
    readonly core: LinearCore,
  ) {}

  /** Output columns per row (1, or the number of classes). */
  protected abstract get width(): number;
  /** Class names for output c of the linear scores (multiclass), else undefined. */
  protected abstract outputClass(output: number): string | undefined;
  /** Turns `rows` × outputs linear scores into predictions at row `offset` of `out`. */
  protected abstract link(
    scores: Float64Array,
    rows: number,
    out: Float64Array,
    offset: number,
  ): void;
  /** Kind-specific JSON saved beside the design. */
  protected abstract extraState(): Record<string, unknown>;

  predict(frame: Frame): Float64Array {
    const columns = alignFrame(frame, this.schema);
    const { coef, intercept, outputs } = this.core.solution;
    const out = new Float64Array(frame.rowCount * this.width);
    for (let start = 0; start < frame.rowCount; start += CHUNK_ROWS) {
      const end = Math.min(frame.rowCount, start + CHUNK_ROWS);
      const X = buildDesign(this.core.design, columns, start, end);
      const scores = linearScores(X, coef, intercept, outputs, new Float64Array(X.rows * outputs));
      this.link(scores, X.rows, out, start * this.width);
    }
    return out;
  }

  /**
   * Intercepts, then coefficients in design-column order (per class for
   * multiclass), on the standardised scale: a coefficient is the change in the
   * score for one training standard deviation of its feature.
   */
  coefficients(): NamedCoefficient[] {
    const { coef, intercept, outputs } = this.core.solution;
    const out: NamedCoefficient[] = [];
    const entry = (name: string, c: number, value: number): NamedCoefficient => {
      const cls = this.outputClass(c);
      return cls === undefined ? { name, value } : { name, class: cls, value };
    };
    for (let c = 0; c < outputs; c++) out.push(entry('(intercept)', c, intercept[c]!));
    for (let c = 0; c < outputs; c++) {
      this.core.design.names.forEach((name, j) => {
        out.push(entry(name, c, coef[j * outputs + c]!));
      });
    }
    return out;
  }

  cost(): ModelCost {
    const { design, solution } = this.core;
    this.bytes ??= Buffer.byteLength(JSON.stringify(this.toFile()));
    const perOutput =
      design.denseCols +
      design.features.filter((f) => f.type === 'categorical' || f.missingColumn >= 0).length;
    return {
      bytes: this.bytes,
      parameters: solution.coef.length + solution.intercept.length,
      opsPerRow: design.features.length + perOutput * solution.outputs + 10 * this.width,
    };
  }

  toFile(): ModelFile {
    const { design, solution } = this.core;
    const objective = Number.isFinite(solution.objective) ? solution.objective : null;
    return {
      format: 'flywheel.model',
      formatVersion: 1,
      kind: this.kind,
      task: this.task,
      params: { ...this.params },
      schema: this.schema,
      ...this.classesField(),
      state: {
        design,
        solver: {
          outputs: solution.outputs,
          iterations: solution.iterations,
          status: solution.status,
          objective,
        },
        ...this.extraState(),
      },
      binary: { coef: encodeArray(solution.coef), intercept: encodeArray(solution.intercept) },
    };
  }

  protected classesField(): { classes?: readonly string[] } {
    return {};
  }
}

/**
 * The design and coefficients of a linear model file, validated.
 *
 * @example
 * const core = readLinearCore(file);
 */
export function readLinearCore(file: ModelFile): LinearCore {
  const design = parseDesignSpec(file.state['design']);
  const report = SolverReport.safeParse(file.state['solver']);
  if (!report.success)
    throw new FlywheelError('ARTIFACT_CORRUPT', 'model file: invalid linear solver report');
  const { outputs, iterations, status, objective } = report.data;
  const coef = decodeArray(file.binary?.['coef'], 'f64', 'coef');
  const intercept = decodeArray(file.binary?.['intercept'], 'f64', 'intercept');
  if (coef.length !== design.cols * outputs || intercept.length !== outputs) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      `model file: ${coef.length} coefficients for ${design.cols} columns × ${outputs} outputs`,
    );
  }
  if (design.features.length !== file.schema.features.length) {
    throw new FlywheelError(
      'ARTIFACT_CORRUPT',
      'model file: the linear design does not match the feature schema',
    );
  }
  return {
    design,
    solution: {
      coef,
      intercept,
      outputs,
      iterations,
      status: status as LinearSolution['status'],
      objective: objective ?? Number.NaN,
    },
  };
}
