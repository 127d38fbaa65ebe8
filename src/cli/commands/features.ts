/**
 * `flywheel features status | materialize`: the online features of the
 * project, their definitions' versions and freshness; rebuilding the online
 * state for a time range from the spec's event tables (a backfill) or from
 * the event log (for a Redis store).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { FlywheelError } from '../../errors.js';
import type { FreshnessEntry } from '../../features/index.js';
import {
  materializeFromLog,
  materializeFromSpec,
  openProjectOnline,
  openProjectStore,
} from '../../pipeline/index.js';
import { loadSpec } from '../../spec/index.js';
import { formatTable, type Io, printJson, progressBar } from '../output.js';
import { renderLoads } from './events.js';

/** An ISO date or timestamp, as epoch milliseconds. */
export function parseInstant(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value)
    ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
    : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `must be an ISO date or timestamp such as 2001-03-01, got ${value}`,
    );
  }
  return ms;
}

/** A duration in words: 95 s → "1m 35s". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return 'no events';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Freshness per event table, stale ones marked. */
export function renderFreshness(entries: readonly FreshnessEntry[]): string {
  if (entries.length === 0) return 'no online features: the spec has no point-in-time features';
  return formatTable(
    ['event table', 'features', 'newest event', 'age', 'bound', 'status'],
    entries.map((e) => [
      e.table,
      e.features.join(', '),
      e.newest ?? '-',
      formatAge(e.ageMs),
      e.boundMs === undefined ? '-' : formatAge(e.boundMs),
      e.stale ? 'ALERT: stale' : e.boundMs === undefined ? 'no bound' : 'fresh',
    ]),
  );
}

interface CommonOptions {
  spec: string;
  store?: string;
  onlineStore?: string;
  json?: boolean;
}

export function featuresCommand(io: Io): Command {
  const features = new Command('features').description(
    'online features: definitions, freshness, materialisation (one definition offline and online)',
  );
  features
    .command('status')
    .description('each online feature with its definition version, and the freshness of its events')
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--online-store <location>', 'embedded (default) or redis://host:port/db')
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: CommonOptions) => {
      const loaded = loadSpec(opts.spec);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        try {
          const defs = online.features.definitions;
          const freshness = await online.features.freshness();
          if (opts.json) {
            printJson(io, {
              store: online.features.store.description,
              features: defs.features,
              freshness,
            });
            return;
          }
          io.out(`online store: ${online.features.store.description}\n`);
          io.out(
            formatTable(
              ['feature', 'version', 'events', 'key', 'aggregate', 'window'],
              defs.features.map((f) => [
                f.name,
                f.version,
                f.table,
                f.key,
                f.column === undefined ? f.window.aggregate : `${f.window.aggregate}(${f.column})`,
                formatAge(f.window.windowMs),
              ]),
            ),
          );
          io.out(`\n${renderFreshness(freshness)}`);
        } finally {
          await online.close();
        }
      } finally {
        await stores.close();
      }
    });
  features
    .command('materialize')
    .description(
      "rebuild the online state for events known in [--from, --to): from the spec's event tables (a backfill, through the same ingestion path as live events) or from the event log",
    )
    .requiredOption(
      '--from <date>',
      'first instant (ISO date or timestamp, inclusive)',
      parseInstant,
    )
    .requiredOption('--to <date>', 'end (exclusive)', parseInstant)
    .addOption(
      new Option(
        '--source <where>',
        'spec: the event tables of the spec; log: the stored event log',
      )
        .choices(['spec', 'log'])
        .default('spec'),
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--online-store <location>', 'embedded (default) or redis://host:port/db')
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: CommonOptions & { from: number; to: number; source: 'spec' | 'log' }) => {
      if (opts.to <= opts.from) throw new FlywheelError('USAGE', '--to must be after --from');
      const loaded = loadSpec(opts.spec);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        try {
          const bar = progressBar(io, 'materialize', !opts.json);
          const range = { from: opts.from, to: opts.to };
          const reports =
            opts.source === 'spec'
              ? await materializeFromSpec(loaded, online.features, range, {
                  onProgress: (_t, done, total) => bar.update(done, total),
                })
              : await materializeFromLog(stores.metadata, online.features, range);
          bar.stop();
          if (opts.json) printJson(io, reports);
          else io.out(renderLoads(reports));
        } finally {
          await online.close();
        }
      } finally {
        await stores.close();
      }
    });
  return features;
}
