/**
 * The drift parts of the monitoring page: each feature's drift statistic
 * over time against its threshold, the current window's features by
 * importance coloured by drift, reference against current distributions,
 * and the per-feature table.
 */
import type { Bins, FeatureDrift, Maybe, MonitorWindow } from '../api-types.js';
import { barChart, COLORS, lineChart, type Series, swapChart } from '../charts.js';
import { badge, type Column, empty, type Tone, table } from '../components.js';
import { h } from '../dom.js';
import { isNum, num, pct, text } from '../format.js';

/** Lines drawn at first on the drift chart; the rest are one legend click away. */
const SHOWN_FEATURES = 8;

const feature = (w: MonitorWindow, name: string) => w.features?.find((f) => f.name === name);

/** Features of the newest window that has any, most important first. */
function featuresByImportance(windows: readonly MonitorWindow[]): FeatureDrift[] {
  const latest = [...windows].reverse().find((w) => (w.features?.length ?? 0) > 0);
  return [...(latest?.features ?? [])].sort(
    (a, b) => (b.importance ?? 0) - (a.importance ?? 0) || a.name.localeCompare(b.name),
  );
}

/** Drift tone for a statistic against its threshold: red past it, amber close to it. */
function driftTone(f: FeatureDrift): Tone {
  if (f.drifted) return 'bad';
  if (
    isNum(f.statistic) &&
    isNum(f.threshold) &&
    f.threshold > 0 &&
    f.statistic / f.threshold >= 0.7
  )
    return 'warn';
  return 'ok';
}
const TONE_COLOR: Record<Tone, string> = {
  ok: COLORS.ok,
  warn: COLORS.warn,
  bad: COLORS.bad,
  info: COLORS.blue,
  muted: COLORS.grey,
};

export function driftOverTime(windows: readonly MonitorWindow[], labels: string[]): HTMLElement {
  const features = featuresByImportance(windows);
  if (features.length === 0) return empty('No feature drift measured yet.');
  const thresholds = new Set(
    windows.flatMap((w) => (w.features ?? []).map((f) => f.threshold)).filter(isNum),
  );
  // One threshold for all: plot the statistic itself. Several (a method per
  // type): plot statistic ÷ threshold, so one line at 1 is every threshold.
  const shared = thresholds.size <= 1;
  const threshold = [...thresholds][0];
  const series: Series[] = features.map((f, i) => ({
    label: f.name,
    hidden: i >= SHOWN_FEATURES,
    data: windows.map((w) => {
      const x = feature(w, f.name);
      if (!isNum(x?.statistic)) return null;
      if (shared) return x.statistic;
      return isNum(x.threshold) && x.threshold > 0 ? x.statistic / x.threshold : null;
    }),
  }));
  if (shared ? isNum(threshold) : true) {
    series.push({
      label: shared ? `threshold ${num(threshold)}` : 'threshold',
      data: windows.map(() => (shared ? threshold : 1)),
      color: COLORS.bad,
      reference: true,
    });
  }
  const methods = [...new Set(features.map((f) => f.method).filter(Boolean))].join(', ');
  return lineChart({
    id: 'chart-drift',
    caption: shared
      ? `Drift statistic per feature and window (${methods || 'statistic'})`
      : `Drift per feature and window, as a multiple of its threshold (${methods})`,
    labels,
    series,
    yTitle: shared ? 'statistic' : 'statistic ÷ threshold',
    tall: true,
  });
}

