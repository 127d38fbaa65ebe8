/** HTML reports: one self-contained file per run. */
export { escapeHtml, renderReport } from './html-report.js';
export type { IntervalValue, ReportInput } from './report-input.js';
