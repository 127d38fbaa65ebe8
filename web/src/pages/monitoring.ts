/**
 * Monitoring of one model: health at the top (from its firing alerts), then
 * input drift (per feature over time against the threshold, and the current
 * window by importance), the score distribution against the reference, the
 * positive-decision rate, latency against the budget, errors and the error
 * budget, business cost per decision, the model's alerts and the freshness
 * of the online features.
 */
import { api } from '../api.js';
import type { FreshnessTable, Maybe, MonitorReport, MonitorWindow, Slo } from '../api-types.js';
import { COLORS, lineChart } from '../charts.js';
import {
  badge,
  type Column,
  empty,
  healthBadge,
  healthTone,
  pageHeader,
  section,
  stat,
  type Tone,
  table,
  time,
} from '../components.js';
import { type Child, h } from '../dom.js';
import { axisTime, count, isNum, money, ms, num, pct, seconds, text } from '../format.js';
import { type Page, type PageContext, settle } from '../page.js';
import { path, type Route } from '../router.js';
import { alertsTable, sortAlerts } from './alerts.js';
import {
  distribution,
  driftBars,
  driftOverTime,
  featureDistribution,
  featureTable,
} from './monitoring-drift.js';

const WINDOWS = ['5m', '15m', '1h', '6h', '1d'];
const COUNTS = [12, 24, 48, 96];

function settings(route: Route): { window: string; count: number } {
  const w = route.query.get('window') ?? '1h';
  const c = Number(route.query.get('count') ?? 24);
  return {
    window: /^\d{1,4}[smhd]$/.test(w) ? w : '1h',
    count: Number.isInteger(c) && c >= 1 && c <= 500 ? c : 24,
  };
}

function spansDays(windows: readonly MonitorWindow[]): boolean {
  const a = Date.parse(windows[0]?.from ?? windows[0]?.to ?? '');
  const b = Date.parse(windows.at(-1)?.to ?? '');
  return Number.isFinite(a) && Number.isFinite(b) && b - a > 86_400_000;
}

function healthBanner(
  report: MonitorReport,
  current: MonitorWindow | undefined,
  slo: Maybe<Slo>,
): HTMLElement {
  const firing = sortAlerts((report.alerts ?? []).filter((a) => a.state === 'firing'));
  const lat = current?.latency;
  const pred = current?.prediction;
  const errors = current?.errors;
  const biz = current?.business;
  const overBudget = isNum(lat?.p99) && isNum(lat?.budgetP99) && lat.p99 > lat.budgetP99;
  const budgetTone: Tone | undefined = !isNum(slo?.budgetRemaining)
    ? undefined
    : slo.budgetRemaining <= 0
      ? 'bad'
      : slo.budgetRemaining < 0.25
        ? 'warn'
        : 'ok';
  return h(
    'section',
    {
      class: `panel health-banner ${healthTone(report.health)}`,
      'data-health': report.health ?? 'unknown',
    },
    h(
      'div',
      { class: 'banner-head' },
      healthBadge(report.health),
      h(
        'div',
        { class: 'banner-text' },
        firing.length === 0
          ? h('p', {}, 'No alerts firing.')
          : h(
              'ul',
              { class: 'firing-list' },
              ...firing.map((a) =>
                h(
                  'li',
                  {},
                  badge(text(a.severity), a.severity === 'page' ? 'bad' : 'warn'),
                  ' ',
                  text(a.message),
                  ' ',
                  h('span', { class: 'muted' }, '(since ', time(a.since), ')'),
                ),
              ),
            ),
        h(
          'p',
          { class: 'muted' },
          `Serving ${(current?.versions ?? []).join(', ') || '–'} · windows of ${text(report.window)} · generated `,
          time(report.generatedAt),
        ),
      ),
    ),
    h(
      'div',
      { class: 'stats' },
      stat('rows (current window)', count(current?.rows)),
      stat(
        'input drift',
        pct(current?.driftScore, 0),
        'importance-weighted share drifted',
        (current?.driftScore ?? 0) > 0 ? 'warn' : undefined,
      ),
      stat(
        'score drift',
        num(pred?.statistic),
        `${text(pred?.method)}, threshold ${num(pred?.threshold)}`,
        pred?.drifted ? 'bad' : undefined,
      ),
      stat(
        'positive rate',
        pct(pred?.positiveRate),
        `reference ${pct(pred?.referencePositiveRate)}`,
      ),
      stat(
        'latency p99',
        ms(lat?.p99),
        `budget ${ms(lat?.budgetP99)}`,
        overBudget ? 'bad' : undefined,
      ),
      stat(
        'error rate',
        pct(errors?.rate, 2),
        `${count(errors?.errors)} of ${count(errors?.requests)}`,
        (errors?.errors ?? 0) > 0 ? 'warn' : undefined,
      ),
      stat(
        'error budget left',
        pct(slo?.budgetRemaining, 0),
        `objective ${pct(slo?.objective, 2)}`,
        budgetTone,
      ),
      stat(
        'est. cost / decision',
        money(biz?.estimatedCostPerDecision, biz?.currency),
        isNum(biz?.realisedCostPerDecision)
          ? `realised ${money(biz.realisedCostPerDecision, biz.currency)}`
          : 'realised: no labels yet',
      ),
    ),
  );
}

