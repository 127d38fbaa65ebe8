/**
 * `flywheel events ingest FILE`: events behind online features, from a CSV,
 * Parquet or JSON file, checked against their event table and stored once by
 * id (a file with any invalid event stores nothing).
 */
import { Command } from 'commander';
import {
  chooseTable,
  type EventsLoadReport,
  ingestEventsFile,
  openProjectOnline,
  openProjectStore,
} from '../../pipeline/index.js';
import { loadSpec } from '../../spec/index.js';
import { formatTable, type Io, printJson, progressBar } from '../output.js';
import { eventsListenCommand } from './events-listen.js';

interface IngestOptions {
  table?: string;
  spec: string;
  store?: string;
  onlineStore?: string;
  json?: boolean;
}

/** The totals of loads as a table. */
export function renderLoads(reports: readonly EventsLoadReport[]): string {
  return formatTable(
    ['table', 'from', 'events', 'added', 'duplicates', 'conflicts', 'late', 'newest event'],
    reports.map((r) => [
      r.table,
      r.source,
      r.events.toLocaleString('en-US'),
      r.added.toLocaleString('en-US'),
      r.duplicates.toLocaleString('en-US'),
      r.conflicts,
      r.late,
      r.newest,
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

export function eventsCommand(io: Io): Command {
  const events = new Command('events').description(
    'events behind point-in-time features, for the online store (step 3, served in step 6)',
  );
  events
    .command('ingest')
    .description(
      'check a file of events (CSV, Parquet, JSON) against its event table and store them, idempotent by event id',
    )
    .argument('<file>', "the events: one row per event with the table's key, time, id and columns")
    .option('--table <name>', 'the event table (default: the only one)')
    .option('--spec <path>', 'spec file or project folder', '.')
    .option('--store <location>', 'store location: sqlite:<path> or postgres://… (default: spec)')
    .option(
      '--online-store <location>',
      'embedded (default) or redis://host:port/db (or FLYWHEEL_ONLINE_STORE)',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, opts: IngestOptions) => {
      const loaded = loadSpec(opts.spec);
      const stores = await openProjectStore(loaded, opts.store);
      try {
        const online = await openProjectOnline(loaded, stores, opts.onlineStore);
        try {
          const table = chooseTable(online.features.definitions, opts.table);
          const bar = progressBar(io, 'ingest', !opts.json);
          const report = await ingestEventsFile(online.features, table, file, {
            onProgress: (done, total) => bar.update(done, total),
          });
          bar.stop();
          if (opts.json) printJson(io, report);
          else io.out(renderLoads([report]));
        } finally {
          await online.close();
        }
      } finally {
        await stores.close();
      }
    });
  events.addCommand(eventsListenCommand(io));
  return events;
}
