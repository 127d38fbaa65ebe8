/**
 * The PostgreSQL adapter: for many nodes sharing one registry and log. A `pg`
 * pool whose type parsers normalise values to what the shared code path expects
 * (JSON as text, timestamptz as ISO strings, int8 as numbers), plus the engine's
 * capability flags.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../redact-url.js';
import type { StoreSchema } from '../schema.js';
import type { StoreCapabilities } from './capabilities.js';
import type { DbErrorKind, StoreDialect } from './store-dialect.js';

export const POSTGRES_CAPABILITIES: StoreCapabilities = Object.freeze({
  engine: 'postgres',
  supportsReturning: true,
  supportsListenNotify: true,
  supportsRowLocks: true,
  supportsConcurrentWriters: true,
  jsonType: 'jsonb',
  timestampType: 'timestamptz',
  autoIdColumn: 'bigint-identity',
  maxBindParameters: 65_535,
});

export interface PostgresDialectOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** How long to wait for a connection before failing (ms, default 10 000). */
  readonly connectTimeoutMs?: number;
}

const OID = { int8: 20, json: 114, timestamptz: 1184, jsonb: 3802 } as const;

const parseTimestamptz = pg.types.getTypeParser(OID.timestamptz, 'text') as (v: string) => Date;
const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.int8]: Number,
  [OID.json]: (v) => v,
  [OID.jsonb]: (v) => v,
  [OID.timestamptz]: (v) => parseTimestamptz(v).toISOString(),
};

const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Connects a pool to the PostgreSQL database at `url` (connections are lazy:
 * the first query reports an unreachable server).
 *
 * @example
 * const dialect = openPostgresDialect('postgres://flywheel@db.internal:5432/flywheel');
 */
export function openPostgresDialect(
  url: string,
  options: PostgresDialectOptions = {},
): StoreDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: typeParsers,
    application_name: 'flywheel',
  });
  // An idle client losing its server must not crash the process; the next
  // query reports it as STORE_UNAVAILABLE instead.
  pool.on('error', () => {});
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    capabilities: POSTGRES_CAPABILITIES,
    db,
    description: redactUrl(url),
    appendOnlyGuard: (table) => [
      `CREATE OR REPLACE FUNCTION flywheel_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$`,
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} ` +
        'FOR EACH ROW EXECUTE FUNCTION flywheel_reject_change()',
      `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} ` +
        'FOR EACH STATEMENT EXECUTE FUNCTION flywheel_reject_change()',
    ],
    classifyError: classifyPostgresError,
    integrityCheck: async () => ['ok'],
    close: () => db.destroy(),
  };
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function classifyPostgresError(err: unknown): DbErrorKind | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  if (typeof code === 'string') {
    if (code === '23505') return 'unique-violation';
    if (code === '23503') return 'foreign-key-violation';
    if (code === '25006') return 'read-only';
    if (code === '40001' || code === '40P01' || code === '55P03') return 'busy';
    // 08: connection exception; 57P0x: shutdown; 53: insufficient resources; 3D000: no database; 28: auth.
    if (/^(08|53|57P0|3D000|28)/.test(code) || UNAVAILABLE_NODE_CODES.has(code)) {
      return 'unavailable';
    }
    if (code === 'XX001' || code === 'XX002') return 'corrupt';
  }
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return 'unavailable';
  }
  return undefined;
}
