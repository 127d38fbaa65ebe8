/**
 * Where the store lives. `FLYWHEEL_STORE` wins over `store:` in the spec; with
 * neither, everything goes in `<specDir>/.flywheel/` (metadata.db + artifacts/).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FlywheelError } from '../errors.js';
import { redactUrl } from './redact-url.js';

/** A resolved store location; the URL may carry a password, so print it with `describeStoreLocation`. */
export type StoreLocation =
  | { kind: 'sqlite'; path: string; artifactDir: string }
  | { kind: 'postgres'; url: string; artifactDir: string };

export interface StoreLocationInput {
  /** Directory of flywheel.yaml; relative sqlite paths resolve against it. */
  specDir: string;
  /** The spec's `store:` value, if any. */
  specStore?: string | undefined;
  /** Environment to read `FLYWHEEL_STORE` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const STORE_ENV_VAR = 'FLYWHEEL_STORE';
const DEFAULT_DIR = '.flywheel';
const VALID_FORMS =
  'valid forms: sqlite:<path> (a database file, relative to the spec directory; ' +
  'a trailing / means a directory holding metadata.db), ' +
  'postgres://user@host:5432/db, postgresql://user@host:5432/db';

/**
 * Resolves where the metadata and artifacts live.
 *
 * @example
 * resolveStoreLocation({ specDir: '/proj', env: {} });
 * // { kind: 'sqlite', path: '/proj/.flywheel/metadata.db', artifactDir: '/proj/.flywheel/artifacts' }
 * resolveStoreLocation({ specDir: '/proj', env: { FLYWHEEL_STORE: 'postgres://fw@db/fw' } });
 * // { kind: 'postgres', url: 'postgres://fw@db/fw', artifactDir: '/proj/.flywheel/artifacts' }
 */
export function resolveStoreLocation(input: StoreLocationInput): StoreLocation {
  const specDir = resolve(input.specDir);
  const env = input.env ?? process.env;
  const fromEnv = env[STORE_ENV_VAR]?.trim();
  const fromSpec = input.specStore?.trim();
  const [value, source] = fromEnv
    ? [fromEnv, STORE_ENV_VAR]
    : fromSpec
      ? [fromSpec, '`store` in the spec']
      : [undefined, ''];
  const defaultDir = join(specDir, DEFAULT_DIR);
  if (value === undefined) {
    return {
      kind: 'sqlite',
      path: join(defaultDir, 'metadata.db'),
      artifactDir: join(defaultDir, 'artifacts'),
    };
  }
  if (value.startsWith('sqlite:'))
    return sqliteLocation(value.slice('sqlite:'.length), specDir, source);
  if (/^postgres(ql)?:\/\//i.test(value)) return postgresLocation(value, defaultDir, source);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  throw new FlywheelError(
    'STORE_CONFIG',
    scheme === undefined || scheme.length === 1
      ? `${source} is not a store location`
      : `${source} has an unknown store scheme "${scheme.toLowerCase()}:"`,
    { hint: VALID_FORMS, details: { source } },
  );
}

function sqliteLocation(rest: string, specDir: string, source: string): StoreLocation {
  if (rest === '' || rest.includes('\0')) {
    throw new FlywheelError('STORE_CONFIG', `${source}: sqlite: needs a path`, {
      hint: VALID_FORMS,
    });
  }
  const target = isAbsolute(rest) ? rest : resolve(specDir, rest);
  if (rest.endsWith('/') || rest.endsWith('\\')) {
    return {
      kind: 'sqlite',
      path: join(target, 'metadata.db'),
      artifactDir: join(target, 'artifacts'),
    };
  }
  return { kind: 'sqlite', path: target, artifactDir: join(dirname(target), 'artifacts') };
}

function postgresLocation(url: string, defaultDir: string, source: string): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlywheelError('STORE_CONFIG', `${source} is not a valid PostgreSQL URL`, {
      hint: VALID_FORMS,
      details: { source },
    });
  }
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
    throw new FlywheelError('STORE_CONFIG', `${source}: ${redactUrl(url)} names no host`, {
      hint: VALID_FORMS,
    });
  }
  return { kind: 'postgres', url, artifactDir: join(defaultDir, 'artifacts') };
}

/**
 * A printable, password-free description of a location.
 *
 * @example
 * describeStoreLocation({ kind: 'postgres', url: 'postgres://a:pw@h/db', artifactDir: '/a' });
 * // 'postgres://a:***@h/db'
 */
export function describeStoreLocation(location: StoreLocation): string {
  return location.kind === 'sqlite' ? `sqlite:${location.path}` : redactUrl(location.url);
}
