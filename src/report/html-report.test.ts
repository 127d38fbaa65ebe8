import { describe, expect, it } from 'vitest';
import { sampleDataChecks, sampleReportInput } from '../../test/fixtures/report-input.js';
import { escapeHtml } from './html-parts.js';
import { renderReport } from './html-report.js';
import { learningCurveSeries } from './learning-curve-series.js';

describe('renderReport', () => {
  const html = renderReport(sampleReportInput());

  it('is one self-contained file: no external script, style or image', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html.replace(/<script>[\s\S]*?<\/script>/g, '')).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('Chart');
  });

  it('escapes every user string, in text and in the JSON block', () => {
    const outsideScripts = html.replace(/<script>[\s\S]*?<\/script>/g, '');
    expect(outsideScripts).not.toContain('<script>alert');
    expect(outsideScripts).not.toContain('<img src=x');
    expect(outsideScripts).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const json = html.match(
      /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/,
    )![1]!;
    expect(json).not.toContain('</script>');
    expect(JSON.parse(json).slices.rows[1].value).toBe('</script><script>alert(2)</script>');
  });

  it('allows only its own scripts and style by hash', () => {
    const csp = html
      .match(/Content-Security-Policy" content="([^"]+)"/)![1]!
      .replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp.match(/sha256-/g)).toHaveLength(3);
  });

  it('shows the verdict and a canvas per chart', () => {
    expect(html).toContain('Gate verdict: PASSED');
    for (const id of ['chart-roc', 'chart-pr', 'chart-reliability', 'chart-cost', 'chart-slices'])
      expect(html).toContain(`id="${id}"`);
    expect(renderReport(sampleReportInput(false))).toContain('Gate verdict: FAILED');
  });

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});

