/** `flywheel runs list|show`: read-only views of tracked runs, over the store library. */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type MetricPoint,
  RUN_STATUSES,
  type Run,
  type RunArtifact,
  type RunStatus,
  RunTracker,
  type Stores,
} from '../../store/index.js';
import { formatTable } from '../output.js';

export interface RunsCommandContext {
  /** Opens the store named by `--store`, else FLYWHEEL_STORE, else the spec's. */
  openStoreForCli: (opts: { store?: string }) => Promise<Stores>;
  print: (text: string) => void;
}

const storeOption = () =>
  new Option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)');

/**
 * Builds the `runs` command.
 *
 * @example
 * program.addCommand(runsCommand({ openStoreForCli, print: (t) => process.stdout.write(`${t}\n`) }));
 */
export function runsCommand(ctx: RunsCommandContext): Command {
  const withStores = async <T>(store: string | undefined, fn: (s: Stores) => Promise<T>) => {
    const stores = await ctx.openStoreForCli(store === undefined ? {} : { store });
    try {
      return await fn(stores);
    } finally {
      await stores.close();
    }
  };
  const printJson = (value: unknown) => ctx.print(JSON.stringify(value, jsonSafe, 2));

  const runs = new Command('runs').description('list and inspect tracked runs');
  runs
    .command('list')
    .description('list runs, newest first')
    .option('--limit <n>', 'show at most n runs', parseLimit, 20)
    .option('--kind <kind>', 'only runs of this kind (train, evaluate, …)')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(
      async (opts: {
        limit: number;
        kind?: string;
        status?: RunStatus;
        store?: string;
        json?: boolean;
      }) => {
        const filter = {
          limit: opts.limit,
          ...(opts.kind === undefined ? {} : { kind: opts.kind }),
          ...(opts.status === undefined ? {} : { status: opts.status }),
        };
        const list = await withStores(opts.store, (s) =>
          new RunTracker(s.metadata).listRuns(filter),
        );
        if (opts.json) printJson({ runs: list });
        else ctx.print(list.length === 0 ? 'no runs' : renderRunList(list));
      },
    );
  runs
    .command('show')
    .description('show one run with its metrics and artifacts')
    .argument('<id>', 'run id')
    .addOption(storeOption())
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, opts: { store?: string; json?: boolean }) => {
      const detail = await withStores(opts.store, async ({ metadata }) => {
        const tracker = new RunTracker(metadata);
        const run = await tracker.getRun(id); // NOT_FOUND for an unknown id
        const [metrics, artifacts] = await Promise.all([
          tracker.listMetrics(id),
          tracker.listArtifacts(id),
        ]);
        return { run, metrics, artifacts };
      });
      if (opts.json) printJson(detail);
      else ctx.print(renderRun(detail.run, detail.metrics, detail.artifacts));
    });
  return runs;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return n;
}

/** NaN and ±Infinity have no JSON form; print them as strings rather than null. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function duration(run: Run): string {
  if (run.endedAt === null) return run.status === 'RUNNING' ? 'running' : '-';
  const ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  if (ms < 1000) return `${ms}ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 60_000).toFixed(1)}m`;
}

function renderRunList(list: readonly Run[]): string {
  return formatTable(
    ['id', 'kind', 'status', 'started', 'duration', 'seed', 'code'],
    list.map((r) => [
      r.id,
      r.kind,
      r.status,
      r.startedAt,
      duration(r),
      r.seed,
      r.codeVersion ?? '-',
    ]),
    ['l', 'l', 'l', 'l', 'r', 'r', 'l'],
  );
}

function renderRun(run: Run, metrics: readonly MetricPoint[], artifacts: readonly RunArtifact[]) {
  const fields: [string, unknown][] = [
    ['id', run.id],
    ['kind', run.kind],
    ['status', run.status],
    ['started', run.startedAt],
    ['ended', run.endedAt],
    ['duration', duration(run)],
    ['parent run', run.parentRunId],
    ['spec hash', run.specHash],
    ['snapshot', run.snapshotId],
    ['code version', run.codeVersion],
    ['git commit', run.gitCommit],
    ['seed', run.seed],
    ['process', run.pid === null ? null : `${run.pid}@${run.hostname ?? '?'}`],
    ['error', run.error],
    ['params', JSON.stringify(run.params)],
    ['tags', JSON.stringify(run.tags)],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const lines = fields.map(([k, v]) => `${k.padEnd(width)}  ${v === null ? '-' : String(v)}`);
  if (metrics.length > 0) {
    // Latest value per key, with the number of points in its series.
    const byKey = new Map<string, { last: MetricPoint; points: number }>();
    for (const m of metrics) {
      const seen = byKey.get(m.key);
      byKey.set(m.key, { last: m, points: (seen?.points ?? 0) + 1 });
    }
    lines.push(
      '',
      formatTable(
        ['metric', 'value', 'step', 'points'],
        [...byKey].map(([key, { last, points }]) => [key, last.value, last.step, points]),
        ['l', 'r', 'r', 'r'],
      ),
    );
  }
  if (artifacts.length > 0) {
    lines.push(
      '',
      formatTable(
        ['artifact', 'sha256', 'bytes', 'media type'],
        artifacts.map((a) => [a.name, a.sha256, a.size, a.mediaType]),
        ['l', 'l', 'r', 'l'],
      ),
    );
  }
  return lines.join('\n');
}
