/**
 * Applying governance in SQL: the SELECT that turns a dataset into what may
 * enter a snapshot. `drop` removes a column, `hash` replaces it by a salted
 * SHA-256, consent keeps only rows whose consent column is true, and
 * retention keeps only rows newer than `now - retention_days` by event time.
 *
 * The salt never appears in SQL text (DuckDB quotes a query in its error
 * messages): it is set once as a DuckDB variable and read with `getvariable`.
 */
import { FlywheelError } from '../errors.js';
import { type SqlRunner, sqlIdent, sqlString } from '../sql.js';
import type { PiiScanColumn } from './pii-scan.js';
import { type Governance, policyOf, validateGovernance } from './policy.js';

/** The DuckDB variable holding the salt while governed views are read. */
export const SALT_VARIABLE = 'flywheel_pii_salt';

/** Text values of a consent column that count as consent (compared trimmed, in lower case). */
export const CONSENT_TEXT = ['true', 't', 'yes', 'y', '1'] as const;

/**
 * Whether one value of a consent column gives consent, by the same rule the
 * governed views apply in SQL (`consentCondition`): true, 1, or a text in
 * CONSENT_TEXT; anything else, and a missing value, does not.
 *
 * @example
 * givesConsent(' Yes '); // true
 */
export function givesConsent(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') {
    return (CONSENT_TEXT as readonly string[]).includes(value.trim().toLowerCase());
  }
  return false;
}

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TEXT_TYPE = /^(VARCHAR|ENUM\(.*)$/;
const TIME_TYPE = /^(DATE|TIMESTAMP.*)$/;

export interface GovernedSelectOptions {
  /** The view or table to read. */
  input: string;
  /** Its columns, as `DESCRIBE` reports them. */
  columns: readonly PiiScanColumn[];
  governance: Governance;
  /** The spec's `event_time` column; needed with `retention_days`. */
  eventTime?: string;
  /** The instant retention counts back from. */
  now: Date;
}

/** The governed SELECT and what it does, for reports and the audit log. */
export interface GovernedSelect {
  input: string;
  /** `SELECT … FROM input WHERE …`; hashed columns read the salt from SALT_VARIABLE. */
  sql: string;
  /** Columns in the input but not in the output. */
  dropped: string[];
  /** Columns whose values are replaced by their salted hash. */
  hashed: string[];
  /** Row conditions applied (SQL), consent first. */
  filters: string[];
  /** The consent condition (true means the row may be used), when consent is declared. */
  consentFilter: string | undefined;
  /** The retention condition, when retention is declared. */
  retentionFilter: string | undefined;
  /** Rows with an event time before this instant (ISO-8601 UTC) are excluded. */
  retentionCutoff: string | undefined;
}

/** Rows of the input, and how many each rule excluded (a row may fail both). */
export interface GovernanceCounts {
  total: number;
  kept: number;
  withoutConsent: number;
  pastRetention: number;
}

function columnOf(columns: readonly PiiScanColumn[], name: string): PiiScanColumn {
  const column = columns.find((c) => c.name === name);
  if (column === undefined) throw new Error(`unknown column ${name}`);
  return column;
}

/**
 * Consent is given when the column is TRUE (BOOLEAN), equals 1 (numbers), or
 * reads true / t / yes / y / 1 in any case (text). false, 0, anything else,
 * and a missing value all mean no consent.
 */
function consentCondition(column: PiiScanColumn): string {
  const ref = sqlIdent(column.name);
  if (column.type === 'BOOLEAN') return `${ref} IS TRUE`;
  if (NUMERIC_TYPE.test(column.type)) return `coalesce(${ref} = 1, false)`;
  if (TEXT_TYPE.test(column.type)) {
    const accepted = CONSENT_TEXT.map(sqlString).join(', ');
    return `coalesce(lower(trim(CAST(${ref} AS VARCHAR))) IN (${accepted}), false)`;
  }
  throw new FlywheelError(
    'SPEC_INVALID',
    `governance.consent: column "${column.name}" is ${column.type}; a consent column holds true/false, 1/0 or yes/no`,
    { details: { field: 'governance.consent' } },
  );
}

/** Rows with a missing or unreadable event time cannot be shown to be recent: excluded. */
function retentionCondition(column: PiiScanColumn, cutoff: Date): string {
  const ref = sqlIdent(column.name);
  let time: string;
  if (column.type === 'TIMESTAMP WITH TIME ZONE') time = `timezone('UTC', ${ref})`;
  else if (TIME_TYPE.test(column.type)) time = `CAST(${ref} AS TIMESTAMP)`;
  else if (TEXT_TYPE.test(column.type)) time = `TRY_CAST(${ref} AS TIMESTAMP)`;
  else {
    throw new FlywheelError(
      'SPEC_INVALID',
      `governance.retention_days: event_time column "${column.name}" is ${column.type}, not a date or timestamp`,
      { details: { field: 'governance.retention_days' } },
    );
  }
  const literal = cutoff.toISOString().replace('T', ' ').replace('Z', '');
  return `coalesce(${time} >= TIMESTAMP ${sqlString(literal)}, false)`;
}

function hashExpression(column: string): string {
  const salt = `getvariable(${sqlString(SALT_VARIABLE)})`;
  const value = `NULLIF(CAST(${sqlIdent(column)} AS VARCHAR), '')`;
  // Failing loudly beats hashing everything to NULL when the salt was never set.
  return `CASE WHEN ${salt} IS NULL THEN error('governance salt is not set') ELSE sha256(${salt} || ${value}) END`;
}

/**
 * The SELECT that applies `governance` to `input`. Validates the section
 * against the columns first (SPEC_INVALID for a policy on a missing column,
 * `hash` without a salt, a missing consent column, retention without an event
 * time). A hashed value is the hex SHA-256 of salt || value (the value as
 * DuckDB text); missing and empty values stay missing.
 *
 * @example
 * const plan = governedSelect({ input: 'raw', columns, governance: spec.governance,
 *   eventTime: spec.event_time, now: new Date() });
 * plan.dropped; // ['card_number']
 */
export function governedSelect(options: GovernedSelectOptions): GovernedSelect {
  const { input, columns, governance, eventTime, now } = options;
  const names = columns.map((c) => c.name);
  validateGovernance(governance, names, eventTime);
  const dropped: string[] = [];
  const hashed: string[] = [];
  const select: string[] = [];
  for (const { name } of columns) {
    const policy = policyOf(governance, name)?.policy;
    if (policy === 'drop') dropped.push(name);
    else if (policy === 'hash') {
      hashed.push(name);
      select.push(`${hashExpression(name)} AS ${sqlIdent(name)}`);
    } else select.push(sqlIdent(name));
  }
  if (select.length === 0) {
    throw new FlywheelError(
      'SPEC_INVALID',
      'governance.pii: every column is dropped; nothing is left to train on',
      {
        details: { field: 'governance.pii' },
      },
    );
  }
  const consent = governance?.consent;
  const consentFilter =
    consent === undefined ? undefined : consentCondition(columnOf(columns, consent));
  const days = governance?.retention_days;
  const cutoff = days === undefined ? undefined : new Date(now.getTime() - days * 86_400_000);
  const retentionFilter =
    cutoff === undefined || eventTime === undefined
      ? undefined
      : retentionCondition(columnOf(columns, eventTime), cutoff);
  const filters = [consentFilter, retentionFilter].filter((f): f is string => f !== undefined);
  const where = filters.length === 0 ? '' : ` WHERE ${filters.join(' AND ')}`;
  return {
    input,
    sql: `SELECT ${select.join(', ')} FROM ${sqlIdent(input)}${where}`,
    dropped,
    hashed,
    filters,
    consentFilter,
    retentionFilter,
    retentionCutoff: cutoff?.toISOString(),
  };
}

/**
 * Counts the input's rows and those each rule excludes, for the report and
 * the audit log.
 *
 * @example
 * const counts = await countGovernanceExclusions(session, plan);
 * // { total: 5000, kept: 3905, withoutConsent: 740, pastRetention: 412 }
 */
export async function countGovernanceExclusions(
  runner: SqlRunner,
  plan: GovernedSelect,
): Promise<GovernanceCounts> {
  const count = (condition: string | undefined) =>
    condition === undefined ? '0' : `count(*) FILTER (WHERE NOT (${condition}))`;
  const kept =
    plan.filters.length === 0
      ? 'count(*)'
      : `count(*) FILTER (WHERE ${plan.filters.join(' AND ')})`;
  const [row] = await runner.rows(
    `SELECT count(*) AS total, ${kept} AS kept, ${count(plan.consentFilter)} AS without_consent, ` +
      `${count(plan.retentionFilter)} AS past_retention FROM ${sqlIdent(plan.input)}`,
  );
  return {
    total: Number(row?.['total'] ?? 0),
    kept: Number(row?.['kept'] ?? 0),
    withoutConsent: Number(row?.['without_consent'] ?? 0),
    pastRetention: Number(row?.['past_retention'] ?? 0),
  };
}

/** A governed view as created, with the rows each rule excluded. */
export interface GovernedView extends GovernedSelect {
  output: string;
  counts: GovernanceCounts;
}

/**
 * Creates `CREATE OR REPLACE TEMP VIEW <output>` applying `governance` to
 * `input`, sets the salt variable when a column is hashed, and counts the
 * rows each rule excluded.
 *
 * @example
 * const view = await createGovernedView(session, { input: 'raw', output: 'governed', columns,
 *   governance: spec.governance, eventTime: spec.event_time, now: new Date() });
 * view.counts.withoutConsent; // rows left out for lack of consent
 */
export async function createGovernedView(
  runner: SqlRunner,
  options: GovernedSelectOptions & { output: string },
): Promise<GovernedView> {
  const plan = governedSelect(options);
  const salt = options.governance?.salt;
  if (plan.hashed.length > 0 && salt !== undefined) {
    await runner.run(`SET VARIABLE ${SALT_VARIABLE} = ${sqlString(salt)}`);
  }
  await runner.run(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(options.output)} AS ${plan.sql}`);
  const counts = await countGovernanceExclusions(runner, plan);
  return { ...plan, output: options.output, counts };
}
