/**
 * Masking for the examples the PII scan reports: enough of a value's shape
 * for a person to recognise the kind, never the value itself. At most the
 * last four digits of a card or IBAN, two digits of a phone number, the first
 * character of each part of an e-mail address, and the first character of
 * anything else.
 */
import { type PiiKind, valueKind } from './pii-kinds.js';

/**
 * `value` masked for display, by its kind; a value that does not pass the
 * kind's validator (a column flagged by its name) keeps its first character only.
 *
 * @example
 * maskValue('email', 'jane.doe@example.com') // 'j***@e***.com'
 * maskValue('card_number', '4111 1111 1111 1111') // '**** **** **** 1111'
 */
export function maskValue(kind: PiiKind, value: string): string {
  const v = value.trim();
  if (valueKind(v) !== kind) return maskUnrecognised(v);
  switch (kind) {
    case 'email':
      return maskEmail(v);
    case 'card_number':
      return `**** **** **** ${v.replace(/\D/g, '').slice(-4)}`;
    case 'iban':
      return maskIban(v);
    case 'phone':
      return maskPhone(v);
    case 'ssn':
      return '***-**-****';
    case 'ip_address':
      return v.includes(':') ? `${v.split(':')[0] || ''}:****:…` : `${v.split('.')[0]}.*.*.*`;
    default:
      return maskUnrecognised(v);
  }
}

/**
 * Any value masked to its first character, for values of no recognised kind
 * (a column flagged by its name).
 *
 * @example
 * maskUnrecognised('Jane') // 'J***'
 */
export function maskUnrecognised(value: string): string {
  const first = Array.from(value.trim())[0];
  return first === undefined ? '' : `${first}***`;
}

function maskEmail(v: string): string {
  const at = v.lastIndexOf('@');
  const domain = v.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot < 0 ? '' : domain.slice(dot);
  return `${maskUnrecognised(v.slice(0, at))}@${maskUnrecognised(domain.slice(0, Math.max(dot, 0)))}${tld}`;
}

function maskIban(v: string): string {
  const compact = v.replace(/ /g, '').toUpperCase();
  const masked =
    compact.slice(0, 2) + '*'.repeat(Math.max(compact.length - 6, 2)) + compact.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

function maskPhone(v: string): string {
  const digits = v.replace(/\D/g, '').length;
  let seen = 0;
  return v.replace(/\d/g, (d) => (++seen > digits - 2 ? d : '*'));
}
