/** `flywheel feedback ingest FILE`: outcome labels for served predictions (step 8). */
import { Command } from 'commander';
import { durationSeconds } from '../../features/index.js';
import { consumeFeedback, ingestFeedbackFile, openProjectStore } from '../../pipeline/index.js';
import { handleShutdownSignals } from '../../server/index.js';
import { feedbackSettings, loadSpec } from '../../spec/index.js';
import { formatTable, type Io, printJson, progressBar } from '../output.js';

export function feedbackCommand(io: Io): Command {
  const feedback = new Command('feedback').description(
    'outcome labels joined to what was served (step 8)',
  );
  feedback
    .command('ingest')
    .description(
      'store labels from a file (CSV, Parquet, JSON: prediction_id or entity + event_time, label, observed_at?); idempotent, conflicts flagged, unknown predictions kept as orphans',
    )
    .argument('<file>', 'the labels file')
    .option(
      '--source <name>',
      'who produced the labels (one label per prediction and source)',
      'file',
    )
    .option(
      '--model <name>',
      'the model whose predictions a file keyed by entity and event_time labels (any version)',
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        file: string,
        opts: { source: string; model?: string; spec: string; store?: string; json?: boolean },
      ) => {
        const loaded = loadSpec(opts.spec);
        const stores = await openProjectStore(loaded, opts.store);
        const lateAfter = feedbackSettings(loaded.spec).late_after;
        try {
          const bar = progressBar(io, 'feedback', !opts.json);
          const report = await ingestFeedbackFile(stores, file, {
            lateAfterMs: durationSeconds(lateAfter, 'feedback.late_after') * 1000,
            source: opts.source,
            ...(opts.model === undefined ? {} : { model: opts.model }),
            onProgress: (d, t) => bar.update(d, t),
          });
          bar.stop();
          if (opts.json) printJson(io, report);
          else
            io.out(
              formatTable(
                [
                  'file',
                  'labels',
                  'added',
                  'duplicates',
                  'conflicts',
                  'unknown predictions',
                  'unreadable labels',
                  'late',
                  'positive',
                  'ambiguous keys',
                ],
                [
                  [
                    report.file,
                    report.received,
                    report.added,
                    report.duplicates,
                    report.conflicts,
                    report.unknown,
                    report.invalid,
                    report.late,
                    report.positives,
                    report.ambiguous,
                  ],
                ],
                ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
              ),
            );
        } finally {
          await stores.close();
        }
      },
    );
  feedback
    .command('listen')
    .description(
      'store labels from a NATS JetStream subject until interrupted: a durable consumer, each message acked once its labels are committed',
    )
    .requiredOption('--subject <subject>', 'the subject to read, e.g. flywheel.labels')
    .option('--nats <servers>', 'NATS server(s), comma-separated', 'nats://127.0.0.1:4222')
    .option('--stream <name>', 'the JetStream stream (created when missing)', 'FLYWHEEL_FEEDBACK')
    .option('--durable <name>', 'the durable consumer (default: from the subject)')
    .option(
      '--source <name>',
      'who produced the labels (one label per prediction and source)',
      'stream',
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print JSON lines: ready, one per batch, rejected messages, stopped')
    .action(
      async (opts: {
        subject: string;
        nats: string;
        stream: string;
        durable?: string;
        source: string;
        spec: string;
        store?: string;
        json?: boolean;
      }) => {
        const line = (value: Record<string, unknown>) => io.out(JSON.stringify(value));
        const loaded = loadSpec(opts.spec);
        const stores = await openProjectStore(loaded, opts.store);
        const stop = new AbortController();
        const shutdown = handleShutdownSignals(async () => stop.abort(), {
          onSignal: (signal) => {
            if (!opts.json) io.err(`${signal}: storing the labels in hand, then stopping`);
          },
        });
        try {
          const totals = await consumeFeedback(stores, {
            servers: opts.nats,
            stream: opts.stream,
            subject: opts.subject,
            ...(opts.durable === undefined ? {} : { durable: opts.durable }),
            source: opts.source,
            lateAfterMs:
              durationSeconds(feedbackSettings(loaded.spec).late_after, 'feedback.late_after') *
              1000,
            signal: stop.signal,
            onReady: (ready) => {
              if (opts.json) line({ type: 'ready', subject: opts.subject, ...ready });
              else
                io.err(
                  `listening for labels on ${opts.subject} (stream ${ready.stream}, consumer ${ready.consumer}); Ctrl-C to stop`,
                );
            },
            onReport: (r) => {
              if (opts.json) line({ type: 'batch', ...r });
              else
                io.out(
                  `${r.messages} message(s): ${r.received} label(s), ${r.added} added, ${r.duplicates} duplicate(s), ${r.conflicts} conflict(s), ${r.unknown} unknown${r.rejected > 0 ? `, ${r.rejected} message(s) rejected` : ''}${r.retried > 0 ? `, ${r.retried} to retry (${r.retryReason ?? 'store failure'})` : ''}`,
                );
            },
            onRejected: (reason, subject) => {
              if (opts.json) line({ type: 'rejected', subject, reason });
              else io.err(`rejected a message on ${subject}: ${reason}`);
            },
          });
          if (opts.json) line({ type: 'stopped', ...totals });
          else
            io.out(
              `stopped: ${totals.messages} message(s), ${totals.added} label(s) added, ${totals.duplicates} duplicate(s), ${totals.rejected} rejected, ${totals.retried} retried`,
            );
        } finally {
          shutdown.dispose();
          await stores.close();
        }
      },
    );
  return feedback;
}
