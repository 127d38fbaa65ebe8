/**
 * Step 4, linear models: logistic regression (binary, multinomial) and ridge
 * regression with their preprocessing, plus the core solvers on a raw design
 * matrix (for checks against scikit-learn and for other models to reuse).
 */
export { type CompactMatrix, denseMatrix, linearScores, toDense } from './compact-matrix.js';
export {
  buildDesign,
  type DesignOptions,
  type DesignSpec,
  type FeatureEncoding,
  fitDesign,
  parseDesignSpec,
  rareThreshold,
} from './design-matrix.js';
export {
  FittedLinearModel,
  type LinearCore,
  type NamedCoefficient,
  readLinearCore,
} from './fitted-linear.js';
export {
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStatus,
  minimizeLbfgs,
  type Objective,
} from './lbfgs.js';
export {
  FittedLogisticRegression,
  LogisticParams,
  LogisticRegression,
  logisticKind,
} from './logistic.js';
export {
  type LogisticProblem,
  logisticObjective,
  sigmoid,
  softplus,
} from './logistic-objective.js';
export {
  type LinearSolution,
  type LogisticSolveOptions,
  solveLogistic,
} from './logistic-solver.js';
export { FittedRidgeRegression, RidgeParams, RidgeRegression, ridgeKind } from './ridge.js';
export {
  CHOLESKY_MAX_COLUMNS,
  type RidgeSolveOptions,
  ridgeObjective,
  solveRidge,
} from './ridge-solver.js';
