/**
 * The validators on well-known valid examples (test card numbers, the
 * ISO 13616 example IBANs, documentation IP ranges) and on look-alikes that
 * match a pattern but fail the check.
 */
import { describe, expect, it } from 'vitest';
import {
  ibanMod97,
  isCardNumber,
  isEmail,
  isIban,
  isIpv4,
  isIpv6,
  isPhone,
  isSsn,
  luhn,
} from './validators.js';

describe('luhn and card numbers', () => {
  it('accepts published test numbers', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('79927398713')).toBe(true); // the Wikipedia example
    for (const card of [
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '5555555555554444',
      '378282246310005', // American Express, 15 digits
      '4222222222222', // Visa, 13 digits
      '6011111111111117',
    ]) {
      expect(isCardNumber(card), card).toBe(true);
    }
  });

  it('refuses failed checks, wrong lengths and odd grouping', () => {
    expect(luhn('4111111111111112')).toBe(false);
    expect(luhn('79927398710')).toBe(false);
    expect(luhn('12a4')).toBe(false);
    for (const value of [
      '4111 1111 1111 1112', // Luhn fails
      '0000 0000 0000 0000', // passes Luhn, but all zeros
      '411111111111', // 12 digits
      '41111111111111111111', // 20 digits
      '4111  1111 1111 1111', // double space
      '4111_1111_1111_1111',
      '4111 1111 1111 111a',
    ]) {
      expect(isCardNumber(value), value).toBe(false);
    }
  });
});

describe('IBAN', () => {
  it('computes the mod-97 remainder', () => {
    expect(ibanMod97('GB82 WEST 1234 5698 7654 32')).toBe(1);
    expect(ibanMod97('GB82WEST12345698765433')).not.toBe(1);
    expect(ibanMod97('GB82-WEST')).toBeNaN();
  });

  it('accepts the standard examples, compact, grouped and lower case', () => {
    for (const iban of [
      'GB82 WEST 1234 5698 7654 32',
      'GB82WEST12345698765432',
      'DE89 3704 0044 0532 0130 00',
      'FR14 2004 1010 0505 0001 3M02 606',
      'NL91ABNA0417164300',
      'gb82west12345698765432',
    ]) {
      expect(isIban(iban), iban).toBe(true);
    }
  });

  it('refuses wrong check digits, bad grouping and wrong shapes', () => {
    for (const value of [
      'GB83 WEST 1234 5698 7654 32', // check digits off by one
      'GB82 WEST 1234 5698 7654 33',
      'GB82 WES T123 4569 8765 432', // groups not of four
      'GB82', // too short
      '1282WEST12345698765432', // no country code
      'GBXX WEST 1234 5698 7654 32',
    ]) {
      expect(isIban(value), value).toBe(false);
    }
  });
});

describe('US SSN', () => {
  it('accepts issued-looking numbers', () => {
    expect(isSsn('123-45-6789')).toBe(true);
    expect(isSsn('001-01-0001')).toBe(true);
    expect(isSsn('899-99-9999')).toBe(true);
  });

  it('refuses never-issued areas, groups and serials, and other shapes', () => {
    for (const value of [
      '000-12-3456',
      '666-12-3456',
      '900-12-3456',
      '999-12-3456',
      '123-00-4567',
      '123-45-0000',
      '078-05-1120',
      '123456789',
      '123 45 6789',
      '12-345-6789',
    ]) {
      expect(isSsn(value), value).toBe(false);
    }
  });
});

describe('IP addresses', () => {
  it('IPv4: four octets 0–255 without leading zeros', () => {
    for (const ip of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '10.0.0.1']) {
      expect(isIpv4(ip), ip).toBe(true);
    }
    for (const value of [
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.-4',
      'a.b.c.d',
      '',
    ]) {
      expect(isIpv4(value), value).toBe(false);
    }
  });

  it('IPv6: eight groups, one ::, an optional IPv4 tail', () => {
    for (const ip of [
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      '2001:db8::8a2e:370:7334',
      '::1',
      '::',
      'fe80::',
      '::ffff:192.0.2.1',
      '64:ff9b::192.0.2.33',
    ]) {
      expect(isIpv6(ip), ip).toBe(true);
    }
    for (const value of [
      '2001:db8::8a2e::7334', // two ::
      '2001:db8:85a3:0:0:8a2e:370', // seven groups, no ::
      '2001:db8:85a3:0:0:8a2e:370:7334:1', // nine groups
      '00:1A:2B:3C:4D:5E', // a MAC address
      '12:30:45', // a time
      '2001:db8::g1',
      '12345::1',
      '::ffff:192.0.2.256',
      '1.2.3.4::',
      ':1:2:3:4:5:6:7',
    ]) {
      expect(isIpv6(value), value).toBe(false);
    }
  });
});

describe('e-mail', () => {
  it('accepts common addresses', () => {
    for (const email of [
      'jane@example.com',
      'jane.doe+news@example.co.uk',
      "o'brien@example.org",
      'x@a.io',
      'user@xn--bcher-kva.example',
    ]) {
      expect(isEmail(email), email).toBe(true);
    }
  });

  it('refuses addresses without a proper domain or with a broken local part', () => {
    for (const value of [
      'jane@localhost',
      'jane@example',
      'jane@example.c0m',
      '@example.com',
      'jane.@example.com',
      'ja..ne@example.com',
      'jane@-example.com',
      'jane@exa mple.com',
      'jane example.com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(isEmail(value), value).toBe(false);
    }
  });
});

describe('phone numbers', () => {
  it('accepts E.164 and common national formats', () => {
    for (const phone of [
      '+14155550123',
      '+1 (415) 555-0123',
      '+44 20 7946 0958',
      '+44 (0)20 7946 0958',
      '+49 30 12345678',
      '0044 20 7946 0958',
      '(415) 555-0123',
      '415-555-0123',
      '415.555.0123',
      '1-415-555-0123',
      '020 7946 0958',
      '07700 900123',
      '01 23 45 67 89',
    ]) {
      expect(isPhone(phone), phone).toBe(true);
    }
  });

  it('refuses plain numbers, dates, times, amounts and other numbers', () => {
    for (const value of [
      '4155550123', // a bare 10-digit number
      '07700900123', // bare, even with a trunk prefix
      '12345',
      '2024-01-15',
      '15.01.2024',
      '01/15/2024',
      '2024-01-15 10:30:00',
      '10:30',
      '1234.56',
      '12345678.90',
      '1,234,567.89',
      '123-45-6789', // an SSN
      '4111 1111 1111 1111', // a card
      '192.0.2.1', // an IP address
      '+1 23', // too few digits
      '+0 415 555 0123', // no country code starts with 0
      '+1 415 555 0123 4567 89', // too many digits for E.164
      '115-555-0123', // NANP area codes start with 2–9
      '(415) (555) 0123',
    ]) {
      expect(isPhone(value), value).toBe(false);
    }
  });
});
