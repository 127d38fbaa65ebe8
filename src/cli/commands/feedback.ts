/** `flywheel feedback ingest FILE`: outcome labels for served predictions (step 8). */
import { Command } from 'commander';
import { durationSeconds } from '../../features/index.js';
import { ingestFeedbackFile, openProjectStore } from '../../pipeline/index.js';
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
  return feedback;
}
