/**
 * The PII scan: which columns of a dataset hold personal data. Text columns
 * are sampled and every sampled value is tried against the validators (a
 * value counts only when it matches a kind's pattern *and* passes its check);
 * 64-bit and wider integer columns are tried as card numbers only; every
 * column's name is matched against known names (a weaker, name-only signal).
 * Examples are reported masked, never raw.
 */
import { FlywheelError } from '../errors.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import { maskUnrecognised, maskValue } from './mask.js';
import { nameKind, type PiiKind, valueKind } from './pii-kinds.js';
import { isCardNumber } from './validators.js';

/**
 * A column is PII by its values when at least this share of its sampled
 * values, or of the distinct values among them, pass a validator.
 */
export const PII_MATCH_THRESHOLD = 0.5;

/** Below the threshold, a share at least this large is reported as a partial match. */
export const PII_PARTIAL_MIN = 0.05;

/** Examples reported per column (masked). */
const MAX_EXAMPLES = 3;

const TEXT_TYPE = /^(VARCHAR|ENUM\(.*)$/;
const NUMBER_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TIME_TYPE = /^(DATE|TIME.*)$/;
/** Kinds a number can hold; `email_count` or `address_id` are no e-mails or addresses. */
const NUMBER_KINDS: readonly PiiKind[] = [
  'phone',
  'card_number',
  'ssn',
  'postcode',
  'national_id',
  'date_of_birth',
];
/** Integer types wide enough to hold a 13–19 digit card number. */
const WIDE_INTEGER_TYPE = /^(BIGINT|UBIGINT|HUGEINT|UHUGEINT|DECIMAL\((1[3-9]|[2-3]\d),0\))$/;

export interface PiiScanColumn {
  name: string;
  /** DuckDB type name, as `DESCRIBE` reports it. */
  type: string;
}

export interface PiiScanOptions {
  /** Non-missing values sampled per column. */
  sampleRows: number;
  /** Share of validated values that makes a column PII; default PII_MATCH_THRESHOLD. */
  threshold?: number;
}

/** How a kind was found: by values passing a validator, or by the column name. */
export type PiiDetection = 'value' | 'name';

/** What the scan found in one column. */
export interface PiiMatch {
  column: string;
  /** Kinds found, the values' kinds first (most frequent first), then the name's. */
  kinds: PiiKind[];
  detectedBy: PiiDetection[];
  /** `high`: values validated above the threshold; `low`: the name alone, or a partial match. */
  confidence: 'high' | 'low';
  /** Whether the column counts as personal data (and needs a policy). */
  isPii: boolean;
  /** Non-missing values sampled (0 for columns scanned by name only). */
  sampled: number;
  /** Share of the sampled values that passed a validator. */
  matchRate: number;
  /** Share of the distinct sampled values that passed a validator. */
  distinctMatchRate: number;
  /** Up to three sampled values, masked. */
  examples: string[];
}

/**
 * Scans `columns` of `view` for personal data. Returns one match per column
 * that is PII or holds some validated values; clean columns are left out.
 *
 * The sample of a column is the `sampleRows` non-missing values with the
 * smallest DuckDB `hash()`: the same sample on every run, whatever the thread
 * count or row order, in a single pass over the data for all columns.
 *
 * @example
 * const matches = await scanPii(session, 'customers', await session.describe('customers'), {
 *   sampleRows: 10_000,
 * });
 * // [{ column: 'email', kinds: ['email'], matchRate: 1, examples: ['j***@e***.com'], ... }]
 */
export async function scanPii(
  runner: SqlRunner,
  view: string,
  columns: readonly PiiScanColumn[],
  options: PiiScanOptions,
): Promise<PiiMatch[]> {
  const n = options.sampleRows;
  if (!Number.isInteger(n) || n < 1) {
    throw new FlywheelError('USAGE', `sampleRows must be a positive integer, got ${n}`);
  }
  const threshold = options.threshold ?? PII_MATCH_THRESHOLD;
  const scanned = columns.filter((c) => TEXT_TYPE.test(c.type) || WIDE_INTEGER_TYPE.test(c.type));
  const samples = await sampleValues(runner, view, scanned, n);

  const matches: PiiMatch[] = [];
  for (const column of columns) {
    const byName = nameKindFor(column);
    const values = samples.get(column.name) ?? [];
    const textual = TEXT_TYPE.test(column.type);
    const match = judgeColumn(column.name, values, textual, byName, threshold);
    if (match !== undefined) matches.push(match);
  }
  return matches;
}

/** The kind a column's name suggests, if a column of its type can hold that kind. */
function nameKindFor(column: PiiScanColumn): PiiKind | undefined {
  const kind = nameKind(column.name);
  if (kind === undefined || column.type === 'BOOLEAN') return undefined;
  if (NUMBER_TYPE.test(column.type)) return NUMBER_KINDS.includes(kind) ? kind : undefined;
  if (TIME_TYPE.test(column.type)) return kind === 'date_of_birth' ? kind : undefined;
  return kind;
}

async function sampleValues(
  runner: SqlRunner,
  view: string,
  columns: readonly PiiScanColumn[],
  n: number,
): Promise<Map<string, string[]>> {
  const samples = new Map<string, string[]>();
  if (columns.length === 0) return samples;
  const inner = columns.map(
    (c, i) => `NULLIF(TRIM(CAST(${sqlIdent(c.name)} AS VARCHAR)), '') AS v${i}`,
  );
  const outer = columns.map(
    (_, i) => `min_by(v${i}, hash(v${i}), ${n}) FILTER (WHERE v${i} IS NOT NULL) AS s${i}`,
  );
  const [row] = await runner.rows(
    `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${sqlIdent(view)})`,
  );
  columns.forEach((c, i) => {
    const list = row?.[`s${i}`];
    // Sorted: min_by's list order varies between runs, its contents do not.
    samples.set(c.name, Array.isArray(list) ? list.map(String).sort() : []);
  });
  return samples;
}

function judgeColumn(
  column: string,
  values: readonly string[],
  textual: boolean,
  byName: PiiKind | undefined,
  threshold: number,
): PiiMatch | undefined {
  const counts = new Map<PiiKind, number>();
  const distinct = new Map<string, PiiKind | undefined>();
  let matched = 0;
  for (const value of values) {
    let kind = distinct.get(value);
    if (!distinct.has(value)) {
      // Integer columns can only hold card numbers; a bare number is no phone.
      kind = textual ? valueKind(value) : isCardNumber(value) ? 'card_number' : undefined;
      distinct.set(value, kind);
    }
    if (kind === undefined) continue;
    matched++;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  let distinctMatched = 0;
  for (const kind of distinct.values()) if (kind !== undefined) distinctMatched++;
  const matchRate = values.length === 0 ? 0 : matched / values.length;
  const distinctMatchRate = distinct.size === 0 ? 0 : distinctMatched / distinct.size;
  const best = Math.max(matchRate, distinctMatchRate);
  const byValue = best >= threshold;
  const partial = !byValue && best >= PII_PARTIAL_MIN && matched > 0;
  if (!byValue && !partial && byName === undefined) return undefined;

  // Kinds that make up at least a tenth of the validated values, most frequent first.
  const valueKinds =
    byValue || partial
      ? [...counts.entries()]
          .filter(([, count]) => count >= 0.1 * matched)
          .sort((a, b) => b[1] - a[1])
          .map(([kind]) => kind)
      : [];
  const kinds =
    byName === undefined || valueKinds.includes(byName) ? valueKinds : [...valueKinds, byName];
  const detectedBy: PiiDetection[] = [];
  if (valueKinds.length > 0) detectedBy.push('value');
  if (byName !== undefined) detectedBy.push('name');
  return {
    column,
    kinds,
    detectedBy,
    confidence: byValue ? 'high' : 'low',
    isPii: byValue || byName !== undefined,
    sampled: values.length,
    matchRate,
    distinctMatchRate,
    examples: examples(distinct, valueKinds),
  };
}

/**
 * Up to MAX_EXAMPLES masked values, spread evenly over the (sorted) distinct
 * sample: validated ones when there are, else any.
 */
function examples(
  distinct: ReadonlyMap<string, PiiKind | undefined>,
  valueKinds: readonly PiiKind[],
): string[] {
  const candidates = [...distinct].filter(
    ([, kind]) => valueKinds.length === 0 || (kind !== undefined && valueKinds.includes(kind)),
  );
  const out = new Set<string>();
  const step = Math.max(1, candidates.length / MAX_EXAMPLES);
  for (let i = 0; i < candidates.length && out.size < MAX_EXAMPLES; i += step) {
    const [value, kind] = candidates[Math.floor(i)]!;
    out.add(kind === undefined ? maskUnrecognised(value) : maskValue(kind, value));
  }
  return [...out];
}
