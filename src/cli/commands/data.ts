/** `flywheel data …`: look at the data a project points at. */
import { Command, InvalidArgumentError } from 'commander';
import { ExitCode } from '../../errors.js';
import {
  type DescribeReport,
  describeProject,
  diffSnapshots,
  listProjectSnapshots,
  type SnapshotDiff,
  type SnapshotReport,
  snapshotProject,
} from '../../pipeline/index.js';
import { renderFindings } from '../findings.js';
import { ExitWith, fmt, formatTable, type Io, printJson } from '../output.js';

function stageHook(io: Io, show: boolean) {
  return show ? { onStage: (stage: string) => io.err(`» ${stage}`) } : {};
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`must be a positive integer, got ${value}`);
  return n;
}

export function dataCommand(io: Io): Command {
  const data = new Command('data').description(
    'step 3: describe, profile, validate, snapshot and diff the project data',
  );
  data
    .command('describe')
    .description('rows, columns, types, missing rates and the base rate per split')
    .argument('[path]', 'spec file or project folder', '.')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { json?: boolean }) => {
      const report = await describeProject(target);
      if (opts.json) printJson(io, report);
      else io.out(renderDescribe(report));
    });
  data
    .command('snapshot')
    .description(
      'freeze the prepared data as a content-addressed Parquet snapshot with its profile, checks and lineage',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--verbose', 'also list informational findings')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { store?: string; verbose?: boolean; json?: boolean }) => {
      const report = await snapshotProject(target, {
        ...(opts.store === undefined ? {} : { store: opts.store }),
        ...stageHook(io, !opts.json),
      });
      if (opts.json) printJson(io, snapshotSummary(report));
      else io.out(renderSnapshot(report, Boolean(opts.verbose)));
    });
  data
    .command('validate')
    .description(
      'run the data checks (PII, quality, leakage) on a fresh snapshot; exit 3 on a blocking finding',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--snapshot <id>', 'check a recorded snapshot instead of the sources')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--verbose', 'also list informational findings')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        target: string,
        opts: { snapshot?: string; store?: string; verbose?: boolean; json?: boolean },
      ) => {
        const report = await snapshotProject(target, {
          ...(opts.store === undefined ? {} : { store: opts.store }),
          ...(opts.snapshot === undefined ? {} : { snapshot: opts.snapshot }),
          ...stageHook(io, !opts.json),
        });
        if (opts.json)
          printJson(io, {
            snapshot: report.snapshot.id,
            blocking: report.blocking,
            findings: report.findings,
          });
        else {
          io.out(
            `Snapshot ${report.snapshot.id.slice(0, 12)} (${report.rows.toLocaleString('en-US')} rows)`,
          );
          io.out(renderFindings(report.findings, Boolean(opts.verbose)).join('\n'));
        }
        if (report.blocking > 0) throw new ExitWith(ExitCode.data);
      },
    );
  data
    .command('snapshots')
    .description("list the project's recorded snapshots, newest first")
    .argument('[path]', 'spec file or project folder', '.')
    .option('--limit <n>', 'at most this many', parseLimit, 20)
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { limit: number; store?: string; json?: boolean }) => {
      const list = await listProjectSnapshots(target, {
        limit: opts.limit,
        ...(opts.store === undefined ? {} : { store: opts.store }),
      });
      if (opts.json) {
        printJson(io, list);
        return;
      }
      if (list.length === 0) {
        io.out('No snapshots yet: `flywheel data snapshot` makes one.');
        return;
      }
      io.out(
        formatTable(
          ['snapshot', 'created', 'rows', 'size', 'origin', 'spec'],
          list.map((s) => [
            s.id.slice(0, 12),
            s.createdAt.replace('T', ' ').slice(0, 19),
            s.rows.toLocaleString('en-US'),
            `${(s.size / 1e6).toFixed(1)} MB`,
            s.origin,
            s.specHash.slice(0, 12),
          ]),
          ['l', 'l', 'r', 'r', 'l', 'l'],
        ),
      );
    });
  data
    .command('profile')
    .description(
      'per column: missing, distinct, range, quantiles, top values and a histogram (of a fresh snapshot)',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--snapshot <id>', 'profile a recorded snapshot instead of the sources')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON (the full profile, bin edges included)')
    .action(async (target: string, opts: { snapshot?: string; store?: string; json?: boolean }) => {
      const report = await snapshotProject(target, {
        ...(opts.store === undefined ? {} : { store: opts.store }),
        ...(opts.snapshot === undefined ? {} : { snapshot: opts.snapshot }),
        ...stageHook(io, !opts.json),
      });
      if (opts.json) printJson(io, { snapshot: report.snapshot.id, profile: report.profile });
      else io.out(renderProfile(report));
    });
  data
    .command('diff')
    .description(
      "what changed between two snapshots: schema, rows per split, sources, and each column's distribution",
    )
    .argument('<a>', 'the reference snapshot (id or prefix)')
    .argument('<b>', 'the snapshot compared with it')
    .argument('[path]', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (a: string, b: string, target: string, opts: { store?: string; json?: boolean }) => {
        const diff = await diffSnapshots(
          target,
          a,
          b,
          opts.store === undefined ? {} : { store: opts.store },
        );
        if (opts.json) printJson(io, diff);
        else io.out(renderDiff(diff));
      },
    );
  return data;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A histogram as a row of block characters. */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  if (max === 0) return '';
  return counts
    .map((c) => (c === 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((c / max) * 7.999))]!))
    .join('');
}

