/**
 * `flywheel events listen`: events behind online features, read from a NATS
 * JetStream subject until SIGINT/SIGTERM, each message acked once its events
 * are stored (a line per group of messages, or JSON lines with --json).
 */
import { Command } from 'commander';
import {
  chooseTable,
  consumeEvents,
  type NatsEventsBatch,
  openProjectOnline,
  openProjectStore,
} from '../../pipeline/index.js';
import { handleShutdownSignals } from '../../server/index.js';
import { loadSpec } from '../../spec/index.js';
import type { Io } from '../output.js';

interface ListenOptions {
  nats: string;
  subject: string;
  stream: string;
  durable?: string;
  table?: string;
  spec: string;
  store?: string;
  onlineStore?: string;
  json?: boolean;
}

/** One group of messages as a line: what was stored per table, and what was not. */
export function renderBatch(r: NatsEventsBatch): string {
  const writes = r.writes.map(
    (w) =>
      `${w.table}: ${w.received} event(s), ${w.added} added, ${w.duplicates} duplicate(s)` +
      (w.conflicts > 0 ? `, ${w.conflicts} conflict(s)` : '') +
      (w.late > 0 ? `, ${w.late} late` : ''),
  );
  const parts = [`${r.messages} message(s): ${r.acked} stored`];
  if (writes.length > 0) parts[0] += ` (${writes.join('; ')})`;
  if (r.rejected > 0) parts.push(`${r.rejected} rejected`);
  if (r.retried > 0) parts.push(`${r.retried} to retry (${r.retryReason ?? 'store failure'})`);
  return parts.join(', ');
}

export function eventsListenCommand(io: Io): Command {
  return new Command('listen')
    .description(
      'store events from a NATS JetStream subject until interrupted: a durable consumer, each message acked once stored',
    )
    .requiredOption(
      '--nats <servers>',
      'NATS server(s), comma-separated, e.g. nats://127.0.0.1:4222',
    )
    .requiredOption(
      '--subject <subject>',
      'the subject to read, e.g. flywheel.events.departures (its last token names the table)',
    )
    .option('--stream <name>', 'the JetStream stream (created when missing)', 'FLYWHEEL_EVENTS')
    .option('--durable <name>', 'the durable consumer (default: from the subject)')
    .option(
      '--table <name>',
      'the event table when a message names none (default: from the subject)',
    )
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option(
      '--online-store <location>',
      'embedded (default) or redis://host:port/db (or FLYWHEEL_ONLINE_STORE)',
    )
    .option('--json', 'print JSON lines: ready, one per batch, rejected messages, stopped')
    .action(async (opts: ListenOptions) => {
      const line = (value: Record<string, unknown>) => io.out(JSON.stringify(value));
      const loaded = loadSpec(opts.spec);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        try {
          if (opts.table !== undefined) chooseTable(online.features.definitions, opts.table);
          const stop = new AbortController();
          const shutdown = handleShutdownSignals(async () => stop.abort(), {
            onSignal: (signal) => {
              if (!opts.json) io.err(`${signal}: storing the messages in hand, then stopping`);
            },
          });
          try {
            const totals = await consumeEvents(online.features, {
              servers: opts.nats,
              stream: opts.stream,
              subject: opts.subject,
              ...(opts.durable === undefined ? {} : { durable: opts.durable }),
              ...(opts.table === undefined ? {} : { table: opts.table }),
              signal: stop.signal,
              onReady: (ready) => {
                if (opts.json) line({ type: 'ready', subject: opts.subject, ...ready });
                else {
                  io.err(
                    `listening on ${opts.subject} (stream ${ready.stream}, ${ready.streamAction}; consumer ${ready.consumer}); Ctrl-C to stop`,
                  );
                }
              },
              onReport: (report) => {
                if (opts.json) line({ type: 'batch', ...report });
                else io.out(renderBatch(report));
              },
              onRejected: (reason, subject) => {
                if (opts.json) line({ type: 'rejected', subject, reason });
                else io.err(`rejected a message on ${subject}: ${reason}`);
              },
            });
            if (opts.json) line({ type: 'stopped', ...totals });
            else {
              io.out(
                `stopped: ${totals.messages} message(s), ${totals.acked} stored (${totals.added} event(s) added, ${totals.duplicates} duplicate(s)), ${totals.rejected} rejected, ${totals.retried} retried`,
              );
            }
          } finally {
            shutdown.dispose();
          }
        } finally {
          await online.close();
        }
      } finally {
        await stores.close();
      }
    });
}
