import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { durationMicros, durationSeconds, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(durationSeconds('1.5h')).toBe(5400);
    expect(durationMicros('2h')).toBe(7_200_000_000);
  });

  it('rounds to whole microseconds, so decimal fractions are exact', () => {
    expect(parseDuration('1.1s')).toBe(1100);
    expect(durationMicros('0.000001s')).toBe(1);
  });

  it('refuses anything else, naming where it was', () => {
    for (const text of ['', '2', 'h', '2w', '-1h', '1,5h', '2 hours', '1e3s']) {
      expect(() => parseDuration(text, 'features.point_in_time.x.window')).toThrow(
        /^features\.point_in_time\.x\.window: ".*" is not a duration; write a number and a unit \(s, m, h, d\), such as 30m, 2h, 7d or 1\.5h$/,
      );
    }
    const zero = (() => {
      try {
        parseDuration('0m');
      } catch (err) {
        return err;
      }
    })();
    expect(zero).toBeInstanceOf(FlywheelError);
    expect((zero as FlywheelError).code).toBe('SPEC_INVALID');
    expect((zero as FlywheelError).message).toBe(
      'window: "0m" is an empty window; a duration must be at least 1 microsecond',
    );
  });
});
