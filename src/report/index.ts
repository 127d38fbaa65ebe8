/** HTML reports: one self-contained file per run. */
export { escapeHtml } from './html-parts.js';
export { renderReport } from './html-report.js';
export type {
  IntervalValue,
  ReportDataChecks,
  ReportFinding,
  ReportInput,
  ReportLearningCurve,
  ReportSeverity,
  ReportSnapshot,
} from './report-input.js';
