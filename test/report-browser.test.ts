/**
 * The report in a real browser (Debian's Chromium through playwright-core):
 * it renders without console errors or CSP violations, every chart draws
 * (the learning curve of the data section on a log scale of rows), and a
 * screenshot is kept in test-artifacts/ for a person to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/index.js';
import { sampleReportInput } from './fixtures/report-input.js';
import { testDir } from './fixtures/tmp.js';

const CHROMIUM = process.env['FLYWHEEL_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `report browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
  );

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

describe.skipIf(!available)(
  `report in headless Chromium${available ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`,
  () => {
    it('renders every chart without console errors, and keeps a screenshot', async () => {
      const dir = testDir('fw-report');
      const file = path.join(dir, 'report.html');
      writeFileSync(file, renderReport(sampleReportInput()));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 3200 } });
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning')
            problems.push(`${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('dialog', (d) => {
          problems.push(`dialog: ${d.message()}`);
          void d.dismiss();
        });
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 });
        for (const id of [
          'chart-roc',
          'chart-pr',
          'chart-reliability',
          'chart-cost',
          'chart-slices',
          'chart-learning-curve',
        ]) {
          // Runs in the page: Chart.js registers every chart it draws on its canvas.
          const drawn = await page.evaluate((chartId) => {
            const g = globalThis as unknown as {
              document: { getElementById(id: string): unknown };
              Chart: { getChart(canvas: unknown): unknown };
            };
            const canvas = g.document.getElementById(chartId);
            return Boolean(canvas && g.Chart.getChart(canvas));
          }, id);
          expect(drawn, `chart ${id} drawn`).toBe(true);
        }
        // The learning curve: log-scaled rows, the five measured points, the fit reaching 2× rows.
        const curve = await page.evaluate(() => {
          const g = globalThis as unknown as {
            document: { getElementById(id: string): { width: number; height: number } | null };
            Chart: {
              getChart(canvas: unknown): {
                scales: Record<string, { type: string; max: number }>;
                data: { datasets: { label: string; data: unknown[] }[] };
              };
            };
          };
          const canvas = g.document.getElementById('chart-learning-curve')!;
          const chart = g.Chart.getChart(canvas);
          return {
            size: [canvas.width, canvas.height],
            xType: chart.scales['x']!.type,
            xMax: chart.scales['x']!.max,
            points: chart.data.datasets.map((d) => [d.label, d.data.length]),
          };
        });
        expect(curve.size[0]).toBeGreaterThan(100);
        expect(curve.size[1]).toBeGreaterThan(100);
        expect(curve.xType).toBe('logarithmic');
        expect(curve.xMax).toBeGreaterThanOrEqual(2 * 966_409 * 0.999);
        expect(curve.points[0]).toEqual(['measured (validation)', 5]);
        expect(curve.points.map((p) => p[0])).toContain('fitted power law');
        expect(problems).toEqual([]);
        mkdirSync('test-artifacts', { recursive: true });
        await page.screenshot({ path: 'test-artifacts/report.png', fullPage: true });
      } finally {
        await browser.close();
      }
    });
  },
);
