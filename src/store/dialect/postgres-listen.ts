/**
 * Registry change notifications on PostgreSQL: a dedicated connection
 * LISTENs on `flywheel_registry` (notified by migration 010's triggers on
 * every alias move and canary change) and calls back with the model's name.
 * A lost connection is reopened after a pause, and a `null` callback then
 * says "something may have changed while away": refresh everything.
 */
import pg from 'pg';
import { REGISTRY_CHANNEL } from '../migrations/010-registry-notify.js';

export interface RegistryWatch {
  close(): Promise<void>;
}

/**
 * @example
 * const watch = watchPostgresRegistry(url, (model) => host.refresh());
 * await watch.close();
 */
export function watchPostgresRegistry(
  url: string,
  onChange: (model: string | null) => void,
  options: { retryMs?: number; onError?: (err: unknown) => void } = {},
): RegistryWatch {
  const retryMs = options.retryMs ?? 1000;
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reconnectLater = () => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, retryMs);
    timer.unref();
  };

  const open = async () => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    client = c;
    const lost = (err?: unknown) => {
      if (client !== c) return;
      client = undefined;
      if (err !== undefined) options.onError?.(err);
      c.end().catch(() => {});
      reconnectLater();
    };
    c.on('error', (err) => lost(err));
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === REGISTRY_CHANNEL) onChange(n.payload ?? null);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${REGISTRY_CHANNEL}`);
      // Anything that moved while there was no listener is picked up now.
      onChange(null);
    } catch (err) {
      lost(err);
    }
  };

  void open();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
