/**
 * The contract between the HTTP server (src/server) and what it serves: a
 * ModelHost resolves a model name to the deployment serving it now (champion,
 * canary share, shadow), and scores rows given as JSON objects. Swapping what
 * a name serves (promotion, rollback, canary moves) happens inside the host
 * without a restart: the server asks on every request.
 */

/** A field-level problem with one request row (becomes a 400). */
export interface FieldError {
  /** Index of the row in the request. */
  readonly row: number;
  /** The field (input) name, or `(row)` for the row as a whole. */
  readonly field: string;
  readonly message: string;
}

/** The result for one row. */
export interface ScoredRow {
  /** Unique id of this prediction; feedback labels join on it. */
  readonly predictionId: string;
  /** Binary: P(positive); regression: the value; multiclass: P(top class). */
  readonly score: number;
  /** Binary: whether to act; multiclass: the class; regression: the value. */
  readonly decision: boolean | string | number;
  /** Multiclass: the probability of each class. */
  readonly probabilities?: Readonly<Record<string, number>>;
  /** `name@version` of the model that answered. */
  readonly modelVersion: string;
}

export interface PredictRequest {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** A key for sticky canary routing (an entity id or request key); random when absent. */
  readonly routingKey?: string;
  /** Request id for logs and errors. */
  readonly requestId: string;
  /** Abort when the inference timeout passes. */
  readonly signal?: AbortSignal;
}

export type PredictOutcome =
  | { readonly ok: true; readonly rows: readonly ScoredRow[] }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** What the server shows in `/v2/models/:name` (Open Inference Protocol metadata). */
export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: 'flywheel';
  readonly inputs: readonly { name: string; datatype: 'FP64' | 'BYTES'; shape: number[] }[];
  readonly outputs: readonly {
    name: string;
    datatype: 'FP64' | 'BYTES' | 'BOOL';
    shape: number[];
  }[];
}

export interface ModelHost {
  /** Names of the models that can be served. */
  names(): readonly string[];
  /** Whether `name` has a deployment ready to score. */
  ready(name: string): boolean;
  metadata(name: string): ModelMetadata | undefined;
  /**
   * Scores rows; resolves only after the predictions are in the prediction
   * log (group commit) unless the host runs in async logging mode.
   * Throws FlywheelError NOT_FOUND for an unknown model.
   */
  predict(name: string, request: PredictRequest): Promise<PredictOutcome>;
  /** Stops background work (controllers, log flushing) after draining. */
  close(): Promise<void>;
}
