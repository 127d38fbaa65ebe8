/**
 * The project side of online features: which online store to open, a file
 * of events ingested all or nothing, and materialisation, which rebuilds the
 * online state for a time range from the spec's own event tables (the same
 * DuckDB views the offline join reads) or from the stored event log.
 */
import path from 'node:path';
import { DuckSession, registerSources } from '../data/index.js';
import { FlywheelError } from '../errors.js';
import {
  createEventViews,
  EmbeddedOnlineStore,
  type EventProblem,
  eventPages,
  eventViewName,
  type IngestReport,
  type OnlineDefinitions,
  type OnlineEventTable,
  OnlineFeatures,
  type OnlineStore,
  onlineDefinitions,
  parseEvents,
  RedisOnlineStore,
  stageEvents,
} from '../features/index.js';
import type { LoadedSpec } from '../spec/index.js';
import type { MetadataStore, Stores } from '../store/index.js';
import { fileReaderSql } from './file-reader.js';

const PAGE = 5_000;
const MAX_PROBLEMS = 100;

/**
 * The online store at `location`: `embedded` (the default: the project's
 * metadata store) or a `redis://` URL; `FLYWHEEL_ONLINE_STORE` when not given.
 *
 * @example
 * const store = await openOnlineStore(stores, 'redis://127.0.0.1:6379/0');
 */
