/**
 * A named lock that one session at a time holds, and that the database
 * releases by itself when the holding session ends: the port leader election
 * runs on. PostgreSQL: a session-level advisory lock on a dedicated
 * connection (released when that connection closes, however the process
 * died). SQLite: an exclusive transaction held open on a lock file beside the
 * database (the operating system drops the file lock when the process exits;
 * one machine only, on a local disk).
 */
import { createHash } from 'node:crypto';
import { type RegistryWatch, watchPostgresRegistry } from './dialect/postgres-listen.js';
import { openPostgresLock, type PostgresLockOptions } from './dialect/postgres-lock.js';
import { openSqliteLock } from './dialect/sqlite-lock.js';
import type { StoreLocation } from './location.js';

export interface SessionLock {
  /** The lock's name, e.g. `flywheel:controller`. */
  readonly name: string;
  /** Where the lock lives, without secrets (for messages). */
  readonly description: string;
  /**
   * Takes the lock if nobody holds it, (re)connecting first when needed.
   * Resolves true when this session holds it (also when it already did).
   */
  tryAcquire(): Promise<boolean>;
  /** Whether this session still holds the lock (false once its connection is gone). */
  held(): Promise<boolean>;
  /** Gives the lock up and closes the session; the next tryAcquire opens a new one. */
  release(): Promise<void>;
  /** Called when the session ends on its own (the lock went with it). Returns an unsubscribe. */
  onLost(listener: (reason: unknown) => void): () => void;
}

export type SessionLockOptions = PostgresLockOptions;

/**
 * The advisory-lock key of a name: the first 63 bits of its SHA-256, so every
 * process derives the same positive bigint.
 *
 * @example
 * lockKey('flywheel:controller'); // a decimal string, e.g. '4242…'
 */
export function lockKey(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

/** A file-name-safe form of a lock name: `flywheel:controller` → `flywheel-controller`. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'lock';
}

/**
 * The lock named `name` in the store at `location`. Nothing connects until
 * the first tryAcquire.
 *
 * @example
 * const lock = openSessionLock(location, 'flywheel:controller');
 * if (await lock.tryAcquire()) console.log('leading');
 * await lock.release();
 */
export function openSessionLock(
  location: StoreLocation,
  name: string,
  options: SessionLockOptions = {},
): SessionLock {
  return location.kind === 'postgres'
    ? openPostgresLock(location.url, name, lockKey(name), options)
    : openSqliteLock(`${location.path}.${slug(name)}.lock`, name);
}

/**
 * Calls `onChange` (with the model's name, or null: refresh everything)
 * whenever an alias moves or a canary changes, from any process; undefined
 * where the store has no change notifications (SQLite: poll instead).
 *
 * @example
 * const watch = watchRegistry(stores.location, () => void host.refresh());
 */
export function watchRegistry(
  location: StoreLocation,
  onChange: (model: string | null) => void,
  options: { onError?: (err: unknown) => void } = {},
): RegistryWatch | undefined {
  if (location.kind !== 'postgres') return undefined;
  return watchPostgresRegistry(location.url, onChange, options);
}
