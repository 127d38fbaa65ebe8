/**
 * UTC calendar fields of epoch-millisecond timestamps, computed with integer
 * arithmetic over whole arrays: no Date object per row. NaN (missing) in,
 * NaN out.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

export type CalendarField = 'minute' | 'hour' | 'day_of_week' | 'day_of_month' | 'month' | 'year';

/**
 * `field` of every timestamp in `ms`. day_of_week is 0 = Monday … 6 = Sunday.
 *
 * @example
 * calendarField(new Float64Array([Date.UTC(2024, 0, 1, 17)]), 'day_of_week'); // [0] (a Monday)
 */
export function calendarField(ms: Float64Array, field: CalendarField): Float64Array {
  const out = new Float64Array(ms.length);
  for (let i = 0; i < ms.length; i++) out[i] = calendarValue(ms[i]!, field);
  return out;
}

/** `field` of one timestamp. */
export function calendarValue(ms: number, field: CalendarField): number {
  if (Number.isNaN(ms)) return Number.NaN;
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  switch (field) {
    case 'minute':
      return Math.floor(msOfDay / MS_PER_MINUTE) % 60;
    case 'hour':
      return Math.floor(msOfDay / MS_PER_HOUR);
    case 'day_of_week':
      // 1970-01-01 was a Thursday, day 3 when Monday is 0.
      return (((days + 3) % 7) + 7) % 7;
    case 'day_of_month':
    case 'month':
    case 'year':
      return civilFromDays(days, field);
  }
}

/**
 * Proleptic Gregorian date of a day count since 1970-01-01, after Howard
 * Hinnant's `civil_from_days` (https://howardhinnant.github.io/date_algorithms.html):
 * shift to eras of 400 years starting on 0000-03-01, so leap days fall at
 * the end of each year of the era.
 */
function civilFromDays(days: number, field: 'day_of_month' | 'month' | 'year'): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  if (field === 'month') return month;
  if (field === 'day_of_month') return dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  return yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
}
