import { describe, expect, it } from 'vitest';
import { isLoopback } from './create-server.js';
import { requestId } from './request-id.js';

describe('requestId', () => {
  it('keeps a short plain x-request-id and replaces anything else with a UUID', () => {
    expect(requestId({ headers: { 'x-request-id': 'trace-1:a.b_c' } })).toBe('trace-1:a.b_c');
    for (const bad of ['', 'a b', 'x'.repeat(129), '<script>', 'a\nb']) {
      expect(requestId({ headers: { 'x-request-id': bad } })).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(requestId({ headers: {} })).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('isLoopback', () => {
  it('accepts loopback addresses only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopback(a), a).toBe(true);
    }
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '']) {
      expect(isLoopback(a), a).toBe(false);
    }
  });
});
