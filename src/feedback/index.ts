/** Step 8, feedback: labelled outcomes joined to what was served. */
export {
  checkLabels,
  type FeedbackReport,
  type IngestFeedbackOptions,
  ingestFeedback,
  type LabelInput,
  type LabelProblem,
  labelOf,
} from './labels.js';
