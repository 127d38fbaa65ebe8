/**
 * The PostgreSQL session lock: `pg_try_advisory_lock(key)` on a dedicated
 * connection (never one of the pool's, which come and go). The server holds a
 * session-level advisory lock until that connection closes, so a holder that
 * crashes, is killed or loses its network gives the lock up by itself: at
 * once when its socket closes; within `idleTimeoutMs` when it goes silent
 * (the session's idle_session_timeout, PostgreSQL 14 and later) or, before
 * 14, when the server's TCP keepalive gives up (set to about 11 s here).
 * Any failed or late query discards the connection, so a half-open one never
 * keeps the lock.
 */
import pg from 'pg';
import { redactUrl } from '../redact-url.js';
import type { SessionLock } from '../session-lock.js';

export interface PostgresLockOptions {
  /** Bound on connecting and on every query of the lock's connection (ms, default 2000). */
  readonly timeoutMs?: number;
  /**
   * A session that sends nothing for this long is ended by the server, which
   * releases the lock (ms, default 10 000; PostgreSQL 14 and later). Keep it
   * well above the interval between checks.
   */
  readonly idleTimeoutMs?: number;
}

const HELD = `SELECT EXISTS (
  SELECT 1 FROM pg_locks
  WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
    AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
) AS held`;

/**
 * @example
 * const lock = openPostgresLock('postgres://fw@db/fw', 'flywheel:controller', lockKey('flywheel:controller'));
 */
export function openPostgresLock(
  url: string,
  name: string,
  key: string,
  options: PostgresLockOptions = {},
): SessionLock {
  const timeoutMs = options.timeoutMs ?? 2000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const listeners = new Set<(reason: unknown) => void>();
  let client: pg.Client | undefined;
  let holding = false;

  /** Closes a connection without waiting on a dead network for longer than timeoutMs. */
  const discard = async (c: pg.Client) => {
    if (client === c) {
      client = undefined;
      holding = false;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      c.end().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  };

  const lost = (c: pg.Client, reason: unknown) => {
    // Our own release, or a connection already replaced: nothing was lost.
    if (client !== c) return;
    void discard(c);
    for (const listener of listeners) listener(reason);
  };

  const connect = async (): Promise<pg.Client> => {
    if (client !== undefined) return client;
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
      application_name: 'flywheel-leader-lock',
    });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the lock connection ended')));
    try {
      await c.connect();
      // Each setting on its own: an older server refuses idle_session_timeout.
      await c.query(`SET idle_session_timeout = ${Math.trunc(idleTimeoutMs)}`).catch(() => {});
      await c
        .query(
          `SELECT set_config('tcp_keepalives_idle', '5', false),
                  set_config('tcp_keepalives_interval', '2', false),
                  set_config('tcp_keepalives_count', '3', false)`,
        )
        .catch(() => {});
    } catch (err) {
      await discard(c);
      throw err;
    }
    client = c;
    return c;
  };

  /** Runs one query; any failure discards the connection (and the lock with it). */
  const query = async <R extends pg.QueryResultRow>(c: pg.Client, text: string) => {
    try {
      return await c.query<R>(text, [key]);
    } catch (err) {
      await discard(c);
      throw err;
    }
  };

  return {
    name,
    description: `advisory lock ${key} ("${name}") on ${redactUrl(url)}`,
    async tryAcquire() {
      if (holding && client !== undefined) return true;
      const c = await connect();
      const { rows } = await query<{ ok: boolean }>(
        c,
        'SELECT pg_try_advisory_lock($1::bigint) AS ok',
      );
      if (client !== c) return false;
      holding = rows[0]?.ok === true;
      return holding;
    },
    async held() {
      const c = client;
      if (!holding || c === undefined) return false;
      const { rows } = await query<{ held: boolean }>(c, HELD);
      if (rows[0]?.held !== true) {
        await discard(c);
        return false;
      }
      return client === c;
    },
    async release() {
      if (client !== undefined) await discard(client);
    },
    onLost(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
