/**
 * A trained GBDT: predicts from the flattened forest, explains rows with
 * TreeSHAP, reports its cost and writes its model file.
 */
import type { Frame } from '../../data/index.js';
import type { Task } from '../../spec/index.js';
import { alignFrame } from '../align.js';
import type { FeatureSchema, FittedModel, ModelCost, ModelFile } from '../estimator.js';
import { modelFile } from '../model-file.js';
import type { Forest } from './forest.js';
import { encodeForest, type GBDTState } from './model-file.js';
import { createObjective, type Objective } from './objectives/index.js';
import type { GBDTParams } from './params.js';
import { predictRawColumns } from './predict.js';
import { contributions } from './shap.js';

export class FittedGBDT implements FittedModel {
  readonly kind = 'gbdt';
  private readonly objective: Objective;
  private bytes = -1;

  constructor(
    readonly task: Task,
    readonly schema: FeatureSchema,
    readonly params: GBDTParams,
    readonly forest: Forest,
    readonly state: GBDTState,
    readonly classes?: readonly string[],
  ) {
    this.objective = createObjective(state.objective, state.numModels, params.alpha);
  }

  /** Boosting rounds in the model (after early stopping). */
  get rounds(): number {
    return this.state.rounds;
  }

  /**
   * Binary: P(positive); multiclass: row-major n × k probabilities;
   * regression: the value (or the alpha-quantile).
   *
   * @example
   * const p = model.predict(testFrame);
   */
  predict(frame: Frame): Float64Array {
    return this.objective.transform(this.predictRaw(frame));
  }

  /** Raw scores (margins) before the link: log-odds, softmax inputs (n × k), or values. */
  predictRaw(frame: Frame): Float64Array {
    return predictRawColumns(this.forest, alignFrame(frame, this.schema), frame.rowCount);
  }

  /**
   * TreeSHAP contributions: per row (and class, for multiclass) one value per
   * feature plus the expected value last; each group sums to the raw score.
   *
   * @example
   * const phi = model.contributions(frame); // n × (features + 1)
   */
  contributions(frame: Frame): Float64Array {
    return contributions(this.forest, alignFrame(frame, this.schema), frame.rowCount);
  }

  /** Total split gain of each feature, largest first. */
  featureImportance(): { feature: string; gain: number }[] {
    return this.schema.features
      .map((f, i) => ({ feature: f.name, gain: this.state.importance[i]! }))
      .sort((a, b) => b.gain - a.gain);
  }

  cost(): ModelCost {
    if (this.bytes < 0) this.bytes = JSON.stringify(this.toFile()).length;
    let ops = 0;
    const depth = (c: number): number =>
      c < 0 ? 0 : 1 + Math.max(depth(this.forest.left[c]!), depth(this.forest.right[c]!));
    for (const root of this.forest.treeRoot) ops += Math.max(1, depth(root));
    return {
      bytes: this.bytes,
      parameters: this.forest.feature.length + this.forest.leafValue.length,
      opsPerRow: ops,
    };
  }

  toFile(): ModelFile {
    return modelFile(this, this.params, { ...this.state }, encodeForest(this.forest));
  }
}