function latencyChart(
  windows: readonly MonitorWindow[],
  labels: string[],
  budget: number | undefined,
): HTMLElement {
  const highest = Math.max(0, ...windows.map((w) => w.latency?.p99).filter(isNum));
  // A budget far above every p99 would flatten the lines against the axis: say it instead.
  const drawBudget = isNum(budget) && (highest === 0 || budget <= 4 * highest);
  return lineChart({
    id: 'chart-latency',
    caption: `Latency per window (ms)${isNum(budget) && !drawBudget ? `; the p99 budget, ${ms(budget)}, is far above` : ''}`,
    labels,
    series: [
      { label: 'p50', data: windows.map((w) => w.latency?.p50), color: COLORS.teal },
      { label: 'p95', data: windows.map((w) => w.latency?.p95), color: COLORS.blue },
      { label: 'p99', data: windows.map((w) => w.latency?.p99), color: COLORS.purple },
      ...(drawBudget
        ? [
            {
              label: `p99 budget ${ms(budget)}`,
              data: windows.map((w) => w.latency?.budgetP99 ?? budget),
              color: COLORS.bad,
              reference: true,
            },
          ]
        : []),
    ],
    yTitle: 'ms',
    format: (v) => ms(v),
  });
}

function burnRates(slo: Maybe<Slo>): HTMLElement {
  type Burn = NonNullable<NonNullable<Slo['burnRates']>[number]>;
  const columns: Column<Burn>[] = [
    { label: 'windows (long / short)', cell: (b) => `${text(b.long)} / ${text(b.short)}` },
    { label: 'severity', cell: (b) => text(b.severity) },
    { label: 'page above', class: 'num', cell: (b) => `${num(b.factor)}×` },
    { label: 'long', class: 'num', cell: (b) => `${num(b.longRate, 2)}×` },
    { label: 'short', class: 'num', cell: (b) => `${num(b.shortRate, 2)}×` },
    { label: '', cell: (b) => (b.firing ? badge('firing', 'bad') : badge('ok', 'ok')) },
  ];
  return table(columns, slo?.burnRates ?? [], {
    empty: 'No burn rates yet.',
    label: 'burn rates',
  });
}