export async function openOnlineStore(
  stores: Stores,
  location: string | undefined = process.env['FLYWHEEL_ONLINE_STORE'],
): Promise<OnlineStore> {
  const where = location ?? 'embedded';
  if (where === 'embedded') return new EmbeddedOnlineStore(stores.metadata);
  if (/^rediss?:\/\//.test(where)) return RedisOnlineStore.open(where);
  throw new FlywheelError('USAGE', 'the online store must be "embedded" or a redis:// URL', {
    hint: 'e.g. --online-store embedded, or --online-store redis://127.0.0.1:6379/0',
  });
}

/** The spec's online definitions (its point-in-time features and their event tables). */
export function projectOnlineDefinitions(loaded: LoadedSpec): OnlineDefinitions {
  return onlineDefinitions(loaded.spec.features?.point_in_time, loaded.spec.events);
}

/** The table to use: the one named, or the only one there is. */
export function chooseTable(defs: OnlineDefinitions, name: string | undefined): OnlineEventTable {
  const known = defs.tables.map((t) => t.name);
  if (name === undefined) {
    if (defs.tables.length === 1) return defs.tables[0]!;
    throw new FlywheelError(
      'USAGE',
      defs.tables.length === 0
        ? 'no event table feeds a point-in-time feature in this spec'
        : `name the event table with --table: ${known.join(', ')}`,
    );
  }
  const table = defs.tables.find((t) => t.name === name);
  if (table === undefined) {
    throw new FlywheelError(
      'USAGE',
      `no event table "${name}" feeds a point-in-time feature; event tables: ${known.join(', ') || '(none)'}`,
    );
  }
  return table;
}

/** Totals of one ingestion or materialisation. */
export interface EventsLoadReport {
  readonly table: string;
  readonly source: string;
  readonly events: number;
  readonly added: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly late: number;
  readonly newest: string | undefined;
}

function sum(table: string, source: string, reports: readonly IngestReport[]): EventsLoadReport {
  const total = (k: 'received' | 'added' | 'duplicates' | 'conflicts' | 'late') =>
    reports.reduce((s, r) => s + r[k], 0);
  return {
    table,
    source,
    events: total('received'),
    added: total('added'),
    duplicates: total('duplicates'),
    conflicts: total('conflicts'),
    late: total('late'),
    newest: reports.at(-1)?.newest,
  };
}

/**
 * Checks every event of a staged table, then (only when all are valid)
 * writes them page by page. Problems name the row (1-based) and field.
 */
async function checkThenWrite(
  session: DuckSession,
  staged: string,
  features: OnlineFeatures,
  table: OnlineEventTable,
  shown: string,
  total: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<IngestReport[]> {
  const problems: EventProblem[] = [];
  let problemCount = 0;
  for await (const page of eventPages(session, staged, PAGE)) {
    const found = parseEvents(table, page.events).problems;
    problemCount += found.length;
    for (const p of found) {
      if (problems.length < MAX_PROBLEMS) problems.push({ ...p, row: p.row + page.offset + 1 });
    }
  }
  if (problemCount > 0) {
    const first = problems[0]!;
    throw new FlywheelError(
      'EVENTS_INVALID',
      `${shown}: ${problemCount} problem(s) with the events; nothing was stored. First: row ${first.row}, ${first.field}: ${first.message}`,
      { details: { file: shown, table: table.name, problems } },
    );
  }
  const reports: IngestReport[] = [];
  let done = 0;
  for await (const page of eventPages(session, staged, PAGE)) {
    const { events } = parseEvents(table, page.events);
    reports.push(await features.write(table, events));
    done += events.length;
    onProgress?.(done, total);
  }
  return reports;
}

/**
 * Ingests a file of events (CSV, Parquet or JSON) into the online store:
 * every event is checked first, and a file with any invalid event stores
 * nothing.
 *
 * @example
 * const report = await ingestEventsFile(features, table, 'departures.csv');
 */
export async function ingestEventsFile(
  features: OnlineFeatures,
  table: OnlineEventTable,
  file: string,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<EventsLoadReport> {
  const absolute = path.resolve(file);
  const session = await DuckSession.open();
  try {
    const staged = 'fw_events_in';
    const total = await stageEvents(session, fileReaderSql(absolute, file), table, staged, file);
    const reports = await checkThenWrite(
      session,
      staged,
      features,
      table,
      file,
      total,
      options.onProgress,
    );
    return sum(table.name, file, reports);
  } finally {
    session.close();
  }
}

export interface MaterializeRange {
  /** Inclusive start (ms). */
  readonly from: number;
  /** Exclusive end (ms). */
  readonly to: number;
}

const timestampLiteral = (ms: number) =>
  `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/**
 * Rebuilds the online state of every online event table for events known in
 * `[from, to)` from the spec's event tables: the same views the offline
 * join aggregates, read through the same ingestion path as live events
 * (idempotent: events already there are duplicates).
 */
export async function materializeFromSpec(
  loaded: LoadedSpec,
  features: OnlineFeatures,
  range: MaterializeRange,
  options: { onProgress?: (table: string, done: number, total: number) => void } = {},
): Promise<EventsLoadReport[]> {
  const defs = projectOnlineDefinitions(loaded);
  const session = await DuckSession.open();
  try {
    await registerSources(session, loaded.spec, loaded.dir);
    const used = new Set(defs.tables.map((t) => t.name));
    const events = Object.fromEntries(
      Object.entries(loaded.spec.events ?? {}).filter(([name]) => used.has(name)),
    );
    await createEventViews(session, { events });
    const results: EventsLoadReport[] = [];
    for (const table of defs.tables) {
      const shown = `events.${table.name}`;
      const staged = `fw_stage_${table.name}`;
      const total = await stageEvents(session, eventViewName(table.name), table, staged, shown, {
        where: (t) =>
          `${t} >= ${timestampLiteral(range.from)} AND ${t} < ${timestampLiteral(range.to)}`,
        skipIncomplete: true,
      });
      const reports = await checkThenWrite(session, staged, features, table, shown, total, (d, n) =>
        options.onProgress?.(table.name, d, n),
      );
      results.push(sum(table.name, shown, reports));
    }
    return results;
  } finally {
    session.close();
  }
}

/**
 * Rebuilds a separate online store (Redis) from the event log in the
 * metadata store for `[from, to)`: that range is cleared, then every logged
 * event is written again. The embedded store is the log itself: nothing to do.
 */
export async function materializeFromLog(
  metadata: MetadataStore,
  features: OnlineFeatures,
  range: MaterializeRange,
  options: { onProgress?: (table: string, done: number) => void } = {},
): Promise<EventsLoadReport[]> {
  if (features.store.kind === 'embedded') {
    throw new FlywheelError(
      'USAGE',
      'the embedded online store is the event log itself: there is nothing to rebuild from it',
      {
        hint: "rebuild from the spec's event tables instead (--source spec), or give --online-store redis://…",
      },
    );
  }
  const results: EventsLoadReport[] = [];
  for (const table of features.definitions.tables) {
    await features.store.clear(table.name, range);
    const reports: IngestReport[] = [];
    let after: { time: number; id: string } | undefined;
    let done = 0;
    for (;;) {
      const page = await metadata.listFeatureEvents(table.name, {
        ...range,
        ...(after === undefined ? {} : { after }),
        limit: PAGE,
      });
      if (page.length === 0) break;
      reports.push(await features.write(table, page));
      done += page.length;
      options.onProgress?.(table.name, done);
      const last = page.at(-1)!;
      after = { time: last.time, id: last.id };
    }
    results.push(sum(table.name, 'event log', reports));
  }
  return results;
}

/** The store, the online features and the spec of a project, opened together. */
export interface OpenedOnline {
  readonly features: OnlineFeatures;
  close(): Promise<void>;
}

/**
 * Opens the online features of a project on `stores`: the spec's definitions
 * over the chosen online store.
 */
export async function openProjectOnline(
  loaded: LoadedSpec,
  stores: Stores,
  location?: string,
): Promise<OpenedOnline> {
  const store = await openOnlineStore(stores, location);
  const features = new OnlineFeatures(store, projectOnlineDefinitions(loaded));
  return { features, close: () => store.close() };
}
