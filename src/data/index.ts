/** Step 3, data: ingestion through DuckDB into the columnar Frame, splits and descriptions. */
export { convertSql, inferColumnType } from './column-types.js';
export {
  type FeatureDef,
  type PreparedDataset,
  prepareDataset,
  type SplitStats,
  splitStats,
  type TargetKind,
} from './dataset.js';
export {
  type ColumnDescription,
  type DataDescription,
  describeDataset,
  type SplitDescription,
} from './describe.js';
export {
  type BinnedDistribution,
  chiSquareHomogeneity,
  compareDistributions,
  DEFAULT_DRIFT_THRESHOLDS,
  type DriftMethod,
  type DriftResult,
  type DriftThresholds,
  jensenShannon,
  ksBinned,
  ksSamples,
  type NumericReference,
  psi,
  wassersteinBinned,
  wassersteinSamples,
} from './drift.js';
export { DuckSession, sqlIdent, sqlString } from './duck.js';
export {
  type CategoricalColumn,
  type Column,
  type ColumnType,
  cellValue,
  type Field,
  type Frame,
  getColumn,
  isMissing,
  makeFrame,
  type NumericColumn,
  type TimestampColumn,
  takeRows,
} from './frame.js';
export { findLabelIssues, type LabelIssues, labelIssueFindings } from './label-issues.js';
export { type LeakageInput, leakageInput, runLeakageChecks } from './leakage.js';
export { DEFAULT_SINGLE_FEATURE_AUC_MAX } from './leakage-single-feature-auc.js';
export {
  type LoadedDataset,
  type LoadOptions,
  loadDataset,
  rowsOf,
  SPLIT_CODE,
} from './load-frame.js';
export {
  type BinCounts,
  type CategoricalColumnProfile,
  type ColumnProfile,
  type NumericColumnProfile,
  type Profile,
  type ProfileColumn,
  type ProfileColumnType,
  type ProfileOptions,
  profileView,
  type Quantiles,
} from './profile.js';
export {
  type BinnedGroup,
  binPoints,
  binValues,
  binWithProfile,
  binWithProfileBy,
  columnDrift,
} from './profile-bins.js';
export { isNumericProfile } from './profile-values.js';
export { type QualityInput, runQualityChecks } from './quality.js';
export {
  freezeDataset,
  openSnapshot,
  readManifest,
  recordSnapshot,
  SNAPSHOT_FORMAT,
  type SnapshotLineage,
  type SnapshotManifest,
  type SourceLineage,
  sourceLineage,
} from './snapshot.js';
export { type RejectedRow, registerSources, type SourceReport } from './sources.js';
export { mixUnit, SPLITS, type SplitName, splitSql } from './split.js';
