import { describe, expect, it } from 'vitest';
import { monitorSettings } from '../spec/index.js';
import { sloStatus } from './slo.js';

const settings = monitorSettings({});
const NOW = Date.parse('2026-01-10T12:00:00Z');
const minute = (ago: number, requests: number, errors: number) => ({
  minute: new Date(NOW - ago * 60_000).toISOString(),
  requests,
  errors,
});

describe('sloStatus', () => {
  it('fires a burn window only when both its long and short windows burn above the factor', () => {
    // An hour at 2% errors (20× a 99.9% objective's 0.1%), still going on now.
    const minutes = Array.from({ length: 60 }, (_, i) => minute(i + 1, 100, 2));
    const status = sloStatus(settings, minutes, NOW);
    const fast = status.burnRates[0]!;
    expect(fast).toMatchObject({ long: '1h', short: '5m', factor: 14.4, firing: true });
    expect(fast.longRate).toBeCloseTo(20, 9);
    expect(fast.shortRate).toBeCloseTo(20, 9);
    // 6h: 1h of 2% over 6h of traffic with nothing else counted is still 20× (only these minutes exist).
    expect(status.burnRates[1]!.firing).toBe(true);
  });

  it('stops firing as soon as the short window is clean, though the long one still burns', () => {
    const minutes = [
      ...Array.from({ length: 50 }, (_, i) => minute(i + 11, 100, 5)),
      ...Array.from({ length: 10 }, (_, i) => minute(i + 1, 100, 0)),
    ];
    const fast = sloStatus(settings, minutes, NOW).burnRates[0]!;
    expect(fast.longRate).toBeGreaterThan(14.4);
    expect(fast.shortRate).toBe(0);
    expect(fast.firing).toBe(false);
  });

  it('reports the budget left over the period, and none without traffic', () => {
    const minutes = [minute(10, 1000, 0), minute(5, 1000, 1)];
    const status = sloStatus(settings, minutes, NOW);
    // 1 error in 2000 requests = 0.05%: half the 0.1% budget spent.
    expect(status.budgetRemaining).toBeCloseTo(0.5, 9);
    expect(sloStatus(settings, [], NOW).budgetRemaining).toBeNull();
    expect(sloStatus(settings, [], NOW).burnRates.every((b) => !b.firing)).toBe(true);
  });
});
