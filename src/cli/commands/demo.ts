/** `flywheel demo`: the whole loop on real flights data, in one process. */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type DemoProgress, runDemo } from '../../pipeline/index.js';
import { type Io, printJson } from '../output.js';
import { serveCommand } from './serve.js';

const fraction = (value: string) => {
  const n = Number(value);
  if (!(n > 0 && n <= 1))
    throw new InvalidArgumentError(`must be above 0 and at most 1, got ${value}`);
  return n;
};

const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });

function progressLine(io: Io, event: DemoProgress, json: boolean): void {
  if (json) return;
  if (event.kind === 'stage') io.err(`… ${event.stage}`);
  else if (event.kind === 'day') {
    if (event.index % 7 === 6 || event.index === event.days - 1) {
      io.err(
        `  ${event.day}  day ${event.index + 1}/${event.days}  champion v${event.champion}${event.canary === null ? '' : `, canary v${event.canary}`}`,
      );
    }
  } else if (event.kind === 'retrain') {
    io.err(
      `  retrain (${event.result.trigger}) as of ${event.result.asOf.slice(0, 10)}: ${event.result.outcome}: ${event.result.reason}`,
    );
  } else if (event.action !== 'continue') {
    io.err(
      `  canary ${event.check.canary} at ${event.check.at.slice(0, 10)}: ${event.action} (${event.check.reason})`,
    );
  }
}

export function demoCommand(io: Io): Command {
  return new Command('demo')
    .description(
      'the whole loop on the real flights data: train on January–February, replay March–June as live traffic with daily labels, monitoring, retraining, gate and canary; writes an HTML report of frozen vs flywheel cost',
    )
    .option('--dir <path>', 'where the demo project is written', 'flywheel-demo')
    .option('--sample <fraction>', 'share of the flights kept, by a seeded hash', fraction, 0.05)
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 42)
    .option('--from <date>', 'first replayed day', '2001-03-01')
    .option('--until <date>', 'the day after the last replayed day', '2001-07-01')
    .option('--keep-serving', 'afterwards, serve the dashboard and the API on the demo store')
    .option('--port <n>', 'port for --keep-serving', '8080')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (opts: {
        dir: string;
        sample: number;
        seed: number;
        from: string;
        until: string;
        keepServing?: boolean;
        port: string;
        json?: boolean;
      }) => {
        const result = await runDemo({
          dir: opts.dir,
          sample: opts.sample,
          seed: opts.seed,
          from: opts.from,
          until: opts.until,
          onProgress: (e) => progressLine(io, e, opts.json === true),
        });
        const r = result.report;
        if (opts.json) {
          printJson(io, { reportPath: result.reportPath, store: result.store, ...r });
        } else {
          io.out(`\n${r.title}`);
          io.out(
            `${'month'.padEnd(9)} ${'requests'.padStart(9)} ${'frozen/decision'.padStart(16)} ${'flywheel/decision'.padStart(18)}`,
          );
          for (const m of r.months) {
            io.out(
              `${m.month.padEnd(9)} ${String(m.requests).padStart(9)} ${m.frozenCost.toFixed(3).padStart(16)} ${m.flywheelCost.toFixed(3).padStart(18)}`,
            );
          }
          io.out(
            `total cost: frozen ${money(r.totals.frozenCost)} ${r.currency}, flywheel ${money(r.totals.flywheelCost)} ${r.currency} (saved ${money(r.totals.saved)}); ${r.retrains.length} retrain decision(s), ${r.alerts.length} alert(s), ${r.totals.snapshots} feedback snapshot(s); ${r.timing.totalSeconds.toFixed(0)} s`,
          );
          io.out(`report: ${path.relative(process.cwd(), result.reportPath) || result.reportPath}`);
        }
        if (opts.keepServing) {
          io.err(`serving the demo store: open http://127.0.0.1:${opts.port}/ (Ctrl-C to stop)`);
          await serveCommand(io).parseAsync(
            [
              result.dir,
              '--auth',
              'off',
              '--port',
              opts.port,
              '--store',
              result.store,
              // The dashboard's monitoring windows end where the replay did.
              '--as-of',
              `${opts.until}T00:00:00Z`,
            ],
            { from: 'user' },
          );
        }
      },
    );
}
