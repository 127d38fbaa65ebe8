/**
 * `flywheel stream`: scoring requests from a NATS JetStream subject,
 * predictions to another, until SIGINT/SIGTERM; each message acked once its
 * predictions are logged and its answer published (exactly once: see
 * src/pipeline/stream-scoring.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { durationSeconds } from '../../features/index.js';
import {
  openProjectOnline,
  openProjectStore,
  type StreamBatch,
  streamScoring,
} from '../../pipeline/index.js';
import { handleShutdownSignals } from '../../server/index.js';
import { loadSpec } from '../../spec/index.js';
import type { Io } from '../output.js';

interface StreamOptions {
  model: string;
  in: string;
  out: string;
  deadLetter?: string;
  nats: string;
  stream: string;
  outStream: string;
  durable?: string;
  batch: number;
  maxRows: number;
  keepAnswers: string;
  spec: string;
  store?: string;
  onlineStore?: string;
  json?: boolean;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) {
    throw new InvalidArgumentError(`must be an integer from 1 to 10000, got ${value}`);
  }
  return n;
};

/** One group of messages as a line. */
export function renderStreamBatch(r: StreamBatch): string {
  const parts = [
    `${r.messages} message(s): ${r.answered} answered (${r.predictions} prediction(s))`,
  ];
  if (r.repeated > 0) parts.push(`${r.repeated} answered before (published again)`);
  if (r.dead > 0) parts.push(`${r.dead} to the dead-letter subject`);
  if (r.retried > 0) parts.push(`${r.retried} to retry (${r.retryReason ?? 'failure'})`);
  return parts.join(', ');
}

export function streamCommand(io: Io): Command {
  return new Command('stream')
    .description(
      'score requests from a NATS JetStream subject and publish the predictions to another, until interrupted: each message logged and answered exactly once, unscorable ones to a dead-letter subject',
    )
    .requiredOption('--model <ref>', 'the model and alias or version, e.g. flights_delay@champion')
    .requiredOption(
      '--in <subject>',
      'the requests: a row object, an array of rows, or {"rows": [...]}',
    )
    .requiredOption('--out <subject>', 'where answers are published')
    .option(
      '--dead-letter <subject>',
      'where unscorable messages go, with their reason (default: <out>.dead)',
    )
    .option('--nats <servers>', 'NATS server(s), comma-separated', 'nats://127.0.0.1:4222')
    .option(
      '--stream <name>',
      'the stream capturing --in (created when missing)',
      'FLYWHEEL_REQUESTS',
    )
    .option(
      '--out-stream <name>',
      'the stream capturing --out and --dead-letter (created when missing)',
      'FLYWHEEL_PREDICTIONS',
    )
    .option('--durable <name>', 'the durable consumer (default: from --in)')
    .option('--batch <n>', 'most messages settled together', positive, 256)
    .option(
      '--keep-answers <duration>',
      'how long answers are kept to recognise a redelivered message (pruned hourly); one redelivered later is scored again',
      '7d',
    )
    .option(
      '--max-rows <n>',
      'most rows in one message (a bigger one is a dead letter)',
      positive,
      1000,
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option(
      '--online-store <location>',
      'embedded (default) or redis://host:port/db: fills the point-in-time features a request leaves out',
    )
    .option('--json', 'print JSON lines: ready, one per batch, swapped, stopped')
    .action(async (opts: StreamOptions) => {
      const line = (value: Record<string, unknown>) => io.out(JSON.stringify(value));
      const loaded = loadSpec(opts.spec);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        const stop = new AbortController();
        const shutdown = handleShutdownSignals(async () => stop.abort(), {
          onSignal: (signal) => {
            if (!opts.json) io.err(`${signal}: settling the messages in hand, then stopping`);
          },
        });
        try {
          const totals = await streamScoring(stores, {
            servers: opts.nats,
            model: opts.model,
            stream: opts.stream,
            subject: opts.in,
            out: opts.out,
            outStream: opts.outStream,
            deadLetter: opts.deadLetter ?? `${opts.out}.dead`,
            ...(opts.durable === undefined ? {} : { durable: opts.durable }),
            batch: opts.batch,
            maxRows: opts.maxRows,
            keepAnswersMs: durationSeconds(opts.keepAnswers, '--keep-answers') * 1000,
            features: online.features,
            signal: stop.signal,
            onReady: (ready) => {
              if (opts.json) line({ type: 'ready', ...ready });
              else
                io.err(
                  `scoring ${opts.in} with ${ready.version} into ${opts.out} (stream ${ready.stream}, consumer ${ready.consumer}); Ctrl-C to stop`,
                );
            },
            onReport: (report) => {
              if (opts.json) line({ type: 'batch', ...report });
              else io.out(renderStreamBatch(report));
            },
            onSwap: (version) => {
              if (opts.json) line({ type: 'swapped', version });
              else io.err(`now scoring with ${version}`);
            },
          });
          if (opts.json) line({ type: 'stopped', ...totals });
          else
            io.out(
              `stopped: ${totals.messages} message(s), ${totals.answered} answered, ${totals.repeated} answered before, ${totals.dead} dead-lettered, ${totals.retried} retried`,
            );
        } finally {
          shutdown.dispose();
          await online.close();
        }
      } finally {
        await stores.close();
      }
    });
}