function budgetMeter(remaining: Maybe<number>): HTMLElement {
  const r = isNum(remaining) ? Math.max(0, Math.min(1, remaining)) : 0;
  const tone: Tone = !isNum(remaining) ? 'muted' : r <= 0 ? 'bad' : r < 0.25 ? 'warn' : 'ok';
  const fill = h('span', { class: `meter-fill ${tone}` });
  fill.style.width = `${(r * 100).toFixed(1)}%`;
  return h(
    'div',
    { class: 'budget' },
    h('div', { class: 'stat-label' }, 'error budget remaining'),
    h('div', { class: `stat-value tone-${tone}` }, pct(remaining, 0)),
    h(
      'span',
      { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': r },
      fill,
    ),
  );
}

function freshnessTable(tables: readonly FreshnessTable[] | undefined): HTMLElement {
  if (tables === undefined) return empty('No online feature store on this server.');
  const columns: Column<FreshnessTable>[] = [
    { label: 'table', cell: (t) => h('b', {}, text(t.table)) },
    { label: 'features', cell: (t) => (t.features ?? []).join(', ') || '–' },
    { label: 'newest event', cell: (t) => time(t.newest) },
    { label: 'age', class: 'num', cell: (t) => seconds(t.age_seconds) },
    { label: 'bound', class: 'num', cell: (t) => seconds(t.bound_seconds) },
    { label: '', cell: (t) => (t.stale ? badge('stale', 'bad') : badge('fresh', 'ok')) },
  ];
  return table(columns, tables, { empty: 'No online feature tables.', label: 'freshness' });
}

function controls(
  name: string,
  models: readonly string[],
  s: ReturnType<typeof settings>,
  ctx: PageContext,
) {
  const go = (model: string, window: string, n: number) =>
    ctx.go(`${path('monitoring', model)}?window=${encodeURIComponent(window)}&count=${n}`);
  const model = h(
    'select',
    { 'aria-label': 'model' },
    ...[...new Set([...models, name])].map((m) =>
      h('option', { value: m, selected: m === name }, m),
    ),
  );
  const windowSelect = h(
    'select',
    { 'aria-label': 'window' },
    ...[...new Set([...WINDOWS, s.window])].map((w) =>
      h('option', { value: w, selected: w === s.window }, w),
    ),
  );
  const countSelect = h(
    'select',
    { 'aria-label': 'windows' },
    ...[...new Set([...COUNTS, s.count])]
      .sort((a, b) => a - b)
      .map((c) => h('option', { value: String(c), selected: c === s.count }, String(c))),
  );
  const change = () => go(model.value, windowSelect.value, Number(countSelect.value));
  for (const el of [model, windowSelect, countSelect]) el.addEventListener('change', change);
  return h(
    'div',
    { class: 'controls' },
    h('label', { class: 'control' }, 'model ', model),
    h('label', { class: 'control' }, 'window ', windowSelect),
    h('label', { class: 'control' }, '× ', countSelect),
  );
}

export const monitoringPage: Page = async (route, ctx) => {
  const models = (await settle(api.models())) ?? [];
  const name = route.params[0] ?? models[0]?.name;
  if (name === undefined) {
    return h(
      'div',
      {},
      pageHeader('Monitoring'),
      section('Models', empty('No models registered yet.')),
    );
  }
  const s = settings(route);
  const [report, freshness] = await Promise.all([
    api.monitoring(name, s.window, s.count),
    settle(api.freshness()),
  ]);
  const windows = report.windows ?? [];
  const current = report.current ?? windows.at(-1) ?? undefined;
  const days = spansDays(windows);
  const labels = windows.map((w) => axisTime(w.to, days));
  const pred = current?.prediction;
  const currency = windows.map((w) => w.business?.currency).find(Boolean) ?? '';
  const budget = windows.map((w) => w.latency?.budgetP99).findLast(isNum);
  const refRate = windows.map((w) => w.prediction?.referencePositiveRate).findLast(isNum);
  const labelled = windows.reduce((n, w) => n + (w.business?.labelled ?? 0), 0);
  const slo = report.slo ?? current?.slo;
  const objective = slo?.objective;

  const grid = (...children: Child[]) => h('div', { class: 'grid-2' }, ...children);

  return h(
    'div',
    { 'data-model': name },
    pageHeader(
      h('span', {}, 'Monitoring: ', h('span', { class: 'model-name' }, name)),
      `${windows.length} windows of ${text(report.window)}`,
      controls(
        name,
        models.map((m) => m.name),
        s,
        ctx,
      ),
    ),
    healthBanner(report, current, slo),
    section(
      'Input drift',
      driftOverTime(windows, labels),
      grid(driftBars(current), featureDistribution(current)),
      featureTable(current),
    ),
    section(
      'Predictions',
      grid(
        distribution(
          'chart-scores',
          `Score distribution: reference vs current window (${text(pred?.method)} ${num(pred?.statistic)}, threshold ${num(pred?.threshold)}${pred?.drifted ? ', drifted' : ''})`,
          pred?.bins,
        ),
        lineChart({
          id: 'chart-positive-rate',
          caption: 'Positive-decision rate per window',
          labels,
          series: [
            {
              label: 'positive rate',
              data: windows.map((w) => w.prediction?.positiveRate),
              fill: true,
            },
            ...(isNum(refRate)
              ? [
                  {
                    label: 'reference',
                    data: windows.map(() => refRate),
                    color: COLORS.grey,
                    reference: true,
                  },
                ]
              : []),
          ],
          yMin: 0,
          format: (v) => pct(v, 1),
        }),
      ),
      lineChart({
        id: 'chart-drift-score',
        caption: 'Drift score per window (importance-weighted share of drifted features)',
        labels,
        series: [
          {
            label: 'drift score',
            data: windows.map((w) => w.driftScore),
            color: COLORS.orange,
            fill: true,
          },
          {
            label: 'score drift statistic',
            data: windows.map((w) => w.prediction?.statistic),
            color: COLORS.purple,
          },
        ],
        yMin: 0,
      }),
    ),
    section(
      'Latency and errors',
      grid(
        latencyChart(windows, labels, budget),
        lineChart({
          id: 'chart-errors',
          caption: 'Error rate per window',
          labels,
          series: [
            {
              label: 'error rate',
              data: windows.map((w) => w.errors?.rate),
              color: COLORS.bad,
              fill: true,
            },
            ...(isNum(objective)
              ? [
                  {
                    label: `SLO allowance ${pct(1 - objective, 2)}`,
                    data: windows.map(() => 1 - objective),
                    color: COLORS.grey,
                    reference: true,
                  },
                ]
              : []),
          ],
          format: (v) => pct(v, 2),
        }),
      ),
      h('div', { class: 'slo' }, budgetMeter(slo?.budgetRemaining), burnRates(slo)),
    ),
    section(
      'Business',
      lineChart({
        id: 'chart-business',
        caption: `Cost per decision per window (${currency || 'currency'}): estimated from scores, and realised once labels arrive`,
        labels,
        series: [
          {
            label: 'estimated',
            data: windows.map((w) => w.business?.estimatedCostPerDecision),
            color: COLORS.blue,
          },
          {
            label: 'realised',
            data: windows.map((w) => w.business?.realisedCostPerDecision),
            color: COLORS.ok,
          },
        ],
        yTitle: currency || undefined,
        format: (v) => num(v, 2),
        zero: false,
      }),
      h(
        'p',
        { class: 'muted' },
        labelled > 0
          ? `${count(labelled)} labelled outcomes in these windows.`
          : 'No labelled outcomes yet: the realised cost appears once feedback arrives.',
      ),
    ),
    section('Alerts', alertsTable(report.alerts ?? [], { showModel: false })),
    section('Online feature freshness', freshnessTable(freshness)),
  );
};
