/**
 * Which store a CLI command uses: the spec found in the current folder (or
 * `--spec`), if any, and `--store`; the precedence lives in the pipeline.
 */
import { existsSync } from 'node:fs';
import { openProjectStore } from '../pipeline/index.js';
import { loadSpec, SPEC_FILE_NAME } from '../spec/index.js';
import type { Stores } from '../store/index.js';

/**
 * Opens the store for a command.
 *
 * @example
 * const stores = await openStoreForCli({ store: 'sqlite:/tmp/x.db' });
 */
export function openStoreForCli(opts: { store?: string; spec?: string } = {}): Promise<Stores> {
  const specPath = opts.spec ?? (existsSync(SPEC_FILE_NAME) ? SPEC_FILE_NAME : undefined);
  return openProjectStore(specPath === undefined ? undefined : loadSpec(specPath), opts.store);
}
