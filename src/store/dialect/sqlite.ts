/**
 * The SQLite adapter: the embedded default. One better-sqlite3 connection per
 * process, WAL journal, `synchronous=FULL` (a commit that returned survives a
 * power cut), a busy timeout so concurrent processes queue for the write lock,
 * and the engine's capability flags.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { FlywheelError } from '../../errors.js';
import type { StoreSchema } from '../schema.js';
import type { StoreCapabilities } from './capabilities.js';
import { ImmediateSqliteDialect, isSqliteBusy } from './sqlite-driver.js';
import type { DbErrorKind, StoreDialect } from './store-dialect.js';

export const SQLITE_CAPABILITIES: StoreCapabilities = Object.freeze({
  engine: 'sqlite',
  supportsReturning: true,
  supportsListenNotify: false,
  supportsRowLocks: false,
  supportsConcurrentWriters: false,
  jsonType: 'text',
  timestampType: 'text',
  autoIdColumn: 'integer-autoincrement',
  maxBindParameters: 32_766,
});

export interface SqliteDialectOptions {
  /** How long one statement waits for another process's write lock (ms). */
  readonly busyTimeoutMs?: number;
  /** How long a transaction keeps retrying to begin while the database is busy (ms). */
  readonly beginDeadlineMs?: number;
}

/**
 * Opens (creating if needed) the SQLite database file at `path`.
 *
 * @example
 * const dialect = openSqliteDialect('/project/.flywheel/metadata.db');
 */
export function openSqliteDialect(path: string, options: SqliteDialectOptions = {}): StoreDialect {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  let sqlite: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    sqlite = new Database(path, { timeout: busyTimeoutMs });
    sqlite.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, expected wal`);
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    throw new FlywheelError('STORE_UNAVAILABLE', `cannot open SQLite store at ${path}`, {
      cause: err,
      details: { path, reason: errorCode(err) },
      hint: 'check that the directory exists, is writable, and is on a local disk (not NFS)',
    });
  }
  const db = new Kysely<StoreSchema>({
    dialect: new ImmediateSqliteDialect(sqlite, {
      busyTimeoutMs,
      deadlineMs: options.beginDeadlineMs ?? 30_000,
    }),
  });
  return {
    capabilities: SQLITE_CAPABILITIES,
    db,
    description: `sqlite:${path}`,
    appendOnlyGuard: (table) =>
      ['UPDATE', 'DELETE'].map(
        (op) =>
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
          `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
      ),
    classifyError: classifySqliteError,
    integrityCheck: async () =>
      (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map(
        (row) => row.integrity_check,
      ),
    close: () => db.destroy(),
  };
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

function classifySqliteError(err: unknown): DbErrorKind | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return 'unique-violation';
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key-violation';
  if (isSqliteBusy(err) || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'corrupt';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) return 'unavailable';
  return undefined;
}
