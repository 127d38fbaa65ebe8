/**
 * Kysely's SQLite driver with what a multi-process embedded store needs.
 * Write transactions start with `BEGIN IMMEDIATE`, so a writer takes the lock
 * up front instead of failing mid-transaction with SQLITE_BUSY_SNAPSHOT. While
 * another process holds the lock, the begin is retried from JavaScript every
 * millisecond or so (jittered, slowing down to ~25 ms) until a deadline:
 * SQLite's own busy handler would block the event loop and, polling only every
 * 100 ms, lets a busy writer starve everyone else. Other statements still wait
 * through `busy_timeout`. Also a prepared-statement cache for hot inserts.
 */
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely';

export interface BusyRetryOptions {
  /** How long a plain statement waits for a lock inside SQLite (ms). */
  readonly busyTimeoutMs: number;
  /** Give up beginning a write transaction after this long (ms). */
  readonly deadlineMs: number;
}

const STATEMENT_CACHE_SIZE = 200;
const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');
const BEGIN_DEFERRED = CompiledQuery.raw('begin deferred');

/** True for SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, …). */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #retry: BusyRetryOptions;
  readonly #noWait: Database.Statement;
  readonly #wait: Database.Statement;

  constructor(sqlite: Database.Database, database: SqliteDatabase, retry: BusyRetryOptions) {
    super({ database });
    this.#retry = retry;
    this.#noWait = sqlite.prepare('pragma busy_timeout = 0');
    this.#wait = sqlite.prepare(`pragma busy_timeout = ${Math.trunc(retry.busyTimeoutMs)}`);
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    if (settings?.accessMode === 'read only') {
      await connection.executeQuery(BEGIN_DEFERRED);
      return;
    }
    const deadline = Date.now() + this.#retry.deadlineMs;
    this.#noWait.get();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await connection.executeQuery(BEGIN_IMMEDIATE);
          return;
        } catch (err) {
          if (!isSqliteBusy(err) || Date.now() >= deadline) throw err;
          await sleep(Math.min(25, 1 + attempt / 8) * (0.5 + Math.random()));
        }
      }
    } finally {
      this.#wait.get();
    }
  }
}

/** SQLite runs DDL inside transactions, so migrations can hold the write lock. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * A Kysely dialect over one better-sqlite3 connection, with `BEGIN IMMEDIATE`
 * write transactions, busy retry and a prepared-statement cache.
 *
 * @example
 * const dialect = new ImmediateSqliteDialect(sqlite, { busyTimeoutMs: 5_000, deadlineMs: 30_000 });
 * const db = new Kysely<StoreSchema>({ dialect });
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #sqlite: Database.Database;
  readonly #database: SqliteDatabase;
  readonly #retry: BusyRetryOptions;

  constructor(sqlite: Database.Database, retry: BusyRetryOptions) {
    const database = cachingDatabase(sqlite);
    super({ database });
    this.#sqlite = sqlite;
    this.#database = database;
    this.#retry = retry;
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#sqlite, this.#database, this.#retry);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Wraps better-sqlite3 so `prepare` reuses statements by SQL text (LRU). */
function cachingDatabase(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
