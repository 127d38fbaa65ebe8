/**
 * The report's "Data (step 3)" section: where the snapshot's rows came from
 * (lineage and governance), what the data checks found (blocking first, the
 * informational ones folded away) and whether more rows would help (the
 * learning curve, drawn by the page script from the JSON block).
 */
import { chart, escapeHtml, num, section, table } from './html-parts.js';
import type {
  ReportDataChecks,
  ReportFinding,
  ReportLearningCurve,
  ReportSeverity,
  ReportSnapshot,
} from './report-input.js';

const HASH_PREFIX = 12;

const SEVERITY_LABEL: Record<ReportSeverity, string> = {
  block: 'Blocking',
  warn: 'Warning',
  info: 'Info',
};
const SEVERITY_ORDER: Record<ReportSeverity, number> = { block: 0, warn: 1, info: 2 };

/** A hash shown by its prefix, in full on hover and to screen readers. */
function hash(full: string): string {
  return `<code title="${escapeHtml(full)}">${escapeHtml(full.slice(0, HASH_PREFIX))}</code>`;
}

function bytes(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${num(size)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const list = (items: readonly string[]) => items.map(escapeHtml).join(', ');

function governanceLine(g: NonNullable<ReportSnapshot['governance']>): string {
  const columns = [
    g.dropped.length > 0 ? `dropped ${list(g.dropped)}` : '',
    g.hashed.length > 0 ? `hashed ${list(g.hashed)}` : '',
  ].filter(Boolean);
  const c = g.counts;
  const rows = `kept ${num(c.kept)} of ${num(c.total)} rows (${num(c.withoutConsent)} left out without consent, ${num(c.pastRetention)} past retention)`;
  return `<li><b>Governance</b>: ${[...columns, rows].join('; ')}.</li>`;
}

function lineage(s: ReportSnapshot): string {
  const sources = s.sources.map((src) => {
    const files = src.files.map((f) => `${escapeHtml(f.path)} ${hash(f.sha256)}`).join(', ');
    return `${escapeHtml(src.name)} (${files || 'no files'})`;
  });
  const features = s.features.map((f) => `${escapeHtml(f.name)}@${hash(f.version)}`);
  return `<ul class="lineage">
<li><b>Snapshot</b> ${hash(s.id)}: ${num(s.rows)} rows, ${bytes(s.size)}, created ${escapeHtml(s.createdAt)}.</li>
<li><b>Sources</b>: ${sources.join('; ') || 'none recorded'}.</li>
${features.length > 0 ? `<li><b>Features</b> (point in time): ${features.join(', ')}.</li>` : ''}
${s.governance ? governanceLine(s.governance) : ''}
</ul>`;
}

const badge = (f: ReportFinding) =>
  `<span class="badge sev-${escapeHtml(f.severity)}">${SEVERITY_LABEL[f.severity]}</span>`;

function findingRows(findings: readonly ReportFinding[]): string[][] {
  return findings.map((f) => [
    badge(f),
    `<code>${escapeHtml(f.check)}</code>`,
    f.column === undefined ? '' : escapeHtml(f.column),
    `${escapeHtml(f.message)}${
      f.acknowledged === undefined
        ? ''
        : `<div class="ack">Acknowledged in the spec: ${escapeHtml(f.acknowledged)}</div>`
    }`,
  ]);
}

const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

function findingsPart(findings: readonly ReportFinding[]): string {
  if (findings.length === 0) return '<p>No findings: every data check passed.</p>';
  const ordered = [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  const shown = ordered.filter((f) => f.severity !== 'info');
  const info = ordered.filter((f) => f.severity === 'info');
  const blocking = shown.filter((f) => f.severity === 'block').length;
  const acknowledged = shown.filter((f) => f.acknowledged !== undefined).length;
  const summary = [
    plural(blocking, 'blocking finding'),
    `${plural(shown.length - blocking, 'warning')}${acknowledged > 0 ? ` (${num(acknowledged)} acknowledged)` : ''}`,
    plural(info.length, 'informational finding'),
  ].join(', ');
  const headers = ['severity', 'check', 'column', 'finding'];
  return `<h3>Findings</h3><p>${summary}.</p>${
    shown.length > 0 ? table(headers, findingRows(shown), 'findings') : ''
  }${
    info.length > 0
      ? `<details class="info-findings"><summary>${plural(info.length, 'informational finding')}</summary>${table(headers, findingRows(info), 'findings')}</details>`
      : ''
  }`;
}

function learningCurvePart(curve: ReportLearningCurve): string {
  const metric = escapeHtml(curve.metric);
  const last = Math.max(0, ...curve.points.map((p) => p.rows));
  const validation = `Each point trains ${escapeHtml(curve.rung)} on a nested subset of the training rows and scores it on ${num(curve.validationRows)} validation rows${curve.validationSampled ? ' (a seeded sample of the validation split)' : ''}.`;
  const doubling =
    curve.fit !== undefined && curve.gainAtDouble !== undefined && last > 0
      ? `Doubling the training rows (${num(last)} → ${num(2 * last)}) would ${
          curve.gainAtDouble >= 0 ? 'improve' : 'worsen'
        } ${metric} by about ${num(Math.abs(curve.gainAtDouble))} (fitted ${num(curve.fitted)} → ${num(curve.predictedAtDouble)}), by the power law err(n) = a·n<sup>−b</sup> + c fitted with R² = ${num(curve.fit.r2, 3)}.`
      : 'No power law fitted (too few usable points, or the metric already at its best): no extrapolation.';
  const verdict = curve.plateau
    ? '<b>Plateau</b>: more rows of the same kind would buy little; new features or cleaner labels are the way forward.'
    : '<b>Not a plateau</b>: more rows are still paying off.';
  const points = table(
    ['training rows', curve.metric],
    curve.points.map((p) => [num(p.rows), num(p.value)]),
  );
  return `<h3>Learning curve</h3>${chart(
    'chart-learning-curve',
    `${curve.metric} on validation against training rows (log scale); dots are measured, the line is the fitted power law extended to 2× rows`,
  )}<p>${doubling}</p><p>${verdict}</p><p class="note">${validation}</p><details><summary>Measured points</summary>${points}</details>`;
}

/**
 * @example
 * renderDataChecks(input.dataChecks); // '<section id="data-checks"><h2>Data (step 3)</h2>…'
 */
export function renderDataChecks(checks: ReportDataChecks): string {
  return section(
    'data-checks',
    'Data (step 3)',
    `${lineage(checks.snapshot)}${findingsPart(checks.findings)}${
      checks.learningCurve ? learningCurvePart(checks.learningCurve) : ''
    }`,
  );
}
