/**
 * `leakage.future_timestamp` (block): a timestamp feature lies after the row's
 * event time, so it was recorded after the prediction would be made.
 */
import type { Finding } from '../findings.js';
import { type SqlRunner, sqlIdent } from '../sql.js';
import type { LeakageInput } from './leakage.js';
import { EXAMPLES, type Feature, num, percent, ROWS, round } from './leakage-rows.js';

/** A timestamp feature after the event time in more than this share of rows blocks. */
const FUTURE_SHARE_MAX = 0.01;

/**
 * A timestamp later than the event time. When the event time is a bare date
 * (midnight), a value later on the same day is not counted: the event's hour
 * is unknown, so it may well precede the value.
 */
function afterSql(f: Feature): string {
  const x = sqlIdent(f.name);
  return `(${x} > __event_time AND NOT (__event_time = date_trunc('day', __event_time) AND CAST(${x} AS DATE) = CAST(__event_time AS DATE)))`;
}

export async function futureTimestamps(runner: SqlRunner, input: LeakageInput): Promise<Finding[]> {
  const stamps = input.features.filter((f) => f.type === 'timestamp');
  if (stamps.length === 0 || !input.hasEventTime) return [];
  const selects = stamps.map((f, i) => {
    const x = sqlIdent(f.name);
    return [
      `count(*) FILTER (WHERE ${x} IS NOT NULL AND __event_time IS NOT NULL) AS c${i}`,
      `count(*) FILTER (WHERE ${afterSql(f)}) AS a${i}`,
      `median(epoch_ms(${x}) - epoch_ms(__event_time)) FILTER (WHERE ${afterSql(f)}) AS l${i}`,
    ].join(', ');
  });
  const row = (await runner.rows(`SELECT ${selects.join(', ')} FROM ${ROWS}`))[0] ?? {};
  const findings: Finding[] = [];
  for (const [i, f] of stamps.entries()) {
    const compared = num(row[`c${i}`]);
    const after = num(row[`a${i}`]);
    if (!(compared > 0)) continue;
    const share = after / compared;
    if (!(share > FUTURE_SHARE_MAX)) continue;
    const x = sqlIdent(f.name);
    const examples = await runner.rows(
      `SELECT __leak_row AS row, CAST(${x} AS VARCHAR) AS value, CAST(__event_time AS VARCHAR) AS event_time
       FROM ${ROWS} WHERE ${afterSql(f)} ORDER BY __leak_row LIMIT ${EXAMPLES}`,
    );
    const leadHours = num(row[`l${i}`]) / 3_600_000;
    findings.push({
      check: 'leakage.future_timestamp',
      column: f.name,
      severity: 'block',
      message: `timestamp feature "${f.name}" is later than the row's event time in ${percent(share)} of rows (${after} of ${compared}; median lead ${leadHours.toFixed(1)} h): it was recorded after the prediction would be made`,
      evidence: {
        share: round(share),
        rows: after,
        compared,
        medianLeadHours: round(leadHours, 2),
        examples: examples.map((e) => ({
          row: num(e['row']),
          value: e['value'],
          eventTime: e['event_time'],
        })),
      },
    });
  }
  return findings;
}
