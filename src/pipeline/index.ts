/** The pipeline: runs the lifecycle's steps over a project. */

export type { BatchFormat } from './batch-input.js';
export { type BundleSources, buildBundle } from './bundle.js';
export { type CheckReport, checkProject, type SplitImplication } from './check-project.js';
export {
  type ColumnDiff,
  diffSnapshots,
  listProjectSnapshots,
  purgeProject,
  type SnapshotDiff,
  type SnapshotOptions,
  type SnapshotReport,
  scanProject,
  snapshotProject,
} from './data-project.js';
export { type DemoOptions, type DemoProgress, type DemoResult, runDemo } from './demo-project.js';
export { type DescribeReport, describeProject } from './describe-project.js';
export { type EvaluateOptions, evaluateProject } from './evaluate-project.js';
export {
  type DeploymentEvent,
  type EventPublisherOptions,
  type FeedbackEvent,
  NatsEventPublisher,
  type PredictionEvent,
  publishDeployments,
} from './event-publishing.js';
export {
  consumeEvents,
  type NatsEventsBatch,
  type NatsEventsOptions,
  type NatsEventsReady,
  type NatsEventsTotals,
} from './events-nats.js';
export {
  consumeFeedback,
  type NatsFeedbackBatch,
  type NatsFeedbackOptions,
} from './feedback-nats.js';
export { ingestFeedbackFile } from './feedback-project.js';
export { buildFeedbackSnapshot, type FeedbackSnapshot } from './feedback-snapshot.js';
export {
  EXAMPLES,
  flightsParquetPath,
  type InitOptions,
  type InitResult,
  initProject,
} from './init-project.js';
export type { LabelledPart } from './labelled-part.js';
export {
  fitPowerLaw,
  type LearningCurve,
  type LearningCurveOptions,
  type LearningCurvePoint,
  learningCurve,
  type PowerLawFit,
} from './learning-curve.js';
export {
  chooseTable,
  type EventsLoadReport,
  ingestEventsFile,
  type MaterializeRange,
  materializeFromLog,
  materializeFromSpec,
  type OpenedOnline,
  openOnlineStore,
  openProjectOnline,
  projectOnlineDefinitions,
} from './online-project.js';
export {
  checkLabelIssues,
  type LabelIssueCheckOptions,
  type OutOfFold,
  type OutOfFoldOptions,
  outOfFoldProbabilities,
  outOfFoldSkill,
} from './out-of-fold.js';
export {
  type PredictBatchOptions,
  type PredictBatchResult,
  predictBatch,
  type ScoreFileOptions,
  scoreFile,
} from './predict-batch.js';
export {
  actorName,
  blockingError,
  type DataStage,
  type DataStageOptions,
  loadSnapshotData,
  snapshotData,
} from './project-data.js';
export {
  checkLabelQuality,
  type GateResult,
  gateChallenger,
  type LabelQuality,
  type RetrainOptions,
  type RetrainOutcome,
  type RetrainResult,
  retrainProject,
  retrainTrigger,
  retrainWithStores,
} from './retrain-project.js';
export { type DataChecks, type RunOptions, type RunResult, runProject } from './run-project.js';
export { learningCurveFindings, noLiftFindings, signalFindings } from './signal.js';
export {
  type StreamAnswerPayload,
  type StreamBatch,
  type StreamScoringOptions,
  type StreamTotals,
  streamScoring,
} from './stream-scoring.js';
export {
  loadCheckedSpec,
  loadProjectData,
  MODEL_MEDIA_TYPE,
  openProjectStore,
  type ProjectData,
  type ProjectDataOptions,
  type TrainEvents,
  type TrainOptions,
  type TrainReport,
  trainProject,
} from './train-project.js';
