/**
 * The run report: one self-contained HTML file that opens offline, built on
 * the shared page (report-page.ts: Chart.js inlined, the data in an escaped
 * JSON block, a strict Content Security Policy); every text is HTML-escaped.
 */
import { renderDataChecks } from './data-checks-section.js';
import { chart, escapeHtml, interval, num, section, table } from './html-parts.js';
import { learningCurveSeries } from './learning-curve-series.js';
import type { ReportInput } from './report-input.js';
import { renderPage } from './report-page.js';
import { REPORT_SCRIPT } from './report-script.js';
import { REPORT_STYLE } from './report-style.js';

/**
 * Renders the report.
 *
 * @example
 * writeFileSync('report.html', renderReport(input));
 */
export function renderReport(input: ReportInput): string {
  const f = input.framing;
  const verdict = input.verdict;
  const costs = f.costs
    ? `<p>Costs per decision (${escapeHtml(f.currency)}): TP ${num(f.costs.tp)}, FP ${num(f.costs.fp)}, FN ${num(f.costs.fn)}, TN ${num(f.costs.tn)}${f.breakEvenThreshold === undefined ? '' : `; acting pays above P(positive) = ${num(f.breakEvenThreshold)}`}.</p>`
    : '';
  const framing = section(
    'framing',
    'Framing',
    `${f.description ? `<p>${escapeHtml(f.description)}</p>` : ''}<p><b>Predicts</b> ${escapeHtml(f.target)} (${escapeHtml(f.task)}). <b>Decision</b>: ${escapeHtml(f.decision)}</p>${costs}<p><b>Acceptance</b>:</p><ul>${f.acceptance.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`,
  );
  const data = section(
    'data',
    'Data',
    `<p>${num(input.data.rows)} rows.</p>${table(
      ['split', 'rows', 'base rate'],
      input.data.splits.map((s) => [escapeHtml(s.split), num(s.rows), num(s.baseRate)]),
    )}${table(
      ['column', 'role', 'type', 'missing'],
      input.data.columns.map((c) => [
        escapeHtml(c.name),
        escapeHtml(c.role),
        escapeHtml(c.type),
        `${(100 * c.missingRate).toFixed(1)}%`,
      ]),
    )}`,
  );
  const dataChecks = input.dataChecks ? renderDataChecks(input.dataChecks) : '';
  const ladder = section(
    'ladder',
    'Baselines and models (validation)',
    table(
      [
        'model',
        'kind',
        `cost per decision (${f.currency})`,
        'AUC',
        'train s',
        'p99 µs',
        'decision',
        'why',
      ],
      input.ladder.map((r) => [
        `${escapeHtml(r.name)}${r.name === input.chosen ? ' <b>(chosen)</b>' : ''}`,
        escapeHtml(r.kind),
        num(r.score),
        num(r.auc),
        num(r.trainSeconds, 2),
        num(r.latencyP99Us, 1),
        escapeHtml(r.decision),
        escapeHtml(r.reason),
      ]),
    ),
  );
  const metricNames = [...new Set(input.models.flatMap((m) => Object.keys(m.metrics)))];
  const test = section(
    'test',
    'Test set, with 95% intervals',
    table(
      ['model', ...metricNames],
      input.models.map((m) => [
        escapeHtml(m.name),
        ...metricNames.map((n) => interval(m.metrics[n])),
      ]),
    ),
  );
  const charts = section(
    'charts',
    'Charts',
    `<div class="grid">${[
      input.curves.roc ? chart('chart-roc', 'ROC curve (test)') : '',
      input.curves.pr ? chart('chart-pr', 'Precision–recall curve (test)') : '',
      input.curves.reliability
        ? chart('chart-reliability', 'Reliability diagram: predicted vs observed rate (test)')
        : '',
      input.curves.cost
        ? chart(
            'chart-cost',
            `Cost per decision (${f.currency}) against threshold; the dot is the chosen threshold`,
          )
        : '',
      input.slices
        ? chart('chart-slices', `${input.slices.metric} per ${input.slices.column} (worst first)`)
        : '',
    ].join('')}</div>`,
  );
  const slices = input.slices
    ? section(
        'slices',
        `Slices by ${input.slices.column}`,
        table(
          ['value', 'rows', input.slices.metric, 'flag'],
          input.slices.rows.map((r) => [
            escapeHtml(r.value),
            num(r.n),
            interval(r.metric),
            r.flagged ? '<b class="bad">worst</b>' : '',
          ]),
        ),
      )
    : '';
  const gate = section(
    'verdict',
    `Gate verdict: ${verdict.passed ? 'PASSED' : 'FAILED'} (at ${Math.round(verdict.confidence * 100)}% confidence)`,
    table(
      ['criterion', 'estimate', 'interval', 'bound', 'result', 'explanation'],
      verdict.criteria.map((c) => [
        escapeHtml(c.name),
        num(c.estimate),
        `[${num(c.interval[0])}, ${num(c.interval[1])}]`,
        escapeHtml(c.bound),
        c.passed ? '<b class="good">pass</b>' : '<b class="bad">fail</b>',
        escapeHtml(c.explanation),
      ]),
    ),
  );
  return renderPage({
    title: input.title,
    style: REPORT_STYLE,
    script: REPORT_SCRIPT,
    data: {
      curves: input.curves,
      slices: input.slices ?? null,
      learningCurve: input.dataChecks?.learningCurve
        ? learningCurveSeries(input.dataChecks.learningCurve)
        : null,
      currency: f.currency,
    },
    headerClass: verdict.passed ? 'passed' : 'failed',
    header: `<p>${verdict.passed ? 'The model meets the framing.' : 'The model does not meet the framing.'} Chosen: <b>${escapeHtml(input.chosen)}</b>. Generated ${escapeHtml(input.generatedAt)}${input.runId ? `, run ${escapeHtml(input.runId)}` : ''}.</p>`,
    sections: [gate, framing, data, dataChecks, ladder, test, charts, slices],
  });
}
