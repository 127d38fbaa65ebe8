/** `flywheel data …`: look at the data a project points at. */
import { Command } from 'commander';
import { type DescribeReport, describeProject } from '../../pipeline/index.js';
import { fmt, formatTable, type Io, printJson } from '../output.js';

export function dataCommand(io: Io): Command {
  const data = new Command('data').description('inspect the project data');
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
  return data;
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
