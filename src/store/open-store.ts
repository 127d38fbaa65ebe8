/**
 * Opens the stores at a resolved location: the metadata store on the right
 * engine (migrated to the current schema) and the artifact store beside it.
 */

import type { ArtifactStore } from './artifacts/artifact-store.js';
import { LocalArtifactStore } from './artifacts/local-artifact-store.js';
import { openPostgresDialect, type PostgresDialectOptions } from './dialect/postgres.js';
import { openSqliteDialect, type SqliteDialectOptions } from './dialect/sqlite.js';
import type { StoreLocation } from './location.js';
import { MetadataStore, type OpenMetadataOptions } from './metadata-store.js';

/** An opened store: metadata and artifacts, closed together. */
export interface Stores {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  /** Where they are (e.g. to open a session lock on the same database). */
  readonly location?: StoreLocation;
  close(): Promise<void>;
}

export interface OpenStoreOptions
  extends OpenMetadataOptions,
    SqliteDialectOptions,
    PostgresDialectOptions {}

/**
 * Opens (creating and migrating if needed) the store at `location`.
 *
 * @example
 * const stores = await openStore(resolveStoreLocation({ specDir: process.cwd() }));
 * try {
 *   console.log(await stores.metadata.listRuns({ limit: 5 }));
 * } finally {
 *   await stores.close();
 * }
 */
export async function openStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<Stores> {
  const dialect =
    location.kind === 'sqlite'
      ? openSqliteDialect(location.path, options)
      : openPostgresDialect(location.url, options);
  const metadata = await MetadataStore.open(dialect, options);
  const artifacts = new LocalArtifactStore(location.artifactDir);
  // Temp files of crashed writers; failing to sweep them is never fatal.
  await artifacts.removeStaleTemp().catch(() => 0);
  let closed: Promise<void> | undefined;
  return {
    metadata,
    artifacts,
    location,
    close: () => {
      closed ??= metadata.close();
      return closed;
    },
  };
}
