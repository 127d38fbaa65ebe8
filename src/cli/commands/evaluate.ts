/** `flywheel evaluate [--model REF]`: evaluate a stored model on test, gate it, write the report. */
import { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { evaluateProject } from '../../pipeline/index.js';
import { ExitWith, type Io, printJson } from '../output.js';
import { trainingHooks } from '../training-hooks.js';
import { renderRun, runSummary } from './run.js';

export function evaluateCommand(io: Io): Command {
  return new Command('evaluate')
    .description(
      'evaluate a stored model on the test split beside its baselines, gate it and write the report (exit 4 when the gate fails)',
    )
    .argument('[path]', 'spec file or project folder', '.')
    .option(
      '--model <run-id>',
      'a rung run (that model) or a train/run run (its chosen model); default: the latest',
    )
    .option('--report <file>', 'where to write the HTML report (default: reports/<run id>.html)')
    .option('--snapshot <id>', 'use a recorded data snapshot (id or prefix) instead of the sources')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON (the verdict and where the report is)')
    .action(
      async (
        target: string,
        opts: {
          model?: string;
          report?: string;
          store?: string;
          snapshot?: string;
          json?: boolean;
        },
      ) => {
        const hooks = trainingHooks(io, !opts.json);
        const result = await evaluateProject(target, {
          ...(opts.model === undefined ? {} : { model: opts.model }),
          ...(opts.store === undefined ? {} : { store: opts.store }),
          ...(opts.snapshot === undefined ? {} : { snapshot: opts.snapshot }),
          ...(opts.report === undefined ? {} : { reportPath: opts.report }),
          ...hooks,
        });
        hooks.stop();
        if (opts.json) printJson(io, runSummary(result));
        else io.out(renderRun(result, { ladder: false }));
        if (!result.verdict.passed) throw new ExitWith(ExitCode.gateFailed);
      },
    );
}
