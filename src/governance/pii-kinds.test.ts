/** Kinds by value (pattern and validator) and by column name. */
import { describe, expect, it } from 'vitest';
import { nameKind, nameTokens, valueKind } from './pii-kinds.js';

describe('valueKind', () => {
  it('recognises each kind', () => {
    expect(valueKind('jane@example.com')).toBe('email');
    expect(valueKind(' +44 20 7946 0958 ')).toBe('phone');
    expect(valueKind('4111 1111 1111 1111')).toBe('card_number');
    expect(valueKind('GB82 WEST 1234 5698 7654 32')).toBe('iban');
    expect(valueKind('123-45-6789')).toBe('ssn');
    expect(valueKind('192.0.2.1')).toBe('ip_address');
    expect(valueKind('2001:db8::1')).toBe('ip_address');
  });

  it('leaves ordinary values alone', () => {
    for (const value of [
      '2024-01-15',
      '2024-01-15T10:30:00Z',
      '1234.56',
      '-17',
      '42',
      'SKU-1234-AB',
      'premium',
      'The delivery was late, again.',
      'true',
      'N/A',
      '4111 1111 1111 1112',
    ]) {
      expect(valueKind(value), value).toBeUndefined();
    }
  });
});

describe('nameKind', () => {
  it('splits camelCase, digits and separators into tokens', () => {
    expect(nameTokens('customerEMail2')).toEqual(['customer', 'e', 'mail', '2']);
    expect(nameTokens('IPAddress')).toEqual(['ip', 'address']);
    expect(nameTokens('Date-of-Birth')).toEqual(['date', 'of', 'birth']);
  });

  it('matches known names anywhere in the column name', () => {
    const cases: [string, string][] = [
      ['email', 'email'],
      ['E_Mail', 'email'],
      ['customerEmail', 'email'],
      ['phone_number', 'phone'],
      ['mobile', 'phone'],
      ['ssn', 'ssn'],
      ['card_number', 'card_number'],
      ['cc_number', 'card_number'],
      ['iban', 'iban'],
      ['ip_address', 'ip_address'],
      ['client_ip', 'ip_address'],
      ['first_name', 'person_name'],
      ['lastName', 'person_name'],
      ['full_name', 'person_name'],
      ['dob', 'date_of_birth'],
      ['date_of_birth', 'date_of_birth'],
      ['billing_address', 'address'],
      ['postcode', 'postcode'],
      ['zip', 'postcode'],
      ['passport_no', 'national_id'],
    ];
    for (const [column, kind] of cases) expect(nameKind(column), column).toBe(kind);
  });

  it('does not match look-alike names', () => {
    for (const column of [
      'name',
      'product_name',
      'zipper_size',
      'is_mobile',
      'mobile_app',
      'shipping',
      'description',
      'tenure_months',
      'ipo_date',
      'hotel',
    ]) {
      expect(nameKind(column), column).toBeUndefined();
    }
  });
});
