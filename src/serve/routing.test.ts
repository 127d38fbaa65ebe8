import { describe, expect, it } from 'vitest';
import { routingBucket, routingKeyOf } from './routing.js';

describe('sticky canary routing', () => {
  it('puts the same key in the same bucket every time, in [0, 100)', () => {
    for (const key of ['customer-1', 'customer-2', '', 'ü', '42']) {
      const b = routingBucket(key, 'churn@4');
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(100);
      expect(routingBucket(key, 'churn@4')).toBe(b);
    }
  });

  it('sends a share close to the weight to the canary over many keys', () => {
    for (const weight of [1, 10, 50, 90]) {
      const n = 20_000;
      let canary = 0;
      for (let i = 0; i < n; i++) if (routingBucket(`customer-${i}`, 'churn@4') < weight) canary++;
      // Binomial sd at n = 20 000 is at most 0.35 percentage points; allow 4 sd.
      expect(Math.abs((100 * canary) / n - weight)).toBeLessThan(1.5);
    }
  });

  it('raising the weight only moves keys towards the canary', () => {
    for (let i = 0; i < 2000; i++) {
      const b = routingBucket(`k${i}`, 'churn@4');
      if (b < 10) expect(b < 20).toBe(true);
    }
  });

  it('gives each canary its own split (salt)', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) {
      const key = `customer-${i}`;
      if (routingBucket(key, 'churn@4') < 50 === routingBucket(key, 'churn@5') < 50) same++;
    }
    expect(same).toBeGreaterThan(400);
    expect(same).toBeLessThan(600);
  });

  it('routes by the entity of the row, else the request key, else nothing (random)', () => {
    expect(routingKeyOf({ customer: 'c9', x: 1 }, 'customer', 'req')).toBe('c9');
    expect(routingKeyOf({ customer: 17 }, 'customer', 'req')).toBe('17');
    expect(routingKeyOf({ x: 1 }, 'customer', 'req')).toBe('req');
    expect(routingKeyOf({ customer: { id: 1 } }, 'customer', 'req')).toBe('req');
    expect(routingKeyOf({ x: 1 }, undefined, undefined)).toBeUndefined();
    // An inherited property is never a routing key.
    expect(routingKeyOf({}, 'constructor', undefined)).toBeUndefined();
  });
});
