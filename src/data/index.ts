/** Step 3, data: ingestion through DuckDB into the columnar Frame, splits and descriptions. */
export { convertSql, inferColumnType } from './column-types.js';
export {
  type FeatureDef,
  type PreparedDataset,
  prepareDataset,
  type SplitStats,
  type TargetKind,
} from './dataset.js';
export {
  type ColumnDescription,
  type DataDescription,
  describeDataset,
  type SplitDescription,
} from './describe.js';
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
export {
  type LoadedDataset,
  type LoadOptions,
  loadDataset,
  rowsOf,
  SPLIT_CODE,
} from './load-frame.js';
export { type RejectedRow, registerSources, type SourceReport } from './sources.js';
export { mixUnit, SPLITS, type SplitName, splitSql } from './split.js';
