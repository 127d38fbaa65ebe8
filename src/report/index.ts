/** HTML reports: one self-contained file per run. */

export type { DemoReport } from './demo-report.js';
export { renderDemoReport } from './demo-report.js';
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
