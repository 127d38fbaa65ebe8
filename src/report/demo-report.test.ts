import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  DEMO_STYLE,
  type DemoReport,
  renderDemoReport,
  rollingCost,
  safeHref,
} from './demo-report.js';
import { DEMO_SCRIPT } from './demo-report-script.js';

const XSS = '<script>alert(1)</script>';

/** Four months of a flights demo: drift in May, a rolled-back canary, then a promotion. */
function sampleDemoReport(): DemoReport {
  const start = Date.UTC(2001, 2, 1);
  const daily = Array.from({ length: 122 }, (_, i) => {
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const drift = i > 60 ? 0.25 : 0;
    const labelled = i < 119;
    const frozen = 0.9 + drift + 0.08 * Math.sin(i / 3);
    const flywheel = frozen - (i > 75 ? 0.2 : 0) - (i > 100 ? 0.05 : 0);
    return {
      day,
      requests: 1800 + Math.round(300 * Math.sin(i / 5)),
      frozenCost: labelled ? frozen : null,
      flywheelCost: labelled ? flywheel : null,
      champion: i > 100 ? 3 : i > 75 ? 2 : 1,
      canaryWeight: (i >= 70 && i <= 75) || (i >= 95 && i <= 100) ? 10 : null,
    };
  });
  const months = ['2001-03', '2001-04', '2001-05', '2001-06'].map((month, m) => ({
    month,
    requests: 55_000 + m * 1000,
    labelled: 54_000 + m * 900,
    positiveRate: 0.19 + m * 0.02,
    frozenCost: 0.9 + m * 0.09,
    flywheelCost: 0.9 + m * 0.02,
    frozenTotal: (0.9 + m * 0.09) * (54_000 + m * 900),
    flywheelTotal: (0.9 + m * 0.02) * (54_000 + m * 900),
  }));
  const frozenCost = months.reduce((s, m) => s + m.frozenTotal, 0);
  const flywheelCost = months.reduce((s, m) => s + m.flywheelTotal, 0);
  return {
    title: 'Flywheel demo: flights, March–June 2001',
    generatedAt: '2026-01-15T10:00:00Z',
    model: 'flights-delay <gbdt>',
    currency: 'USD',
    costs: { tp: 40, fp: 10, fn: 60, tn: 0 },
    sample: {
      description: `A 5% sample of the 2001 flights, drawn by a seeded hash of the flight id ${XSS}.`,
      fraction: 0.05,
      seed: 42,
      trainRows: 120_345,
      replayedRequests: 221_000,
      days: 122,
      from: '2001-03-01',
      to: '2001-06-30',
    },
    timing: {
      totalSeconds: 184.2,
      stages: [
        { name: 'sample', seconds: 12.5 },
        { name: 'train first champion', seconds: 41.3 },
        { name: 'replay', seconds: 130.4 },
      ],
    },
    months,
    daily,
    alerts: [
      {
        rule: 'psi>0.2',
        subject: 'dep_hour',
        severity: 'warning',
        firedAt: '2001-05-02T06:00:00Z',
        resolvedAt: '2001-05-18T06:00:00Z',
        message: 'Population stability index of dep_hour is 0.31 against the training snapshot',
      },
      {
        rule: 'cost',
        subject: `carrier ${XSS}`,
        severity: 'critical',
        firedAt: '2001-05-10T06:00:00Z',
        resolvedAt: null,
        message: `cost per decision rose by 0.25 ${XSS}`,
      },
      {
        rule: 'late',
        subject: 'labels',
        severity: 'info',
        firedAt: '2002-01-01T00:00:00Z',
        resolvedAt: null,
        message: 'outside the replayed days',
      },
    ],
    deployments: [
      { at: '2001-03-01T00:00:00Z', action: 'champion', version: 1, reason: 'first champion' },
      { at: '2001-05-11T00:00:00Z', action: 'canary.start', version: 2, reason: '10% of traffic' },
      {
        at: '2001-05-16T12:00:00Z',
        action: 'canary.promoted',
        version: 2,
        reason: `canary cheaper ${XSS}`,
      },
      { at: '2001-06-05T00:00:00Z', action: 'canary.start', version: 3, reason: '10% of traffic' },
      { at: '2001-06-10T12:00:00Z', action: 'canary.promoted', version: 3, reason: 'cheaper' },
      { at: '2001-06-20T00:00:00Z', action: 'retrain.held', version: null, reason: 'cooldown' },
    ],
    retrains: [
      {
        at: '2001-05-10T06:05:00Z',
        trigger: 'alert:cost',
        snapshotId: '9f2c1e7a4b3d5f6e7a8b9c0d1e2f3a4b',
        rows: 160_000,
        feedbackRows: 40_000,
        challenger: 'flights-delay@2',
        gate: {
          championCost: 1.12,
          challengerCost: 0.93,
          difference: { estimate: -0.19, lower: -0.24, upper: -0.14 },
          probabilityBetter: 0.999,
          rows: 8000,
          passed: true,
        },
        outcome: 'passed the gate; canary started',
      },
      {
        at: '2001-06-20T00:00:00Z',
        trigger: 'schedule',
        snapshotId: null,
        rows: 0,
        feedbackRows: 0,
        challenger: null,
        gate: null,
        outcome: `held: cooldown ${XSS}`,
      },
    ],
    totals: {
      frozenCost,
      flywheelCost,
      saved: frozenCost - flywheelCost,
      labels: 218_700,
      snapshots: 3,
    },
    links: [
      { label: 'dashboard', href: 'http://127.0.0.1:8080/' },
      { label: 'run report', href: 'runs/abc/report.html' },
      { label: `evil ${XSS}`, href: 'javascript:alert(1)' },
    ],
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');
const inlineScripts = (html: string) =>
  [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
const markup = (html: string) => html.replace(/<script>[\s\S]*?<\/script>/g, '');
const reportData = (html: string) =>
  JSON.parse(
    html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1]!,
  );
const SECTIONS = ['headline', 'months', 'timeline', 'retrains', 'alerts', 'deployments', 'how'];

function emptyDemoReport(): DemoReport {
  const full = sampleDemoReport();
  return {
    ...full,
    months: [],
    daily: [],
    alerts: [],
    deployments: [],
    retrains: [],
    timing: { totalSeconds: 0, stages: [] },
    totals: { frozenCost: 0, flywheelCost: 0, saved: 0, labels: 0, snapshots: 0 },
  };
}

describe('renderDemoReport', () => {
  const input = sampleDemoReport();
  const html = renderDemoReport(input);

  it('is one self-contained file: no external script, style or image', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(markup(html)).not.toMatch(/src="https?:/);
    expect(inlineScripts(html)).toHaveLength(2);
  });

  it('allows exactly its own inline script and style by hash', () => {
    const csp = html
      .match(/Content-Security-Policy" content="([^"]+)"/)![1]!
      .replace(/&#39;/g, "'");
    const scripts = inlineScripts(html);
    expect(scripts[1]).toBe(DEMO_SCRIPT);
    const scriptSrc = csp
      .match(/script-src ([^;]+)/)![1]!
      .trim()
      .split(/\s+/);
    expect(scriptSrc).toEqual(scripts.map((s) => `'sha256-${sha256(s)}'`));
    const style = html.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    expect(style).toBe(DEMO_STYLE);
    expect(csp).toContain(`style-src 'sha256-${sha256(style)}'`);
  });

  it('escapes every user string, in text and in the JSON block', () => {
    expect(markup(html)).not.toContain('<script>alert');
    expect(markup(html)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('flights-delay &lt;gbdt&gt;');
    const json = html.match(/id="report-data">([\s\S]*?)<\/script>/)![1]!;
    expect(json).not.toContain('<');
    const texts = reportData(html).timeline.alerts.flatMap((a: { text: string[] }) => a.text);
    expect(texts.join(' ')).toContain(XSS);
  });

  it('has every section, in order, and a canvas per chart', () => {
    const at = SECTIONS.map((id) => html.indexOf(`<section id="${id}">`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html).toContain('<h2>Month by month</h2>');
    expect(html).toContain('id="chart-months"');
    expect(html).toContain('id="chart-timeline"');
  });

  it('leads with what the flywheel saved, in currency', () => {
    const saved = input.totals.saved.toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    expect(html).toMatch(/<header class="passed">/);
    expect(html).toContain(`it saved <b>${saved} USD</b>`);
    const worse = renderDemoReport({
      ...input,
      totals: { ...input.totals, flywheelCost: 110, frozenCost: 100, saved: -10 },
    });
    expect(worse).toMatch(/<header class="failed">/);
    expect(worse).toContain('it cost <b>10.00 USD</b> more');
  });

  it('shows the months with n, the gate evidence and the alert states', () => {
    const months = html.match(/<section id="months">[\s\S]*?<\/section>/)![0];
    expect(months).toContain('<td>2001-05</td><td>57,000</td><td>55,800</td><td>23.0%</td>');
    expect(months).toContain('<b>all</b>');
    const retrains = html.match(/<section id="retrains">[\s\S]*?<\/section>/)![0];
    expect(retrains).toContain('<span class="ci">[-0.2400, -0.1400]</span>');
    expect(retrains).toContain('99.9%');
    expect(retrains).toContain('not gated');
    expect(retrains).toContain(
      '<code title="9f2c1e7a4b3d5f6e7a8b9c0d1e2f3a4b">9f2c1e7a4b3d</code>',
    );
    const alerts = html.match(/<section id="alerts">[\s\S]*?<\/section>/)![0];
    expect(alerts).toContain('16.0 d');
    expect(alerts).toContain('<b class="bad">open</b>');
  });

  it('places events on the replay time axis and counts those off it', () => {
    const t = reportData(html).timeline;
    expect(t.start).toBe('2001-03-01');
    expect(t.days).toBe(122);
    expect(t.alerts.map((a: { x: number }) => a.x)).toEqual([62.25, 70.25]);
    expect(t.deployments).toHaveLength(6);
    expect(t.canary).toHaveLength(12);
    expect(t.champion.at(-1)).toEqual({ x: 122, y: 3, canary: null });
    expect(html).toContain('1 event(s) fall outside the replayed days');
  });

  it('writes no NaN nor undefined into the page (outside the Chart.js library)', () => {
    const ours = [markup(html), inlineScripts(html)[1]!, JSON.stringify(reportData(html))];
    for (const page of [html, renderDemoReport(emptyDemoReport())]) {
      const own = [markup(page), JSON.stringify(reportData(page))];
      for (const text of [...ours, ...own]) expect(text).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  it('handles a demo with no months, days, alerts, retrains nor deployments', () => {
    const empty = renderDemoReport(emptyDemoReport());
    for (const id of SECTIONS) expect(empty).toContain(`<section id="${id}">`);
    expect(empty).toContain('No alert fired.');
    expect(empty).toContain('No retrain ran.');
    expect(empty).toContain('No deployment event.');
    expect(empty).toContain('No day was replayed.');
    expect(empty).not.toContain('id="chart-timeline"');
    expect(empty).toMatch(/<header class="even">/);
    expect(reportData(empty).timeline.days).toBe(0);
  });

  it('links only to http(s) and relative addresses', () => {
    expect(html).toContain(
      '<a href="http://127.0.0.1:8080/" rel="noopener noreferrer">dashboard</a>',
    );
    expect(html).toContain('<a href="runs/abc/report.html"');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<span class="refused"');
    for (const bad of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'java\tscript:alert(1)',
      '\u0001javascript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      '//evil.example',
      '/\\evil.example',
      '',
    ])
      expect(safeHref(bad), JSON.stringify(bad)).toBeNull();
    for (const good of [
      'https://example.com/a?b=1',
      'HTTP://x',
      '/dashboard',
      '../r.html',
      '#months',
    ])
      expect(safeHref(good)).toBe(good);
  });

  it('weights the 7-day mean by requests and stops where the labels do', () => {
    const day = (requests: number, cost: number | null) => ({
      day: '2001-03-01',
      requests,
      frozenCost: cost,
      flywheelCost: cost,
      champion: 1,
      canaryWeight: null,
    });
    const means = rollingCost([day(100, 1), day(300, 2), day(100, null)], 'frozenCost');
    expect(means).toEqual([1, 1.75, null]);
  });

  it('writes a sample for a person to look at', () => {
    const file = path.join(tmpdir(), 'demo-report-sample.html');
    writeFileSync(file, html);
    expect(existsSync(file)).toBe(true);
  });
});

const CHROMIUM = process.env['FLYWHEEL_CHROMIUM'] ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('the demo report in headless Chromium', () => {
  it('draws both charts without console errors or CSP violations', async () => {
    const file = path.join(tmpdir(), 'demo-report-sample.html');
    writeFileSync(file, renderDemoReport(sampleDemoReport()));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 });
      // Runs in the page: Chart.js registers every chart it draws on its canvas.
      const datasets = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { getElementById(id: string): unknown };
          Chart: { getChart(c: unknown): { data: { datasets: { label: string }[] } } | undefined };
        };
        return ['chart-months', 'chart-timeline'].map((id) =>
          g.Chart.getChart(g.document.getElementById(id))?.data.datasets.map((d) => d.label),
        );
      });
      expect(datasets[0]).toEqual(['frozen (first champion)', 'flywheel (served)']);
      expect(datasets[1]).toContain('champion version');
      expect(datasets[1]).toContain('alerts');
      // Hover the first alert marker: its tooltip shows the alert, not a cost.
      const marker = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: {
            getElementById(id: string): { getBoundingClientRect(): { left: number; top: number } };
          };
          Chart: {
            getChart(c: unknown): {
              data: { datasets: { label: string }[] };
              getDatasetMeta(i: number): { data: { x: number; y: number }[] };
            };
          };
        };
        const canvas = g.document.getElementById('chart-timeline');
        const ch = g.Chart.getChart(canvas);
        const i = ch.data.datasets.findIndex((d) => d.label === 'alerts');
        const point = ch.getDatasetMeta(i).data[0]!;
        const box = canvas.getBoundingClientRect();
        return { x: box.left + point.x, y: box.top + point.y };
      });
      await page.mouse.move(marker.x, marker.y);
      const tooltip = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { getElementById(id: string): unknown };
          Chart: {
            getChart(c: unknown): { tooltip: { title: string[]; body: { lines: string[] }[] } };
          };
        };
        const t = g.Chart.getChart(g.document.getElementById('chart-timeline')).tooltip;
        return [...t.title, ...t.body.flatMap((b) => b.lines)].join(' ');
      });
      expect(tooltip).toContain('2001-05-02T06:00:00Z alert psi>0.2 (warning) on dep_hour');
      expect(problems).toEqual([]);
      if (process.env['FLYWHEEL_DEMO_SCREENSHOT'])
        await page.screenshot({ path: process.env['FLYWHEEL_DEMO_SCREENSHOT'], fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
