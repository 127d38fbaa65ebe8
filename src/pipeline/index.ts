/** The pipeline: runs the lifecycle's steps over a project. */
export { type CheckReport, checkProject, type SplitImplication } from './check-project.js';
export { type DescribeReport, describeProject } from './describe-project.js';
export { type EvaluateOptions, evaluateProject } from './evaluate-project.js';
export {
  EXAMPLES,
  flightsParquetPath,
  type InitOptions,
  type InitResult,
  initProject,
} from './init-project.js';
export { type RunOptions, type RunResult, runProject } from './run-project.js';
export {
  loadProjectData,
  MODEL_MEDIA_TYPE,
  openProjectStore,
  type ProjectData,
  type TrainEvents,
  type TrainOptions,
  type TrainReport,
  trainProject,
} from './train-project.js';
