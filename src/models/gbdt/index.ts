/**
 * Histogram gradient-boosted decision trees (step 4), kept apart as LightGBM
 * keeps them: binning, the binned dataset, histogram kernels, the split
 * finder, the leaf-wise tree learner, objectives, the boosting loop, the
 * flattened forest for prediction, TreeSHAP and the model file.
 */
import type { ModelFile } from '../estimator.js';
import type { ModelKind } from '../model-registry.js';
import { FittedGBDT } from './fitted-gbdt.js';
import { GBDT } from './gbdt.js';
import { decodeModelFile } from './model-file.js';
import type { GBDTParamsInput } from './params.js';

export { FittedGBDT } from './fitted-gbdt.js';
export type { Forest } from './forest.js';
export { GBDT } from './gbdt.js';
export { GBDTParams, type GBDTParamsInput } from './params.js';

/**
 * The `gbdt` model kind for the registry.
 *
 * @example
 * registerModelKind(gbdtKind);
 * const est = createEstimator('gbdt', { num_leaves: 15 });
 */
export const gbdtKind: ModelKind = {
  kind: 'gbdt',
  description: 'histogram gradient-boosted decision trees (leaf-wise, LightGBM-style)',
  create: (params) => new GBDT(params as GBDTParamsInput),
  load: (file: ModelFile) => {
    const { params, state, forest } = decodeModelFile(file);
    return new FittedGBDT(file.task, file.schema, params, forest, state, file.classes);
  },
};
