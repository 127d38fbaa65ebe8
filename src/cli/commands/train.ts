/** `flywheel baseline` and `flywheel train`: fit the baselines and climb the model ladder. */
import { Command } from 'commander';
import { type TrainReport, trainProject } from '../../pipeline/index.js';
import { fmt, formatTable, type Io, printJson } from '../output.js';
import { parseSeed, trainingHooks } from '../training-hooks.js';

function trainingCommand(io: Io, name: 'baseline' | 'train'): Command {
  const description =
    name === 'baseline'
      ? 'train the baselines (prior, rules from the spec, a linear model) and score them on validation'
      : 'train the baselines, then climb the model ladder while the gain pays; record every rung as a run';
  return new Command(name)
    .description(description)
    .argument('[path]', 'spec file or project folder', '.')
    .option('--seed <n>', 'random seed (default: models.seed or 42)', parseSeed)
    .option('--snapshot <id>', 'use a recorded data snapshot (id or prefix) instead of the sources')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        target: string,
        opts: { seed?: number; store?: string; snapshot?: string; json?: boolean },
      ) => {
        const hooks = trainingHooks(io, !opts.json);
        const report = await trainProject(target, {
          baselinesOnly: name === 'baseline',
          ...(opts.seed === undefined ? {} : { seed: opts.seed }),
          ...(opts.store === undefined ? {} : { store: opts.store }),
          ...(opts.snapshot === undefined ? {} : { snapshot: opts.snapshot }),
          ...hooks,
        });
        hooks.stop();
        if (opts.json) printJson(io, report);
        else io.out(renderTrain(report));
      },
    );
}

export function renderTrain(report: TrainReport): string {
  const binary = report.spec.task === 'binary';
  const headers = [
    'rung',
    'kind',
    'cost/decision',
    ...(binary ? ['AUC'] : []),
    'train s',
    'p99 µs',
    'size',
    'decision',
  ];
  const rows = report.rungs.map((r) => [
    r.name === report.chosen ? `${r.name} *` : r.name,
    r.kind,
    fmt(r.score),
    ...(binary ? [fmt(r.auc)] : []),
    fmt(r.trainSeconds, 2),
    fmt(r.latencyP99Us, 1),
    r.bytes > 0 ? `${(r.bytes / 1024).toFixed(1)} KiB` : '-',
    r.decision,
  ]);
  return [
    `${report.spec.name}: ${report.kind === 'run' ? 'run' : `${report.kind} run`} ${report.runId}`,
    `${report.rows.train.toLocaleString('en-US')} training rows, scored on ${report.rows.validation.toLocaleString('en-US')} validation rows by ${report.metric}`,
    '',
    formatTable(headers, rows, [
      'l',
      'l',
      'r',
      ...(binary ? (['r'] as const) : []),
      'r',
      'r',
      'r',
      'l',
    ]),
    '',
    ...report.rungs.map((r) => `  ${r.name}: ${r.reason}`),
    '',
    `chosen: ${report.chosen}   (details: flywheel runs show ${report.runId})`,
  ].join('\n');
}

export function baselineCommand(io: Io): Command {
  return trainingCommand(io, 'baseline');
}

export function trainCommand(io: Io): Command {
  return trainingCommand(io, 'train');
}