/**
 * Counts per unit of width: the profile's numeric bins are quantile bins of
 * about equal counts, so their density, not their count, shows the shape.
 * The open outer bins are closed at the minimum and maximum.
 */
function densities(c: {
  min?: number | null;
  max?: number | null;
  histogram: { counts: number[]; edges?: number[] };
}): number[] {
  const edges = c.histogram.edges ?? [];
  if (edges.length === 0 || c.min == null || c.max == null) return c.histogram.counts;
  const bounds = [c.min, ...edges, c.max];
  return c.histogram.counts.map((n, i) => {
    const width = bounds[i + 1]! - bounds[i]!;
    return width > 0 ? n / width : n > 0 ? Math.max(...c.histogram.counts) : 0;
  });
}

function short(x: number | null | undefined, type: string): string {
  if (x === null || x === undefined) return '-';
  if (type === 'timestamp') return new Date(x).toISOString().slice(0, 16).replace('T', ' ');
  return fmt(x);
}

export function renderProfile(r: SnapshotReport): string {
  const profile = r.profile as {
    rows: number;
    columns: {
      name: string;
      type: string;
      missingRate: number;
      distinct: number;
      min?: number | null;
      max?: number | null;
      mean?: number | null;
      quantiles?: { p50: number } | null;
      top?: { value: string; count: number }[];
      histogram: { counts: number[]; edges?: number[] };
    }[];
  };
  const rows = profile.columns.map((c) => {
    const numeric = c.type === 'numeric' || c.type === 'timestamp';
    const summary = numeric
      ? `${short(c.min, c.type)} … ${short(c.quantiles?.p50, c.type)} … ${short(c.max, c.type)}`
      : (c.top ?? [])
          .slice(0, 3)
          .map((t) => `${t.value} ${pct(t.count / Math.max(1, profile.rows))}`)
          .join(', ');
    return [
      c.name,
      c.type,
      pct(c.missingRate),
      c.distinct.toLocaleString('en-US'),
      summary,
      sparkline(numeric ? densities(c) : c.histogram.counts.slice(0, -1)),
    ];
  });
  return [
    `Profile of snapshot ${r.snapshot.id.slice(0, 12)}: ${profile.rows.toLocaleString('en-US')} rows`,
    formatTable(
      ['column', 'type', 'missing', 'distinct', 'min … median … max / top values', 'histogram'],
      rows,
      ['l', 'l', 'r', 'r', 'l', 'l'],
    ),
  ].join('\n');
}

