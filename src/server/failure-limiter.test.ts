import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.js';

describe('FailureLimiter', () => {
  it('blocks a key after `limit` failures until its window ends', () => {
    let now = 0;
    const limiter = new FailureLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    limiter.fail('a');
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(60);
    expect(limiter.blockedFor('b')).toBe(0);
    now = 59_500;
    expect(limiter.blockedFor('a')).toBe(1);
    now = 60_000;
    expect(limiter.blockedFor('a')).toBe(0);
  });

  it('tracks at most maxKeys keys, dropping the oldest', () => {
    const limiter = new FailureLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    limiter.fail('a');
    limiter.fail('b');
    limiter.fail('c');
    expect(limiter.blockedFor('a')).toBe(0);
    expect(limiter.blockedFor('b')).toBeGreaterThan(0);
    expect(limiter.blockedFor('c')).toBeGreaterThan(0);
  });
});
