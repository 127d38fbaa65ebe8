/**
 * The estimator contract (scikit-learn's, in TypeScript). A constructor
 * stores parameters and nothing else; `fit` validates, is deterministic for
 * a seed and returns a separate fitted type, so "predict before fit" does not
 * compile. A fitted model predicts from a Frame, reports its cost, and
 * serialises to a versioned, language-neutral model file (JSON, never code).
 */
import type { Column, Frame } from '../data/index.js';
import type { Task } from '../spec/index.js';

/** What a model learned its inputs to be: names, kinds and category dictionaries. */
export interface FeatureSchema {
  readonly features: readonly {
    readonly name: string;
    readonly type: 'numeric' | 'categorical' | 'timestamp';
    /** Categorical: the training dictionary; codes refer to it. */
    readonly dictionary?: readonly string[];
  }[];
}

export interface FitProgress {
  readonly iteration: number;
  readonly total: number;
  /** Validation metric at this iteration, when there is one. */
  readonly metric?: { readonly name: string; readonly value: number };
}

export interface FitOptions {
  readonly task: Task;
  /** Seed for everything random in fitting; the same seed gives the same model. */
  readonly seed?: number;
  /** Multiclass: the class labels, in code order. */
  readonly classes?: readonly string[];
  /** Per-row weights (default 1). */
  readonly weights?: Float64Array;
  /** Validation data for early stopping and calibration. */
  readonly validation?: { readonly frame: Frame; readonly target: Column };
  readonly onProgress?: (progress: FitProgress) => void;
}

export interface ModelCost {
  /** Size of the serialised model in bytes. */
  readonly bytes: number;
  /** Number of parameters (coefficients, or tree nodes). */
  readonly parameters: number;
  /** Rough single-row prediction cost in operations (for the ladder's latency budget). */
  readonly opsPerRow: number;
}

/**
 * A model file: versioned and language-neutral. `state` is the kind's own
 * JSON; large numeric arrays may sit in `binary` as base64 little-endian blocks.
 */
export interface ModelFile {
  readonly format: 'flywheel.model';
  readonly formatVersion: 1;
  readonly kind: string;
  readonly task: Task;
  readonly params: Record<string, unknown>;
  readonly schema: FeatureSchema;
  readonly classes?: readonly string[];
  readonly state: Record<string, unknown>;
  readonly binary?: Record<
    string,
    { readonly dtype: 'f64' | 'f32' | 'i32' | 'u32' | 'u8'; readonly base64: string }
  >;
}

export interface FittedModel {
  readonly kind: string;
  readonly task: Task;
  readonly schema: FeatureSchema;
  /** Multiclass: the class labels, in output order. */
  readonly classes?: readonly string[];
  /**
   * Predictions for every row of `frame`: binary → P(positive); regression →
   * the value; multiclass → row-major n × k class probabilities.
   * Categories unseen in training and missing values are handled, never an error.
   */
  predict(frame: Frame): Float64Array;
  cost(): ModelCost;
  toFile(): ModelFile;
}

export interface Estimator<P extends object, F extends FittedModel = FittedModel> {
  readonly kind: string;
  readonly params: Readonly<P>;
  /** Tasks this estimator can fit. */
  readonly tasks: readonly Task[];
  fit(frame: Frame, target: Column, options: FitOptions): Promise<F>;
}