export function driftBars(current: MonitorWindow | undefined): HTMLElement {
  const features = [...(current?.features ?? [])].sort(
    (a, b) => (b.importance ?? 0) - (a.importance ?? 0) || a.name.localeCompare(b.name),
  );
  if (features.length === 0) return empty('No features in the current window.');
  return barChart({
    id: 'chart-drift-bars',
    caption: `Current window: each feature's importance, coloured by drift (red: drifted; the red share is the drift score, ${pct(current?.driftScore, 0)})`,
    labels: features.map((f) => f.name),
    series: [
      {
        label: 'importance',
        data: features.map((f) => f.importance ?? 0),
        colors: features.map((f) => TONE_COLOR[driftTone(f)]),
      },
    ],
    horizontal: true,
    xTitle: 'importance',
    format: (v) => num(v, 3),
    footer: (i) => {
      const f = features[i];
      if (!f) return [];
      return [
        `${text(f.method)}: ${num(f.statistic)} (threshold ${num(f.threshold)})${f.drifted ? ' — drifted' : ''}`,
        `PSI ${num(f.psi)} · missing ${pct(f.missingRate)} (ref ${pct(f.referenceMissingRate)})`,
      ];
    },
    height: Math.max(180, 34 * features.length + 60),
  });
}

export function featureTable(current: MonitorWindow | undefined): HTMLElement {
  const features = [...(current?.features ?? [])].sort(
    (a, b) => (b.importance ?? 0) - (a.importance ?? 0),
  );
  const columns: Column<FeatureDrift>[] = [
    { label: 'feature', cell: (f) => h('b', {}, f.name) },
    { label: 'type', cell: (f) => text(f.type) },
    { label: 'method', cell: (f) => text(f.method) },
    {
      label: 'statistic',
      class: 'num',
      cell: (f) => h('span', { class: `tone-${driftTone(f)}` }, num(f.statistic)),
    },
    { label: 'threshold', class: 'num', cell: (f) => num(f.threshold) },
    { label: 'drift', cell: (f) => (f.drifted ? badge('drifted', 'bad') : badge('stable', 'ok')) },
    { label: 'PSI', class: 'num', cell: (f) => num(f.psi) },
    { label: 'importance', class: 'num', cell: (f) => num(f.importance) },
    {
      label: 'missing (ref)',
      class: 'num',
      cell: (f) => `${pct(f.missingRate)} (${pct(f.referenceMissingRate)})`,
    },
    { label: 'unseen', class: 'num', cell: (f) => pct(f.unseenRate) },
  ];
  return table(columns, features, {
    empty: 'No features.',
    label: 'feature drift',
    rowClass: (f) => (f.drifted ? 'drifted' : undefined),
  });
}

export function distribution(id: string, caption: string, bins: Maybe<Bins>): HTMLElement {
  const labels = bins?.labels ?? [];
  if (labels.length === 0) return empty('No distribution yet.');
  return barChart({
    id,
    caption,
    labels,
    series: [
      { label: 'reference (training)', data: bins?.reference ?? [], color: COLORS.reference },
      { label: 'current window', data: bins?.current ?? [], color: COLORS.blue },
    ],
    yTitle: 'share of rows',
    format: (v) => pct(v, 1),
    legend: true,
  });
}

export function featureDistribution(current: MonitorWindow | undefined): HTMLElement {
  const features = featuresByImportance(current ? [current] : []).filter(
    (f) => (f.bins?.labels?.length ?? 0) > 0,
  );
  if (features.length === 0) return empty('No feature distributions in the current window.');
  const initial = features.find((f) => f.drifted) ?? features[0]!;
  const chartFor = (f: FeatureDrift) =>
    distribution(
      'chart-feature-bins',
      `${f.name}: reference vs current window (${text(f.method)} ${num(f.statistic)}, threshold ${num(f.threshold)})`,
      f.bins,
    );
  const holder = h('div', {}, chartFor(initial));
  const select = h(
    'select',
    { 'aria-label': 'feature' },
    ...features.map((f) =>
      h(
        'option',
        { value: f.name, selected: f === initial },
        `${f.name}${f.drifted ? ' (drifted)' : ''}`,
      ),
    ),
  );
  select.addEventListener('change', () => {
    const f = features.find((x) => x.name === select.value);
    if (f) swapChart(holder, chartFor(f));
  });
  return h('div', {}, h('label', { class: 'control' }, 'feature ', select), holder);
}
