/**
 * `flywheel monitor`: production health now. For each deployed model (or
 * `--model`): the windows over the prediction log (drift per feature, the
 * score distribution, latency, the error budget, the business cost, from the
 * scores and from labels), the trend, and the alerts, which this evaluation
 * updates and delivers; plus the freshness of online features. Exit 3 while
 * an alert is firing.
 */
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import type { FreshnessEntry } from '../../features/index.js';
import {
  type MonitorReport,
  type MonitorWindow,
  monitorModel,
  projectMonitorSettings,
} from '../../monitor/index.js';
import { openProjectOnline, openProjectStore } from '../../pipeline/index.js';
import { CHAMPION, ModelRegistry } from '../../registry/index.js';
import { loadSpec } from '../../spec/index.js';
import { ExitWith, formatTable, type Io, printJson } from '../output.js';
import { renderFreshness } from './features.js';

const SPARK = '▁▂▃▄▅▆▇█';

/** A row of block characters for values in [0, max]. */
export function sparkline(values: readonly (number | null)[], max?: number): string {
  const top = max ?? Math.max(0, ...values.filter((v): v is number => v !== null));
  return values
    .map((v) =>
      v === null ? ' ' : SPARK[Math.min(7, Math.floor((top <= 0 ? 0 : v / top) * 7.999))],
    )
    .join('');
}

const fixed = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '-' : v.toFixed(digits);
const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)}%`;

function renderWindow(w: MonitorWindow): string[] {
  const lines = [
    `current window ${w.from} → ${w.to}: ${w.rows.toLocaleString('en-US')} predictions (${w.versions.join(', ') || 'none'})`,
  ];
  if (w.features.length > 0) {
    lines.push(
      formatTable(
        [
          'feature',
          'test',
          'statistic',
          'threshold',
          'PSI',
          'importance',
          'missing',
          'unseen',
          'drift',
        ],
        w.features.map((f) => [
          f.name,
          f.method,
          fixed(f.statistic),
          fixed(f.threshold),
          fixed(f.psi),
          pct(f.importance),
          pct(f.missingRate),
          f.type === 'categorical' ? pct(f.unseenRate) : '-',
          f.drifted ? 'DRIFT' : 'ok',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
    lines.push(`drift score (importance-weighted): ${pct(w.driftScore)}`);
  } else if (w.rows > 0) {
    lines.push('too few predictions to compare distributions (monitor.min_rows)');
  }
  if (w.prediction) {
    const p = w.prediction;
    lines.push(
      `scores: ${p.method} ${fixed(p.statistic)} (threshold ${fixed(p.threshold)}, PSI ${fixed(p.psi)})${p.drifted ? ' DRIFT' : ''}; positive decisions ${pct(p.positiveRate)} (test ${pct(p.referencePositiveRate)})`,
    );
  }
  const l = w.latency;
  lines.push(
    `latency ms: p50 ${fixed(l.p50, 2)}, p95 ${fixed(l.p95, 2)}, p99 ${fixed(l.p99, 2)}${l.budgetP99 === null ? '' : ` (budget ${l.budgetP99})`}; errors ${w.errors.errors}/${w.errors.requests} requests`,
  );
  const b = w.business;
  lines.push(
    `cost per decision (${b.currency}): estimated from scores ${fixed(b.estimatedCostPerDecision)}, realised ${fixed(b.realisedCostPerDecision)} on ${b.labelled} labelled`,
  );
  return lines;
}

function renderReport(r: MonitorReport): string {
  const lines = [`${r.model}: ${r.health.toUpperCase()} (windows of ${r.window})`];
  if (r.truncated) {
    lines.push('note: more predictions than were read; the oldest windows are incomplete');
  }
  lines.push(...renderWindow(r.current));
  lines.push(
    `error budget: objective ${r.slo.objective}, ${r.slo.budgetRemaining === null ? 'no traffic counted' : `${pct(r.slo.budgetRemaining)} left`}; burn ${r.slo.burnRates.map((b) => `${b.long}/${b.short} ${fixed(b.longRate, 1)}×/${fixed(b.shortRate, 1)}×${b.firing ? ' FIRING' : ''}`).join(', ')}`,
  );
  lines.push(`trend (oldest → now), predictions: ${sparkline(r.windows.map((w) => w.rows))}`);
  lines.push(
    `                      drift score: ${sparkline(
      r.windows.map((w) => (w.rows > 0 ? w.driftScore : null)),
      1,
    )}`,
  );
  const firing = r.alerts.filter((a) => a.state === 'firing');
  lines.push(
    firing.length === 0
      ? 'no alerts firing'
      : firing
          .map(
            (a) =>
              `ALERT ${a.severity} ${a.rule}${a.subject ? `[${a.subject}]` : ''}: ${a.message}`,
          )
          .join('\n'),
  );
  return lines.join('\n');
}

interface MonitorOptions {
  model?: string;
  window?: string;
  count: string;
  store?: string;
  onlineStore?: string;
  json?: boolean;
}

export function monitorCommand(io: Io): Command {
  return new Command('monitor')
    .description(
      'production health: drift, scores, latency, error budget, business cost and alerts per deployed model, and feature freshness (exit 3 while an alert fires)',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--model <name>', 'one model (default: every model with a champion)')
    .option('--window <duration>', 'window size, e.g. 15m, 1h, 1d (default: monitor.window)')
    .option('--count <n>', 'how many windows of trend', '24')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--online-store <location>', 'embedded (default) or redis://host:port/db')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: MonitorOptions) => {
      const loaded = loadSpec(target);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        let freshness: FreshnessEntry[];
        try {
          freshness = await online.features.freshness();
        } finally {
          await online.close();
        }
        const registry = new ModelRegistry(stores);
        const names =
          opts.model !== undefined
            ? [opts.model]
            : (await registry.listModels())
                .filter((m) => m.aliases[CHAMPION] !== undefined)
                .map((m) => m.name);
        const settings = projectMonitorSettings(loaded.spec);
        const reports: MonitorReport[] = [];
        for (const name of names) {
          reports.push(
            await monitorModel(stores, name, {
              ...(opts.window === undefined ? {} : { window: opts.window }),
              count: Number(opts.count),
              settings,
              freshness,
            }),
          );
        }
        const firing = reports.flatMap((r) => r.alerts.filter((a) => a.state === 'firing'));
        const stale = freshness.filter((f) => f.stale);
        if (opts.json) printJson(io, { reports, freshness });
        else {
          if (reports.length === 0) io.out('no deployed model to monitor');
          for (const r of reports) io.out(`${renderReport(r)}\n`);
          if (freshness.length > 0) io.out(renderFreshness(freshness));
          if (stale.length > 0 && reports.length === 0) {
            io.out(stale.map((f) => `ALERT feature_freshness: "${f.table}" is stale`).join('\n'));
          }
        }
        if (firing.length > 0 || stale.length > 0) throw new ExitWith(ExitCode.data);
      } finally {
        await stores.close();
      }
    });
}
