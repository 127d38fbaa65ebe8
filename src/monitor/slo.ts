/**
 * The error budget and its burn rates, from requests and failures per
 * minute. A burn rate is the window's error rate over the rate the objective
 * allows (1 − objective): 1 spends the budget exactly over the period. As in
 * the SRE workbook, a burn alert fires only when a long and a short window
 * both exceed its factor: the long one proves it matters, the short one that
 * it is still happening (so it resolves soon after the cause stops).
 */
import { parseDuration } from '../features/index.js';
import type { BurnRate, MonitorSettings, SloStatus } from './types.js';

export interface MinuteCounts {
  /** The minute's start (ISO). */
  readonly minute: string;
  readonly requests: number;
  readonly errors: number;
}

function rateSince(minutes: readonly MinuteCounts[], since: number): number {
  let requests = 0;
  let errors = 0;
  for (const m of minutes) {
    if (Date.parse(m.minute) < since) continue;
    requests += m.requests;
    errors += m.errors;
  }
  return requests === 0 ? 0 : errors / requests;
}

/** The longest span the settings look back over (the period, or a longer burn window). */
export function sloLookbackMs(settings: MonitorSettings): number {
  const rules = settings.rules.error_budget;
  return Math.max(parseDuration(rules.period), ...rules.windows.map((w) => parseDuration(w.long)));
}

/**
 * The error budget at `now` from the minutes of the lookback span.
 *
 * @example
 * sloStatus(settings, minutes, Date.now()).burnRates[0] // { long: '1h', short: '5m', factor: 14.4, … }
 */
export function sloStatus(
  settings: MonitorSettings,
  minutes: readonly MinuteCounts[],
  now: number,
): SloStatus {
  const rules = settings.rules.error_budget;
  const allowed = 1 - rules.objective;
  const burnRates: BurnRate[] = rules.windows.map((w) => {
    const longRate = rateSince(minutes, now - parseDuration(w.long)) / allowed;
    const shortRate = rateSince(minutes, now - parseDuration(w.short)) / allowed;
    return {
      long: w.long,
      short: w.short,
      factor: w.factor,
      longRate,
      shortRate,
      firing: longRate > w.factor && shortRate > w.factor,
      severity: w.severity,
    };
  });
  const period = parseDuration(rules.period);
  const requests = minutes
    .filter((m) => Date.parse(m.minute) >= now - period)
    .reduce((s, m) => s + m.requests, 0);
  const budgetRemaining = requests === 0 ? null : 1 - rateSince(minutes, now - period) / allowed;
  return { objective: rules.objective, budgetRemaining, burnRates };
}
