/** Step 5, evaluation that matches the business: costs, ranking and calibration metrics. */
export {
  type BinaryCost,
  binaryCost,
  costOptimalThreshold,
  multiclassCost,
  type OutcomeCosts,
  regressionCost,
} from './business-cost.js';
export { logLoss, rocAuc } from './ranking.js';
