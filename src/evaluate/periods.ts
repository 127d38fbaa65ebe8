/**
 * Calendar buckets for capacities counted per day, week or month: UTC days,
 * ISO weeks (Monday to Sunday) and calendar months of epoch-millisecond event
 * times, as dense period ids.
 */
import { FlywheelError } from '../errors.js';
import type { Period } from './metric-types.js';

const DAY_MS = 86_400_000;

/**
 * Month index (year·12 + month − 1) of a day count since 1970-01-01 (Hinnant's
 * civil_from_days).
 */
function monthOfDay(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/** The raw bucket number of one event time. */
function bucketOf(ms: number, per: Exclude<Period, 'batch'>): number {
  const day = Math.floor(ms / DAY_MS);
  if (per === 'day') return day;
  if (per === 'week') return Math.floor((day + 3) / 7); // 1970-01-01 was a Thursday
  return monthOfDay(day);
}

/**
 * A dense period id per row (0, 1, … in order of first appearance), and how
 * many periods there are. `batch` puts every row in period 0.
 *
 * @example
 * const day = 86_400_000;
 * periodIds(Float64Array.of(0, day / 2, day), 'day'); // { ids: Int32Array [0, 0, 1], count: 2 }
 */
export function periodIds(
  eventTime: Float64Array | undefined,
  per: Period,
  rows: number,
): { ids: Int32Array; count: number } {
  const ids = new Int32Array(rows);
  if (per === 'batch') return { ids, count: rows > 0 ? 1 : 0 };
  if (eventTime === undefined) {
    throw new FlywheelError(
      'USAGE',
      `a capacity counted per ${per} needs the event time of every evaluated row`,
      { hint: 'declare event_time in flywheel.yaml, or count the capacity per batch' },
    );
  }
  if (eventTime.length !== rows) {
    throw new FlywheelError(
      'USAGE',
      `event times have ${eventTime.length} values for ${rows} predictions`,
    );
  }
  const dense = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const t = eventTime[i]!;
    if (!Number.isFinite(t)) {
      throw new FlywheelError(
        'DATA_UNREADABLE',
        `row ${i} has no event time, so its ${per} (for the capacity) is unknown`,
      );
    }
    const bucket = bucketOf(t, per);
    let id = dense.get(bucket);
    if (id === undefined) {
      id = dense.size;
      dense.set(bucket, id);
    }
    ids[i] = id;
  }
  return { ids, count: dense.size };
}
