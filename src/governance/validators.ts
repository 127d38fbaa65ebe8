/**
 * Pure validators behind the PII scan. Each takes one whole value (already
 * trimmed) and answers whether it is well-formed *and* passes the kind's own
 * check (Luhn, IBAN mod-97, SSN number ranges, octet and group limits), so a
 * look-alike that only matches a pattern is not reported.
 */

/**
 * The Luhn (mod 10) check over a string of digits (ISO/IEC 7812-1, Annex B).
 *
 * @example
 * luhn('4111111111111111') // true
 * luhn('4111111111111112') // false
 */
export function luhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: 13–19 digits, optionally grouped by single spaces or
 * dashes, passing the Luhn check. All-zero numbers are refused.
 *
 * @example
 * isCardNumber('4111 1111 1111 1111') // true
 */
export function isCardNumber(value: string): boolean {
  if (!/^\d+(?:[ -]\d+)*$/.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && !/^0+$/.test(digits) && luhn(digits);
}

/**
 * The ISO 13616 remainder of an IBAN (spaces allowed): move the first four
 * characters to the end, turn letters into 10..35, and take the number mod
 * 97. A valid IBAN gives 1; anything that is not letters and digits gives NaN.
 *
 * @example
 * ibanMod97('GB82 WEST 1234 5698 7654 32') // 1
 */
export function ibanMod97(iban: string): number {
  const compact = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z0-9]{5,}$/.test(compact)) return Number.NaN;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    // Digits are one decimal digit, letters two (A = 10 … Z = 35).
    const value = code <= 57 ? code - 48 : code - 55;
    remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
  }
  return remainder;
}

/**
 * An IBAN: two-letter country code, two check digits, 11–30 letters or
 * digits (15–34 in all), written compactly or in groups of four, with a
 * mod-97 remainder of 1.
 *
 * @example
 * isIban('GB82 WEST 1234 5698 7654 32') // true
 */
export function isIban(value: string): boolean {
  const grouped = /^[A-Za-z]{2}\d{2}(?: [A-Za-z0-9]{4})*(?: [A-Za-z0-9]{1,4})?$/;
  if (value.includes(' ') && !grouped.test(value)) return false;
  const compact = value.replace(/ /g, '');
  if (!/^[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}$/.test(compact)) return false;
  return ibanMod97(compact) === 1;
}

/**
 * A US Social Security number written AAA-GG-SSSS, with the numbers the SSA
 * never issues refused: area 000, 666 or 900–999, group 00, serial 0000, and
 * the well-known advertising number 078-05-1120.
 *
 * @example
 * isSsn('123-45-6789') // true
 * isSsn('666-45-6789') // false
 */
export function isSsn(value: string): boolean {
  const m = /^(\d{3})-(\d{2})-(\d{4})$/.exec(value);
  if (m === null) return false;
  const area = m[1]!;
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  return m[2] !== '00' && m[3] !== '0000' && value !== '078-05-1120';
}

/**
 * A dotted-decimal IPv4 address: four octets 0–255, without leading zeros.
 *
 * @example
 * isIpv4('192.0.2.1') // true
 * isIpv4('256.1.1.1') // false
 */
export function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return (
    parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)
  );
}

/**
 * An IPv6 address (RFC 4291 text forms): eight groups of 1–4 hex digits, one
 * `::` standing for one or more zero groups, and an optional dotted IPv4 tail.
 *
 * @example
 * isIpv6('2001:db8::8a2e:370:7334') // true
 * isIpv6('00:1A:2B:3C:4D:5E') // false: a MAC address has six groups
 */
export function isIpv6(value: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(':')) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] | undefined => {
    if (half === '') return [];
    const groups = half.split(':');
    const last = groups[groups.length - 1]!;
    // A dotted IPv4 tail stands for the last two groups.
    if (last.includes('.')) {
      if (!isIpv4(last)) return undefined;
      groups.splice(-1, 1, '0', '0');
    }
    return groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return false;
  // An IPv4 tail may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * An e-mail address in the common (unquoted) form: a dot-atom local part of
 * at most 64 characters, `@`, and a domain of at least two labels whose last
 * is an alphabetic top-level domain (or an `xn--` one); 254 characters at most.
 *
 * @example
 * isEmail('jane.doe+news@example.com') // true
 * isEmail('jane@localhost') // false
 */
export function isEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  if (local.length > 64 || !EMAIL_LOCAL.test(local) || labels.length < 2) return false;
  const tld = labels[labels.length - 1]!;
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/.test(tld)) return false;
  return labels.every((l) => DOMAIN_LABEL.test(l));
}

const PHONE_SHAPE = /^\+?(?:\(\d{1,5}\)|\d{1,8})(?:[ .-]?(?:\(\d{1,5}\)|\d{1,8})){0,7}$/;
const NANP = /^(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}$/;

/**
 * A telephone number, in one of three shapes:
 * - international: `+` or `00`, a country code not starting with 0, and 8–15
 *   digits in all (E.164), e.g. `+44 20 7946 0958`, `+14155550123`;
 * - North American: `(415) 555-0123`, `415-555-0123`, `415.555.0123`;
 * - national with a trunk prefix: `0`, then 9–10 more digits, e.g. `020 7946 0958`.
 * Digits may be grouped by single spaces, dots or dashes and one group may be
 * in parentheses. A national number must be grouped: a bare run of digits is
 * taken for a plain number, and dates (8 digits) and times (`:`) never match.
 *
 * @example
 * isPhone('+44 20 7946 0958') // true
 * isPhone('2024-01-15') // false
 */
export function isPhone(value: string): boolean {
  if (!PHONE_SHAPE.test(value) || (value.match(/\(/g)?.length ?? 0) > 1) return false;
  const digits = value.replace(/\D/g, '');
  const grouped = /[ .()-]/.test(value);
  if (value.startsWith('+') || (digits.startsWith('00') && grouped)) {
    const international = value.startsWith('+') ? digits : digits.slice(2);
    return /^[1-9]/.test(international) && international.length >= 8 && international.length <= 15;
  }
  if (!grouped) return false;
  if (NANP.test(value)) return true;
  return /^0[1-9]/.test(digits) && digits.length >= 10 && digits.length <= 11;
}