describe('the data section (step 3)', () => {
  const html = renderReport(sampleReportInput());
  const section = html.match(/<section id="data-checks">[\s\S]*?<\/section>/)?.[0] ?? '';
  const markup = (page: string) => page.replace(/<script>[\s\S]*?<\/script>/g, '');
  const reportData = (page: string) =>
    JSON.parse(
      page.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1]!,
    );

  it('sits after the data section and before the ladder', () => {
    expect(section).toContain('<h2>Data (step 3)</h2>');
    const at = (id: string) => html.indexOf(`<section id="${id}">`);
    expect(at('data')).toBeLessThan(at('data-checks'));
    expect(at('data-checks')).toBeLessThan(at('ladder'));
  });

  it('shows the lineage: snapshot prefix with the full id on hover, files, features, governance', () => {
    const id = sampleDataChecks().snapshot.id;
    expect(section).toContain(`<code title="${id}">${id.slice(0, 12)}</code>`);
    expect(section).toContain('3,000,000 rows, 46.0 MiB');
    expect(section).toContain('data/flights-2025.csv <code title="c0ffee');
    expect(section).toContain('airports &lt;hub&gt;');
    expect(section).toMatch(/origin_delay_rate_7d@<code title="5e8a1f0c9b2d7e4a6c3f1b8d0e2a4c6f">/);
    expect(section).toContain(
      'dropped passenger_email; hashed tail_number; kept 3,000,000 of 3,004,211',
    );
    expect(section).toContain('4,211 past retention');
  });

  it('escapes messages and reasons', () => {
    expect(section).not.toContain('<script>alert(3)');
    expect(section).not.toContain('<by design>');
    expect(section).toContain(
      'is it known at &quot;decision time&quot;? &lt;script&gt;alert(3)&lt;/script&gt;',
    );
    expect(section).toContain(
      'Acknowledged in the spec: cancelled flights never depart; &quot;missing&quot; is the signal &lt;by design&gt;',
    );
  });

  it('lists blocking findings first, each with a text label, and folds the informational ones', () => {
    const checks = [...section.matchAll(/<code>([a-z_.]+)<\/code>/g)].map((m) => m[1]);
    expect(checks).toEqual([
      'leakage.single_feature_auc',
      'quality.missing',
      'quality.outliers',
      'signal.learning_curve',
    ]);
    const labels = [...section.matchAll(/class="badge sev-(\w+)">(\w+)</g)].map((m) => m.slice(1));
    expect(labels).toEqual([
      ['block', 'Blocking'],
      ['warn', 'Warning'],
      ['warn', 'Warning'],
      ['info', 'Info'],
    ]);
    expect(section).toContain(
      '1 blocking finding, 2 warnings (1 acknowledged), 1 informational finding.',
    );
    const details = section.match(/<details class="info-findings">[\s\S]*?<\/details>/)![0];
    expect(details).toContain('signal.learning_curve');
    expect(details).not.toContain('leakage.single_feature_auc');
  });

  it('draws the learning curve and says what doubling the data would buy', () => {
    expect(section).toContain('id="chart-learning-curve"');
    expect(section).toContain(
      'Doubling the training rows (966,409 → 1,932,818) would improve roc_auc by about 0.0060 (fitted 0.6762 → 0.6822)',
    );
    expect(section).toContain('<b>Not a plateau</b>');
    expect(section).toContain('200,000 validation rows (a seeded sample');
    const series = reportData(html).learningCurve;
    expect(series.measured).toHaveLength(5);
    expect(series.fitted.at(-1).x).toBeCloseTo(2 * 966_409, 0);
  });

  it('renders nothing extra without data checks, and the JSON has no learning curve', () => {
    const { dataChecks: _, ...old } = sampleReportInput();
    const page = renderReport(old);
    expect(markup(page)).not.toContain('data-checks');
    expect(markup(page)).not.toContain('chart-learning-curve');
    expect(reportData(page).learningCurve).toBeNull();
  });

  it('handles no findings, no learning curve and a plateau', () => {
    const checks = sampleDataChecks();
    const none = renderReport({
      ...sampleReportInput(),
      dataChecks: { snapshot: checks.snapshot, findings: [] },
    });
    expect(none).toContain('No findings: every data check passed.');
    expect(markup(none)).not.toContain('chart-learning-curve');
    const flat = renderReport({
      ...sampleReportInput(),
      dataChecks: {
        ...checks,
        learningCurve: { ...checks.learningCurve!, fit: undefined, plateau: true },
      },
    });
    expect(flat).toContain('No power law fitted');
    expect(flat).toContain('<b>Plateau</b>');
  });
});

describe('learningCurveSeries', () => {
  it('puts the fitted power law back on the metric scale, through the last point to 2× rows', () => {
    const curve = sampleDataChecks().learningCurve!;
    const series = learningCurveSeries(curve);
    const { a, b, c } = curve.fit!;
    const last = series.fitted.find((p) => p.x === 966_409)!;
    expect(last.y).toBeCloseTo(1 - (a * 966_409 ** -b + c), 12);
    expect(series.doubled!.y).toBeCloseTo(curve.predictedAtDouble!, 3);
    expect(series.fitted[0]!.x).toBeCloseTo(96_641, 6);
    for (let i = 1; i < series.fitted.length; i++)
      expect(series.fitted[i]!.y).toBeGreaterThanOrEqual(series.fitted[i - 1]!.y);
  });

  it('keeps the error scale for lower-is-better metrics, and has no line without a fit', () => {
    const lower = learningCurveSeries({
      metric: 'log_loss',
      better: 'lower',
      rung: 'gbdt_small',
      points: [{ rows: 100, value: 0.5 }],
      fit: { a: 2, b: 0.5, c: 0.3, r2: 1 },
      plateau: false,
      validationSampled: false,
      validationRows: 50,
    });
    expect(lower.doubled!.y).toBeCloseTo(2 * 200 ** -0.5 + 0.3, 12);
    const { fit: _, ...unfitted } = sampleDataChecks().learningCurve!;
    expect(learningCurveSeries(unfitted).fitted).toEqual([]);
  });
});
