/** `flywheel governance scan | purge`: find personal data; delete what is past retention. */
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { blocking } from '../../findings.js';
import { purgeProject, scanProject } from '../../pipeline/index.js';
import { renderFindings } from '../findings.js';
import { ExitWith, formatTable, type Io, printJson } from '../output.js';

export function governanceCommand(io: Io): Command {
  const governance = new Command('governance').description(
    'personal data, consent, retention and roles (step 3)',
  );
  governance
    .command('scan')
    .description(
      'scan the raw input for personal data by value (validated) and by column name; exit 3 when a PII column has no policy',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { json?: boolean }) => {
      const report = await scanProject(target);
      if (opts.json) printJson(io, report);
      else {
        io.out(
          report.matches.length === 0
            ? `${report.project}: no personal data found`
            : formatTable(
                ['column', 'kinds', 'found by', 'confidence', 'match rate', 'PII', 'examples'],
                report.matches.map((m) => [
                  m.column,
                  m.kinds.join(', '),
                  m.detectedBy.join('+'),
                  m.confidence,
                  m.sampled === 0 ? '-' : `${(100 * m.matchRate).toFixed(1)}%`,
                  m.isPii ? 'yes' : 'partial',
                  m.examples.join(' | '),
                ]),
                ['l', 'l', 'l', 'l', 'r', 'l', 'l'],
              ),
        );
        io.out(['', ...renderFindings(report.findings, true)].join('\n'));
      }
      if (blocking(report.findings).length > 0) throw new ExitWith(ExitCode.data);
    });
  governance
    .command('purge')
    .description('delete stored prediction-log rows older than governance.retention_days (audited)')
    .argument('[path]', 'spec file or project folder', '.')
    .option('--dry-run', 'count what would be deleted; delete nothing')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(async (target: string, opts: { dryRun?: boolean; store?: string; json?: boolean }) => {
      const result = await purgeProject(target, {
        dryRun: Boolean(opts.dryRun),
        ...(opts.store === undefined ? {} : { store: opts.store }),
      });
      if (opts.json) printJson(io, result);
      else
        io.out(
          `${result.dryRun ? 'Would delete' : 'Deleted'} ${result.predictionLogRows.toLocaleString('en-US')} prediction-log row(s) older than ${result.cutoff} (retention ${result.retentionDays} days)${result.auditId === undefined ? '' : `; audit record ${result.auditId}`}`,
        );
    });
  return governance;
}
