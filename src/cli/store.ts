/**
 * Which store a CLI command uses: `--store` wins over FLYWHEEL_STORE, which
 * wins over `store:` in the spec found in the current folder (or `--spec`);
 * without any, the default `.flywheel/` beside the spec (or here).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadSpec, SPEC_FILE_NAME } from '../spec/index.js';
import { openStore, resolveStoreLocation, type Stores } from '../store/index.js';

/**
 * Opens the store for a command.
 *
 * @example
 * const stores = await openStoreForCli({ store: 'sqlite:/tmp/x.db' });
 */
export async function openStoreForCli(
  opts: { store?: string; spec?: string } = {},
): Promise<Stores> {
  const specPath = opts.spec ?? (existsSync(SPEC_FILE_NAME) ? SPEC_FILE_NAME : undefined);
  const loaded = specPath === undefined ? undefined : loadSpec(specPath);
  const env =
    opts.store === undefined ? process.env : { ...process.env, FLYWHEEL_STORE: opts.store };
  const location = resolveStoreLocation({
    specDir: loaded?.dir ?? path.resolve('.'),
    ...(loaded?.spec.store === undefined ? {} : { specStore: loaded.spec.store }),
    env,
  });
  return openStore(location);
}
