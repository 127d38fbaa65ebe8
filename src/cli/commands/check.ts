/** `flywheel check [path]`: validate the framing and print what it implies. */
import { Command } from 'commander';
import { type CheckReport, checkProject } from '../../pipeline/index.js';
import { formatIssue } from '../../spec/index.js';
import { fmt, formatTable, type Io, printJson } from '../output.js';

export function checkCommand(io: Io): Command {
  return new Command('check')
    .description(
      'validate flywheel.yaml, refuse a framing that cannot fail, and print what it implies',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--no-data', 'check the spec only; do not read the data')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { data: boolean; json?: boolean }) => {
      const report = await checkProject(target, { data: opts.data });
      if (opts.json) printJson(io, report);
      else io.out(renderCheck(report));
    });
}

export function renderCheck(report: CheckReport): string {
  const lines: string[] = [
    `✓ ${report.spec.name}: the spec is valid and can fail (${report.spec.task})`,
  ];
  for (const w of report.warnings) lines.push(`  warning: ${formatIssue(w)}`);
  const imp = report.implications;
  if (imp.costs) {
    const c = imp.costs;
    lines.push(
      '',
      `Costs per decision (${imp.currency}): TP ${c.tp}, FP ${c.fp}, FN ${c.fn}, TN ${c.tn}`,
    );
  }
  if (imp.breakEvenThreshold !== undefined) {
    lines.push(
      `Break-even threshold: act when P(positive) > ${fmt(imp.breakEvenThreshold)}  ((FP−TN) / ((FP−TN) + (FN−TP)))`,
    );
  }
  if (imp.capacity)
    lines.push(
      `Capacity: at most ${imp.capacity.max_positives} positives per ${imp.capacity.per} (top-k policy)`,
    );
  if (imp.data) {
    lines.push(
      '',
      `Data: ${imp.data.rows.toLocaleString('en-US')} rows${imp.data.unassigned > 0 ? ` (${imp.data.unassigned.toLocaleString('en-US')} in no split)` : ''}`,
    );
    if (imp.costs) {
      lines.push(
        formatTable(
          [
            'split',
            'labelled',
            'base rate',
            `always negative (${imp.currency}/decision)`,
            `always positive (${imp.currency}/decision)`,
          ],
          imp.data.splits.map((s) => [
            s.split,
            s.rows.toLocaleString('en-US'),
            fmt(s.baseRate),
            fmt(s.alwaysNegative.perDecision),
            fmt(s.alwaysPositive.perDecision),
          ]),
          ['l', 'r', 'r', 'r', 'r'],
        ),
      );
      const test = imp.data.splits.find((s) => s.split === 'test');
      if (test) {
        const best = Math.min(test.alwaysNegative.perDecision, test.alwaysPositive.perDecision);
        lines.push(
          '',
          `To be worth deploying, a model must cost less than ${fmt(best)} ${imp.currency} per decision on test.`,
        );
      }
    } else {
      lines.push(
        formatTable(
          ['split', 'labelled'],
          imp.data.splits.map((s) => [s.split, s.rows.toLocaleString('en-US')]),
          ['l', 'r'],
        ),
      );
    }
  }
  return lines.join('\n');
}
