import { describe, expect, it } from 'vitest';
import { sampleReportInput } from '../../test/fixtures/report-input.js';
import { escapeHtml, renderReport } from './html-report.js';

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
    expect(csp).not.toContain('unsafe-inline');
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
