import { describe, expect, it } from 'vitest';
import { parsePredictBody } from './predict-input.js';
import { HttpError } from './server-error.js';

describe('parsePredictBody', () => {
  it('reads rows, a single row and a routing key', () => {
    expect(parsePredictBody({ rows: [{ a: 1 }, { a: 2 }], routing_key: 'k' }, 10)).toEqual({
      rows: [{ a: 1 }, { a: 2 }],
      routingKey: 'k',
    });
    expect(parsePredictBody({ row: { a: 1 } }, 10)).toEqual({ rows: [{ a: 1 }] });
  });

  it('names the rows that are not objects, never their values', () => {
    try {
      parsePredictBody({ rows: [{ a: 1 }, 'secret', null, [1]] }, 10);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      const e = err as HttpError;
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.fields?.map((f) => f.row)).toEqual([1, 2, 3]);
      expect(JSON.stringify(e.fields) + e.message).not.toContain('secret');
    }
  });

  it('refuses more rows than allowed with TOO_MANY_ROWS (422)', () => {
    expect(() => parsePredictBody({ rows: [{}, {}, {}] }, 2)).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_ROWS', status: 422 }),
    );
  });
});