export function renderDiff(d: SnapshotDiff): string {
  const lines = [
    `${d.a.id.slice(0, 12)} → ${d.b.id.slice(0, 12)}: ${d.rows.a.toLocaleString('en-US')} → ${d.rows.b.toLocaleString('en-US')} rows${d.specChanged ? '; the spec changed' : ''}`,
  ];
  if (d.sourcesChanged.length > 0)
    lines.push(`Source files changed: ${d.sourcesChanged.join(', ')}`);
  lines.push(
    formatTable(
      ['split', 'rows A', 'rows B'],
      d.splits.map((s) => [s.split, s.a.toLocaleString('en-US'), s.b.toLocaleString('en-US')]),
      ['l', 'r', 'r'],
    ),
    '',
    formatTable(
      ['column', 'schema', 'missing A → B', 'mean A → B', 'drift (method)', 'PSI', ''],
      d.columns.map((c) => [
        c.name,
        c.status === 'type changed' ? `${c.typeA} → ${c.typeB}` : c.status,
        c.missingRateA === undefined ? '-' : `${pct(c.missingRateA)} → ${pct(c.missingRateB ?? 0)}`,
        c.meanA === undefined || c.meanA === null
          ? '-'
          : `${fmt(c.meanA)} → ${fmt(c.meanB ?? null)}`,
        c.drift ? `${fmt(c.drift.statistic)} (${c.drift.method})` : '-',
        c.drift ? fmt(c.drift.psi) : '-',
        c.drift?.drifted ? 'DRIFTED' : '',
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  return lines.join('\n');
}

export function snapshotSummary(r: SnapshotReport) {
  return {
    snapshot: r.snapshot.id,
    created: r.created,
    project: r.project,
    rows: r.rows,
    size: r.snapshot.size,
    splits: r.splits,
    blocking: r.blocking,
    findings: r.findings,
    lineage: r.lineage,
  };
}

export function renderSnapshot(r: SnapshotReport, verbose: boolean): string {
  const lines = [
    `Snapshot ${r.snapshot.id.slice(0, 12)} ${r.created ? 'recorded' : '(unchanged: the same rows were snapshotted before)'}`,
    `  ${r.rows.toLocaleString('en-US')} rows, ${(r.snapshot.size / 1e6).toFixed(1)} MB Parquet, spec ${r.lineage.specHash.slice(0, 12)}`,
    `  splits: ${r.splits.map((s) => `${s.split} ${s.rows.toLocaleString('en-US')}`).join(', ')}`,
  ];
  for (const s of r.lineage.sources) {
    for (const f of s.files)
      lines.push(`  source ${s.name}: ${f.path} sha256:${f.sha256.slice(0, 12)}`);
  }
  for (const f of r.lineage.features) lines.push(`  feature ${f.name} v${f.version}`);
  lines.push('', ...renderFindings(r.findings, verbose));
  return lines.join('\n');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

export function renderDescribe(d: DescribeReport): string {
  const lines = [
    `${d.spec.name}: ${d.rows.toLocaleString('en-US')} rows, ${d.columns.length} columns used (${d.spec.task})`,
    '',
    formatTable(
      ['column', 'role', 'type', 'source', 'missing', 'distinct'],
      d.columns.map((c) => [
        c.name,
        c.role,
        c.type,
        c.source,
        pct(c.missingRate),
        c.distinct.toLocaleString('en-US'),
      ]),
      ['l', 'l', 'l', 'l', 'r', 'r'],
    ),
    '',
    formatTable(
      ['split', 'rows', 'labelled', 'base rate'],
      [
        ...d.splits.map((s) => [
          s.split,
          s.rows.toLocaleString('en-US'),
          s.labelled.toLocaleString('en-US'),
          s.baseRate === null ? '-' : fmt(s.baseRate),
        ]),
        ...(d.unassigned > 0
          ? [['(no split)', d.unassigned.toLocaleString('en-US'), '-', '-']]
          : []),
      ],
      ['l', 'r', 'r', 'r'],
    ),
  ];
  for (const s of d.sources) {
    if (s.rejected.length > 0)
      lines.push(
        '',
        `${s.name}: ${s.rejected.length} bad row(s) skipped, e.g. line ${s.rejected[0]!.line}: ${s.rejected[0]!.error}`,
      );
  }
  return lines.join('\n');
}
