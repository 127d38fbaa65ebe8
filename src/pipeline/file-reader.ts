/** The DuckDB reader of a file of rows (events, labels), chosen by its extension. */
import { sqlString } from '../data/index.js';
import { FlywheelError } from '../errors.js';

/**
 * `read_parquet(…)`, `read_csv(…)` or `read_json(…)` for `absolute`; `shown`
 * names the file in the error.
 *
 * @example
 * fileReaderSql('/data/labels.csv.gz', 'labels.csv.gz') // "read_csv('/data/labels.csv.gz')"
 */
export function fileReaderSql(absolute: string, shown: string): string {
  const file = absolute.replace(/\.gz$/i, '').toLowerCase();
  if (file.endsWith('.parquet') || file.endsWith('.pq')) {
    return `read_parquet(${sqlString(absolute)})`;
  }
  if (file.endsWith('.csv')) return `read_csv(${sqlString(absolute)})`;
  if (file.endsWith('.tsv')) return `read_csv(${sqlString(absolute)}, delim='\\t')`;
  if (file.endsWith('.json') || file.endsWith('.ndjson') || file.endsWith('.jsonl')) {
    return `read_json(${sqlString(absolute)})`;
  }
  throw new FlywheelError(
    'DATA_UNREADABLE',
    `cannot tell the format of ${shown} from its extension`,
    {
      hint: 'use .csv, .tsv, .parquet, .json or .ndjson (optionally .gz)',
    },
  );
}
