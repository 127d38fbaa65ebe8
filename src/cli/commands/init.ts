/** `flywheel init [dir] --example flights`: create a project. */
import path from 'node:path';
import { Command } from 'commander';
import { EXAMPLES, initProject } from '../../pipeline/index.js';
import { type Io, printJson } from '../output.js';

export function initCommand(io: Io): Command {
  return new Command('init')
    .description('create a project: a flywheel.yaml, or a ready example on real data')
    .argument('[dir]', 'folder to create the project in', '.')
    .option('--example <name>', `start from an example (${EXAMPLES.join(', ')})`)
    .option('--force', 'overwrite an existing flywheel.yaml')
    .option('--json', 'print machine-readable JSON')
    .action((dir: string, opts: { example?: string; force?: boolean; json?: boolean }) => {
      const result = initProject({
        dir,
        ...(opts.example ? { example: opts.example } : {}),
        force: Boolean(opts.force),
      });
      if (opts.json) {
        printJson(io, result);
        return;
      }
      const shown = path.relative(process.cwd(), result.dir) || '.';
      io.out(
        `Created ${result.example ? `the ${result.example} example` : 'a project'} in ${shown}:`,
      );
      for (const f of result.files) io.out(`  ${f}`);
      io.out('');
      io.out('Next:');
      if (shown !== '.') io.out(`  cd ${shown}`);
      io.out(
        result.example
          ? '  flywheel check           # validate the framing, see what it implies'
          : '  edit flywheel.yaml, then: flywheel check',
      );
      if (result.example) io.out('  flywheel data describe   # rows, columns, base rate per split');
    });
}
