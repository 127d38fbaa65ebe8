/**
 * Charts (Chart.js 4, only the parts used are registered). A page asks for a
 * chart and gets a figure with an empty canvas; the shell draws every chart
 * once the page is in the document (Chart.js sizes a canvas from its
 * container) and destroys them when the page goes. A drawn canvas carries
 * `data-chart-rendered` with its type and point count, for people and tests.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { Maybe } from './api-types.js';
import { h } from './dom.js';

const rendered: Plugin = {
  id: 'flywheelRendered',
  afterRender(chart) {
    const canvas = chart.canvas;
    const points = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
    canvas.dataset['chartRendered'] = 'true';
    canvas.dataset['chartType'] = String((chart.config as { type?: string }).type ?? '');
    canvas.dataset['chartPoints'] = String(points);
    canvas.dataset['chartDatasets'] = String(chart.data.datasets.length);
  },
};

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  rendered,
);
Chart.defaults.font.family =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#4a5468';
Chart.defaults.borderColor = '#e6e9f0';
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.plugins.legend.labels.boxHeight = 12;

export const COLORS = {
  blue: '#3867d6',
  purple: '#8854d0',
  teal: '#0fb9b1',
  orange: '#fa8231',
  pink: '#eb3b5a',
  olive: '#8a9a2b',
  brown: '#a5673f',
  navy: '#1e3799',
  ok: '#20a464',
  warn: '#e5a00d',
  bad: '#d63b3b',
  grey: '#8a94a6',
  reference: '#a8b1c2',
};

/** A distinct colour per series, in a fixed order. */
export const SERIES = [
  COLORS.blue,
  COLORS.orange,
  COLORS.purple,
  COLORS.teal,
  COLORS.pink,
  COLORS.olive,
  COLORS.brown,
  COLORS.navy,
];

export function alpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const pending: (() => void)[] = [];
const live = new Set<Chart>();

/** Draws the charts of the page just put in the document. */
export function drawPendingCharts(): void {
  for (const draw of pending.splice(0)) draw();
}

/** Destroys every drawn chart, before its page is replaced. */
export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

/** Replaces the chart(s) inside `holder` with `next`, and draws it. */
export function swapChart(holder: HTMLElement, next: HTMLElement): void {
  for (const c of live) {
    if (holder.contains(c.canvas)) {
      c.destroy();
      live.delete(c);
    }
  }
  holder.replaceChildren(next);
  drawPendingCharts();
}

function figure<T extends ChartType>(
  id: string,
  caption: string,
  config: ChartConfiguration<T>,
  tall = false,
): HTMLElement {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': caption });
  pending.push(() => {
    if (canvas.isConnected) live.add(new Chart(canvas, config) as unknown as Chart);
  });
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, caption),
    h('div', { class: `chart-box${tall ? ' tall' : ''}` }, canvas),
  );
}

type Values = readonly Maybe<number>[];
const clean = (v: Values): (number | null)[] =>
  v.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null));

export interface Series {
  readonly label: string;
  readonly data: Values;
  readonly color?: string;
  /** A dashed line without points: a threshold, a budget, a reference. */
  readonly reference?: boolean;
  readonly fill?: boolean;
  readonly hidden?: boolean;
}

export interface LineOptions {
  readonly id: string;
  readonly caption: string;
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly yTitle?: string;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly format?: (v: number) => string;
  readonly tall?: boolean;
  /** Start the value axis at zero (default true). */
  readonly zero?: boolean;
}

export function lineChart(o: LineOptions): HTMLElement {
  const datasets: ChartDataset<'line'>[] = o.series.map((s, i) => {
    const color = s.color ?? SERIES[i % SERIES.length]!;
    return {
      label: s.label,
      data: clean(s.data),
      borderColor: color,
      backgroundColor: s.fill ? alpha(color, 0.12) : color,
      borderWidth: s.reference ? 1.5 : 2,
      borderDash: s.reference ? [6, 4] : [],
      pointRadius: s.reference ? 0 : 2.5,
      pointHoverRadius: s.reference ? 0 : 5,
      fill: s.fill ? 'origin' : false,
      tension: 0.25,
      spanGaps: true,
      hidden: s.hidden ?? false,
    };
  });
  const format = o.format;
  return figure(
    o.id,
    o.caption,
    {
      type: 'line',
      data: { labels: [...o.labels], datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: {
            ...(o.yMin === undefined ? {} : { min: o.yMin }),
            ...(o.yMax === undefined ? {} : { max: o.yMax }),
            beginAtZero: o.zero ?? true,
            title: { display: o.yTitle !== undefined, text: o.yTitle ?? '' },
            ticks: format ? { callback: (v) => format(Number(v)) } : {},
          },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: format
            ? {
                callbacks: {
                  label: (ctx) =>
                    `${ctx.dataset.label ?? ''}: ${ctx.parsed.y === null ? '–' : format(ctx.parsed.y)}`,
                },
              }
            : {},
        },
      },
    },
    o.tall,
  );
}

export interface BarOptions {
  readonly id: string;
  readonly caption: string;
  readonly labels: readonly string[];
  readonly series: readonly (Series & { colors?: readonly string[] })[];
  readonly horizontal?: boolean;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly format?: (v: number) => string;
  /** Extra tooltip lines per bar index. */
  readonly footer?: (index: number) => string[];
  readonly legend?: boolean;
  readonly tall?: boolean;
  readonly height?: number;
}

export function barChart(o: BarOptions): HTMLElement {
  const datasets: ChartDataset<'bar'>[] = o.series.map((s, i) => {
    const color = s.color ?? SERIES[i % SERIES.length]!;
    return {
      label: s.label,
      data: clean(s.data),
      backgroundColor: s.colors ? [...s.colors] : alpha(color, 0.75),
      borderColor: s.colors ? [...s.colors] : color,
      borderWidth: 1,
      borderRadius: 2,
      categoryPercentage: 0.8,
      barPercentage: 0.9,
    };
  });
  const format = o.format;
  const valueAxis = {
    beginAtZero: true,
    title: {
      display: (o.horizontal ? o.xTitle : o.yTitle) !== undefined,
      text: (o.horizontal ? o.xTitle : o.yTitle) ?? '',
    },
    ticks: format ? { callback: (v: string | number) => format(Number(v)) } : {},
  };
  const categoryAxis = {
    grid: { display: false },
    title: {
      display: (o.horizontal ? o.yTitle : o.xTitle) !== undefined,
      text: (o.horizontal ? o.yTitle : o.xTitle) ?? '',
    },
    ticks: { autoSkip: !o.horizontal, maxRotation: 45 },
  };
  const el = figure(
    o.id,
    o.caption,
    {
      type: 'bar',
      data: { labels: [...o.labels], datasets },
      options: {
        indexAxis: o.horizontal ? 'y' : 'x',
        scales: o.horizontal
          ? { x: valueAxis, y: categoryAxis }
          : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: o.legend ?? o.series.length > 1, position: 'bottom' },
          tooltip: {
            callbacks: {
              ...(format
                ? {
                    label: (ctx) => {
                      const v = o.horizontal ? ctx.parsed.x : ctx.parsed.y;
                      return `${ctx.dataset.label ?? ''}: ${v === null ? '–' : format(v)}`;
                    },
                  }
                : {}),
              ...(o.footer ? { footer: (items) => o.footer!(items[0]?.dataIndex ?? 0) } : {}),
            },
          },
        },
      },
    },
    o.tall,
  );
  if (o.height !== undefined) {
    const box = el.querySelector<HTMLElement>('.chart-box');
    box?.style.setProperty('height', `${o.height}px`);
  }
  return el;
}
