/** `flywheel retrain`: a challenger from the feedback, gated and canaried (step 8). */
import { Command, InvalidArgumentError } from 'commander';
import { type RetrainResult, retrainProject } from '../../pipeline/index.js';
import { formatTable, type Io, printJson } from '../output.js';

const money = (v: number) => v.toFixed(3);

const asOf = (value: string) => {
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(t)) {
    throw new InvalidArgumentError(
      `must be an ISO-8601 time such as 2001-05-01T00:00:00Z, got ${value}`,
    );
  }
  return new Date(t);
};

/** The retrain, for a person. */
export function describeRetrain(r: RetrainResult): string {
  const lines = [
    `${r.model}: ${r.outcome} (trigger: ${r.trigger}, as of ${r.asOf})`,
    `  ${r.reason}`,
  ];
  if (r.labelQuality) {
    const q = r.labelQuality;
    lines.push(
      `  labels in window: ${q.labels}, positive rate ${q.positiveRate === null ? '-' : `${(q.positiveRate * 100).toFixed(1)}%`} (champion ${q.expectedRate === null ? '-' : `${(q.expectedRate * 100).toFixed(1)}%`}), conflicts ${q.conflicts}`,
    );
  }
  if (r.snapshot) {
    const s = r.snapshot;
    lines.push(
      `  snapshot ${s.id.slice(0, 12)}: ${s.rows} rows, ${s.feedbackRows} joined from labelled predictions, ${s.baseRows} original; left out: ${s.excluded.withoutConsent} without consent, ${s.excluded.pastRetention} past retention, ${s.excluded.unscorable} unscorable`,
    );
  }
  if (r.run) {
    lines.push(
      `  run ${r.run.runId}: ${r.run.version === null ? 'no version' : `version ${r.run.version}`}, ${r.run.blessed ? 'blessed' : 'not blessed'}; report ${r.run.reportPath}`,
    );
  }
  if (r.gate) {
    const g = r.gate;
    lines.push(
      formatTable(
        [
          'gate (cost per decision)',
          'champion',
          'challenger',
          'difference',
          'interval',
          'P(better)',
          'rows',
        ],
        [
          [
            `${g.challenger} vs ${g.champion}`,
            money(g.championCost),
            money(g.challengerCost),
            money(g.difference.estimate),
            `[${money(g.difference.lower)}, ${money(g.difference.upper)}]`,
            `${(g.probabilityBetter * 100).toFixed(0)}% (needs ${(g.minProbability * 100).toFixed(0)}%)`,
            g.rows,
          ],
        ],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  return lines.join('\n');
}

export function retrainCommand(io: Io): Command {
  return new Command('retrain')
    .description(
      'train a challenger on the labelled predictions joined to what was served, gate it against the champion on the most recent labels (paired bootstrap of the cost), and start a canary if it wins',
    )
    .argument('[project]', 'spec file or project folder', '.')
    .option(
      '--if-due',
      "only retrain when the spec's feedback.retrain policy says it is due (for a scheduler)",
    )
    .option(
      '--as-of <time>',
      "the retrain's now (ISO-8601): its window ends here (default: now; for replays and backfills)",
      asOf,
    )
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10))
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        project: string,
        opts: { ifDue?: boolean; asOf?: Date; seed?: number; store?: string; json?: boolean },
      ) => {
        const result = await retrainProject(project, {
          ...(opts.asOf === undefined ? {} : { now: opts.asOf }),
          ...(opts.ifDue ? { ifDue: true } : {}),
          ...(opts.seed === undefined ? {} : { seed: opts.seed }),
          ...(opts.store === undefined ? {} : { store: opts.store }),
          onStage: (s) => {
            if (!opts.json) io.err(`… ${s}`);
          },
        });
        if (opts.json) printJson(io, result);
        else io.out(describeRetrain(result));
      },
    );
}
