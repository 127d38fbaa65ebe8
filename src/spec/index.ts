/** Step 1, framing: the spec schema, its loader and the falsifiability lint. */
export {
  breakEvenThreshold,
  type OutcomeCosts,
  type PolicyCosts,
  trivialPolicyCosts,
} from './decision.js';
export {
  type ColumnData,
  type Expression,
  type ExpressionType,
  evaluate,
  evaluateColumn,
  FUNCTIONS,
  parseExpression,
  referencedColumns,
  toSql,
  typeCheck,
} from './expression/index.js';
export { specExpressions } from './expressions.js';
export { lintSpec } from './lint.js';
export {
  describeFound,
  formatIssue,
  type LoadedSpec,
  loadSpec,
  parseSpec,
  resolveSpecPath,
  SPEC_FILE_NAME,
  type SpecIssue,
  specError,
} from './load.js';
export {
  METRICS,
  type MetricInfo,
  metricInfo,
  metricsForTask,
  type Task,
} from './metrics-catalog.js';
export {
  feedbackSettings,
  monitorSettings,
  type Spec,
  type SpecInput,
  SpecSchema,
} from './schema.js';
export { closestMatch, didYouMean } from './suggest.js';
