/**
 * The embedded online store: the events live in the metadata store's
 * `feature_events` table (SQLite by default, PostgreSQL when replicas share
 * one), and a lookup is one index range scan per entity and event table.
 * Nothing to run besides the store Flywheel already has; the same table is
 * the event log that `features materialize --from-log` replays.
 */
import type { MetadataStore } from '../store/index.js';
import type { OnlineEvent } from './event-input.js';
import type { OnlineEventTable } from './online-definitions.js';
import type { OnlineStore, StoredEvent, WriteOutcome } from './online-store.js';

export class EmbeddedOnlineStore implements OnlineStore {
  readonly kind = 'embedded';
  readonly description: string;
  readonly #metadata: MetadataStore;

  /** Uses `metadata` (not closed by close(): its owner closes it). */
  constructor(metadata: MetadataStore) {
    this.#metadata = metadata;
    this.description = `embedded (${metadata.description})`;
  }

  write(table: OnlineEventTable, events: readonly OnlineEvent[]): Promise<WriteOutcome> {
    if (events.length === 0) return Promise.resolve({ added: 0, duplicates: 0, conflicts: [] });
    return this.#metadata.writeFeatureEvents(table.name, events);
  }

  read(table: string, key: string, from: number, to: number): Promise<StoredEvent[]> {
    return this.#metadata.readFeatureEvents(table, key, from, to);
  }

  newest(): Promise<ReadonlyMap<string, number>> {
    return this.#metadata.newestFeatureEvents();
  }

  async clear(table: string, range?: { readonly from: number; readonly to: number }) {
    await this.#metadata.deleteFeatureEvents(table, range);
  }

  async close(): Promise<void> {}
}
