/**
 * The SQLite session lock: `BEGIN EXCLUSIVE` held open on a small lock file
 * beside the store (never the store's own database, whose writers it would
 * block). SQLite takes it with a POSIX file lock, which the operating system
 * releases when the holding process exits, even on SIGKILL. Other connections,
 * in this process or another, get SQLITE_BUSY at once. Local disks only: file
 * locks over NFS are not to be trusted (the store says the same).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionLock } from '../session-lock.js';
import { isSqliteBusy } from './sqlite-driver.js';

/**
 * @example
 * const lock = openSqliteLock('/proj/.flywheel/metadata.db.flywheel-controller.lock', 'flywheel:controller');
 */
export function openSqliteLock(path: string, name: string): SessionLock {
  let db: Database.Database | undefined;
  const close = () => {
    const open = db;
    db = undefined;
    if (open?.inTransaction) open.exec('ROLLBACK');
    open?.close();
  };
  return {
    name,
    description: `lock file ${path}`,
    async tryAcquire() {
      if (db?.inTransaction) return true;
      if (db === undefined) {
        mkdirSync(dirname(path), { recursive: true });
        db = new Database(path, { timeout: 0 });
      }
      try {
        db.exec('BEGIN EXCLUSIVE');
        return true;
      } catch (err) {
        if (isSqliteBusy(err)) return false;
        close();
        throw err;
      }
    },
    async held() {
      return db?.inTransaction === true;
    },
    async release() {
      close();
    },
    // A local file lock is not lost while the process lives.
    onLost: () => () => {},
  };
}
