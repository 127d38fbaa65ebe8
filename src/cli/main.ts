/**
 * The `flywheel` command line: a thin layer over the library. Every command
 * has `--json`; errors print without a stack trace and exit with the codes of
 * DESIGN.md (0 ok, 1 internal, 2 usage/config, 3 data, 4 gate, 5 conflict).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { smokeCheck } from '../serve/index.js';
import { checkCommand } from './commands/check.js';
import { dataCommand } from './commands/data.js';
import { demoCommand } from './commands/demo.js';
import { deployCommand } from './commands/deploy.js';
import { evaluateCommand } from './commands/evaluate.js';
import { eventsCommand } from './commands/events.js';
import { featuresCommand } from './commands/features.js';
import { feedbackCommand } from './commands/feedback.js';
import { governanceCommand } from './commands/governance.js';
import { initCommand } from './commands/init.js';
import { modelsCommand } from './commands/models.js';
import { monitorCommand } from './commands/monitor.js';
import { predictCommand } from './commands/predict.js';
import { retrainCommand } from './commands/retrain.js';
import { runCommand } from './commands/run.js';
import { runsCommand } from './commands/runs.js';
import { serveCommand } from './commands/serve.js';
import { streamCommand } from './commands/stream.js';
import { tokensCommand } from './commands/tokens.js';
import { baselineCommand, trainCommand } from './commands/train.js';
import { ExitWith, type Io, processIo, reportError } from './output.js';
import { openStoreForCli } from './store.js';

function packageVersion(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** Builds the program; `io` lets tests capture output. */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command('flywheel')
    .description('Flywheel: from a falsifiable framing to a production model people trust')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const command of [
    initCommand(io),
    checkCommand(io),
    dataCommand(io),
    governanceCommand(io),
    baselineCommand(io),
    trainCommand(io),
    evaluateCommand(io),
    runCommand(io),
    runsCommand({ openStoreForCli, print: (text) => io.out(text) }),
    modelsCommand(io, { smokeCheck: async (bundle) => void (await smokeCheck(bundle)) }),
    predictCommand(io),
    deployCommand(io),
    serveCommand(io),
    streamCommand(io),
    eventsCommand(io),
    featuresCommand(io),
    monitorCommand(io),
    feedbackCommand(io),
    retrainCommand(io),
    demoCommand(io),
    tokensCommand(io),
  ]) {
    program.addCommand(command);
  }
  const applyOverrides = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    cmd.showSuggestionAfterError(true);
    for (const sub of cmd.commands) applyOverrides(sub);
  };
  for (const sub of program.commands) applyOverrides(sub);
  return program;
}

/**
 * Runs the CLI and returns the exit code (never calls process.exit).
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram(io).parseAsync([...argv]);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof ExitWith) return err.code;
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    return reportError(io, err, json);
  }
}
