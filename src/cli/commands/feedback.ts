/** `flywheel feedback ingest FILE`: outcome labels for served predictions (step 8). */
import { Command } from 'commander';
import { ingestFeedbackFile, openProjectStore } from '../../pipeline/index.js';
import { loadSpec } from '../../spec/index.js';
import { formatTable, type Io, printJson, progressBar } from '../output.js';

export function feedbackCommand(io: Io): Command {
  const feedback = new Command('feedback').description(
    'outcome labels joined to what was served (step 8)',
  );
  feedback
    .command('ingest')
    .description(
      'store labels from a file (CSV, Parquet, JSON: prediction_id, label, observed_at?); idempotent, conflicts flagged, unknown predictions kept as orphans',
    )
    .argument('<file>', 'the labels file')
    .option(
      '--source <name>',
      'who produced the labels (one label per prediction and source)',
      'file',
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        file: string,
        opts: { source: string; spec: string; store?: string; json?: boolean },
      ) => {
        const stores = await openProjectStore(loadSpec(opts.spec), opts.store);
        try {
          const bar = progressBar(io, 'feedback', !opts.json);
          const report = await ingestFeedbackFile(stores, file, {
            source: opts.source,
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
                  ],
                ],
                ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
              ),
            );
        } finally {
          await stores.close();
        }
      },
    );
  return feedback;
}
