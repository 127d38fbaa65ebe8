/** Step 8, feedback: labelled outcomes joined to what was served. */

export { type LabelCostOptions, labelCostSource, realisedCost } from './canary-cost.js';
export {
  addFeedbackReport,
  checkLabels,
  emptyFeedbackReport,
  type FeedbackReport,
  type IngestFeedbackOptions,
  ingestFeedback,
  type LabelInput,
  type LabelProblem,
  labelOf,
} from './labels.js';
