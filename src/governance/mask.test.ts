/**
 * Masking: each kind keeps its recognisable shape, and no masked example ever
 * contains the raw value or more than a handful of its characters.
 */
import { describe, expect, it } from 'vitest';
import { generateCustomers } from './customers.js';
import { maskUnrecognised, maskValue } from './mask.js';
import type { PiiKind } from './pii-kinds.js';

/** Letters and digits a masked value reveals (stars and separators aside). */
const revealed = (masked: string) => masked.replace(/[^A-Za-z0-9]/g, '').length;

describe('maskValue', () => {
  it('keeps the shape of each kind', () => {
    expect(maskValue('email', 'jane.doe@example.com')).toBe('j***@e***.com');
    expect(maskValue('card_number', '4111 1111 1111 1111')).toBe('**** **** **** 1111');
    expect(maskValue('card_number', '378282246310005')).toBe('**** **** **** 0005');
    expect(maskValue('iban', 'GB82 WEST 1234 5698 7654 32')).toBe('GB** **** **** **** **54 32');
    expect(maskValue('phone', '+44 20 7946 0958')).toBe('+** ** **** **58');
    expect(maskValue('phone', '(415) 555-0123')).toBe('(***) ***-**23');
    expect(maskValue('ssn', '123-45-6789')).toBe('***-**-****');
    expect(maskValue('ip_address', '192.0.2.1')).toBe('192.*.*.*');
    expect(maskValue('ip_address', '2001:db8::1')).toBe('2001:****:…');
    expect(maskValue('person_name', 'Jane')).toBe('J***');
  });

  it('masks a value that does not pass its kind’s check to its first character', () => {
    expect(maskValue('email', 'not an email')).toBe('n***');
    expect(maskValue('card_number', '4111 1111 1111 1112')).toBe('4***');
    expect(maskUnrecognised('')).toBe('');
  });

  it('never leaks a raw value', () => {
    const kinds: [PiiKind, (r: ReturnType<typeof generateCustomers>[number]) => string | null][] = [
      ['email', (r) => r.email],
      ['phone', (r) => r.phone],
      ['card_number', (r) => r.card_number],
      ['iban', (r) => r.iban],
      ['ip_address', (r) => r.ip_address],
    ];
    for (const row of generateCustomers({ rows: 300, seed: 3 })) {
      for (const [kind, get] of kinds) {
        const raw = get(row);
        if (raw === null) continue;
        const masked = maskValue(kind, raw);
        expect(masked).not.toContain(raw);
        expect(masked).not.toBe(raw);
        // Emails keep their top-level domain; the rest reveal at most six characters.
        const allowance = kind === 'email' ? 2 + raw.length - raw.lastIndexOf('.') - 1 : 6;
        expect(revealed(masked), `${kind} ${masked}`).toBeLessThanOrEqual(allowance);
      }
    }
    expect(maskValue('ssn', '123-45-6789')).not.toMatch(/\d/);
  });
});
