import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 1], c: { z: null, y: 'x' } })).toBe(
      '{"a":[{"c":3,"d":2},1],"b":1,"c":{"y":"x","z":null}}',
    );
  });

  it('gives the same text however the object was built', () => {
    const one = { model: { kind: 'gbdt', state: { trees: [1, 2] } }, name: 'churn' };
    const two = { name: 'churn', model: { state: { trees: [1, 2] }, kind: 'gbdt' } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('follows JSON.stringify for undefined, NaN and toJSON, and keeps __proto__ as data', () => {
    expect(canonicalJson({ a: undefined, b: Number.NaN, c: new Date(0) })).toBe(
      '{"b":null,"c":"1970-01-01T00:00:00.000Z"}',
    );
    const hostile = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    expect(canonicalJson(hostile)).toBe('{"__proto__":{"polluted":true},"a":1}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
