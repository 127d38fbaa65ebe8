/**
 * A model bundle: everything needed to serve one model version, in one
 * immutable JSON document stored in the artifact store under its sha256.
 * The registry creates bundles from blessed runs; the server and batch
 * scoring read nothing else.
 */

import type { NumericColumnProfile } from '../data/index.js';
import type { OnlineDefinitions } from '../features/index.js';
import type { Spec } from '../spec/index.js';

/** The reference of a binary model's score distribution, from its test rows. */
export interface ScoreReference {
  /** Test scores profiled as a numeric column (equal-frequency bins). */
  readonly profile: NumericColumnProfile;
  /** Share of positive decisions on test. */
  readonly positiveRate: number | null;
  /** Share of positive labels on test. */
  readonly baseRate: number | null;
  readonly rows: number;
}

export const BUNDLE_FORMAT = 'flywheel.bundle/v1';
export const BUNDLE_MEDIA_TYPE = 'application/vnd.flywheel.bundle+json';

/** One input a request may carry, as the model was trained on it. */
export interface BundleInput {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'timestamp';
  /** Categoricals: the values seen in training (others are "unseen", which the model handles). */
  readonly categories?: readonly string[];
  /** Whether the model can score a row where this input is missing (all Flywheel models can). */
  readonly nullable: boolean;
}

/** A feature the server computes from the inputs (the spec's `features.derive`). */
export interface BundleDerived {
  readonly name: string;
  readonly type: 'numeric' | 'categorical' | 'timestamp';
  /** The spec expression, evaluated with the same evaluator as training's consistency test. */
  readonly expression: string;
}

export type BundleDecision =
  | { readonly kind: 'threshold'; readonly threshold: number }
  | { readonly kind: 'top_k'; readonly k: number; readonly per: string; readonly threshold: number }
  | { readonly kind: 'none' };

export interface ModelBundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** The registered model name (the spec's `name` by default). */
  readonly name: string;
  readonly task: 'binary' | 'multiclass' | 'regression';
  /** The rung that was chosen, e.g. `gbdt`. */
  readonly rung: string;
  /** The model file (`FittedModel.toFile()`), loadable with `loadModel`. */
  readonly model: unknown;
  /** Inputs a request carries: the raw columns the features come from. */
  readonly inputs: readonly BundleInput[];
  /** Features computed from the inputs, in order. */
  readonly derived: readonly BundleDerived[];
  /** The model's feature order (inputs and derived features by name). */
  readonly features: readonly string[];
  /** Point-in-time features and their definition versions. */
  readonly featureVersions: readonly { readonly name: string; readonly version: string }[];
  /**
   * The point-in-time features the server fills from the online store when a
   * request leaves them out, and the event tables behind them (absent in
   * bundles made before online features, and when the model has none).
   */
  readonly online?: OnlineDefinitions;
  /** Multiclass: class labels in model order. */
  readonly classes?: readonly string[];
  /** How a score becomes a decision (binary). */
  readonly decision: BundleDecision;
  readonly entity?: string;
  readonly eventTime?: string;
  /**
   * The consent column (`governance.consent`): a request may carry it
   * although the model does not read it, so that the prediction log keeps
   * it and the feedback join can honour it.
   */
  readonly consent?: string;
  /** The business costs, for canary cost comparisons and alert pricing. */
  readonly costs?: {
    readonly tp: number;
    readonly fp: number;
    readonly fn: number;
    readonly tn: number;
  };
  readonly currency: string;
  readonly latencyBudget?: { readonly p50_ms?: number; readonly p99_ms: number };
  readonly specHash: string;
  /** The profile of the training snapshot: the reference monitoring compares traffic with. */
  readonly referenceProfile: unknown;
  readonly lineage: {
    readonly runId: string;
    readonly rungRunId: string;
    readonly snapshotId: string | null;
  };
  /**
   * A few test rows as a request would carry them, with the scores the model
   * gave them in training: the smoke check scores them through the serving
   * path and refuses a version whose answers differ (train/serve skew).
   */
  readonly samples?: {
    readonly rows: readonly Readonly<Record<string, unknown>>[];
    readonly scores: readonly number[];
  };
  /**
   * The test scores' distribution, positive-decision and label rates: the
   * reference of prediction drift (absent in bundles made before monitoring).
   */
  readonly referenceScores?: ScoreReference;
  /** Each feature's share of the model's permutation importance (sums to 1). */
  readonly importance?: Readonly<Record<string, number>>;
  /** The spec's monitoring settings when the version was made (defaults filled in). */
  readonly monitoring?: NonNullable<Spec['monitor']>;
  /** What an outcome label is: the target column and, binary, the expression defining a positive. */
  readonly target?: { readonly column: string; readonly positive?: string };
  /** The gate's verdict on the run (step 5). Promotion requires `passed`. */
  readonly blessing: { readonly passed: boolean; readonly criteria: readonly unknown[] };
  readonly createdAt: string;
}
