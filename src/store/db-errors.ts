/**
 * Turns driver errors from either engine into FlywheelErrors with stable
 * codes. Messages name the action and the store (password-free) but never echo
 * row values, which drivers like to include in constraint messages.
 */
import { FlywheelError } from '../errors.js';
import type { StoreDialect } from './dialect/store-dialect.js';

/** A short, secret-free reason: the driver's error code or first message line. */
export function describeCause(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message.split('\n')[0]?.slice(0, 200) : '';
  return message || (typeof code === 'string' ? code : 'unknown error');
}

/**
 * Maps `err`, thrown while doing `action` on `dialect`'s database, to a FlywheelError.
 *
 * @example
 * try { … } catch (err) { throw translateDbError(err, dialect, 'log predictions'); }
 */
export function translateDbError(
  err: unknown,
  dialect: StoreDialect,
  action: string,
): FlywheelError {
  if (err instanceof FlywheelError) return err;
  const where = dialect.description;
  switch (dialect.classifyError(err)) {
    case 'unique-violation':
      return new FlywheelError('CONFLICT', `${action}: a record with the same id already exists`, {
        cause: err,
      });
    case 'foreign-key-violation':
      return new FlywheelError('NOT_FOUND', `${action}: the record it refers to does not exist`, {
        cause: err,
      });
    case 'busy':
      return new FlywheelError(
        'STORE_UNAVAILABLE',
        `${action}: the metadata store at ${where} stayed locked by another writer`,
        { cause: err, hint: 'retry; if it persists, find the process holding the write lock' },
      );
    case 'read-only':
      return new FlywheelError('STORE_UNAVAILABLE', `${action}: ${where} is read-only`, {
        cause: err,
      });
    case 'corrupt':
      return new FlywheelError('STORE_UNAVAILABLE', `${action}: ${where} is corrupt`, {
        cause: err,
        hint: 'restore the metadata store from a backup',
      });
    case 'unavailable':
      return new FlywheelError(
        'STORE_UNAVAILABLE',
        `${action}: cannot reach the metadata store at ${where}: ${describeCause(err)}`,
        { cause: err },
      );
    default:
      return new FlywheelError('INTERNAL', `${action}: unexpected metadata store error`, {
        cause: err,
      });
  }
}
