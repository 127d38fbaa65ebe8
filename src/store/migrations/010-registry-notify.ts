/**
 * Migration 010: on PostgreSQL, every alias move and canary change notifies
 * channel `flywheel_registry` (payload: the model's name) from a trigger, so
 * any writer (the API, the CLI, the canary controller) wakes every replica
 * listening, and a deployment reaches them without waiting for a poll.
 * SQLite (one machine) has no LISTEN/NOTIFY: nothing changes there.
 * Released migrations never change.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';

/** The channel replicas LISTEN on. */
export const REGISTRY_CHANNEL = 'flywheel_registry';

export function registryNotify(caps: StoreCapabilities): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      if (!caps.supportsListenNotify) return;
      await sql`
        create function flywheel_registry_notify() returns trigger language plpgsql as $$
        begin
          perform pg_notify('flywheel_registry', coalesce(new.name, old.name));
          return null;
        end $$`.execute(db);
      await sql`
        create trigger alias_moves_notify after insert on alias_moves
        for each row execute function flywheel_registry_notify()`.execute(db);
      await sql`
        create trigger canaries_notify after insert or update or delete on canaries
        for each row execute function flywheel_registry_notify()`.execute(db);
    },
  };
}
