/**
 * The kinds of personal data the PII scan knows, how a single value is
 * recognised as one (pattern and validator), and how a column name hints at
 * one (a weaker signal: the name alone proves nothing about the values).
 */
import { isCardNumber, isEmail, isIban, isIpv4, isIpv6, isPhone, isSsn } from './validators.js';

export const PII_KINDS = [
  'email',
  'phone',
  'card_number',
  'iban',
  'ssn',
  'ip_address',
  'person_name',
  'date_of_birth',
  'address',
  'postcode',
  'national_id',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** What a person reads for each kind. */
export const PII_KIND_LABELS: Readonly<Record<PiiKind, string>> = {
  email: 'e-mail addresses',
  phone: 'phone numbers',
  card_number: 'payment card numbers',
  iban: 'IBANs',
  ssn: 'US social security numbers',
  ip_address: 'IP addresses',
  person_name: 'personal names',
  date_of_birth: 'dates of birth',
  address: 'postal addresses',
  postcode: 'postcodes',
  national_id: 'national identity numbers',
};

/** Kinds a value can be proven to be, in the order they are tried. */
const VALUE_CHECKS: readonly (readonly [PiiKind, (value: string) => boolean])[] = [
  ['email', isEmail],
  ['iban', isIban],
  ['card_number', isCardNumber],
  ['ssn', isSsn],
  ['ip_address', (v) => isIpv4(v) || isIpv6(v)],
  ['phone', isPhone],
];

/**
 * The kind a single value passes the pattern and validator of, if any.
 *
 * @example
 * valueKind('4111 1111 1111 1111') // 'card_number'
 * valueKind('2024-01-15') // undefined
 */
export function valueKind(value: string): PiiKind | undefined {
  const v = value.trim();
  if (v.length < 2 || v.length > 254) return undefined;
  for (const [kind, check] of VALUE_CHECKS) if (check(v)) return kind;
  return undefined;
}

/** Token sequences that, found in a column name, suggest a kind. First rule wins. */
const NAME_RULES: readonly (readonly [PiiKind, readonly string[]])[] = [
  ['email', ['email']],
  ['email', ['e', 'mail']],
  ['email', ['emailaddress']],
  ['email', ['mail', 'address']],
  ['ip_address', ['ip']],
  ['ip_address', ['ipv']],
  ['ip_address', ['ipaddress']],
  ['ip_address', ['ipaddr']],
  ['ip_address', ['remote', 'addr']],
  ['card_number', ['card', 'number']],
  ['card_number', ['card', 'num']],
  ['card_number', ['card', 'no']],
  ['card_number', ['cardnumber']],
  ['card_number', ['cc', 'number']],
  ['card_number', ['cc', 'num']],
  ['card_number', ['cc', 'no']],
  ['card_number', ['ccn']],
  ['card_number', ['credit', 'card']],
  ['card_number', ['creditcard']],
  ['iban', ['iban']],
  ['iban', ['bank', 'account']],
  ['ssn', ['ssn']],
  ['ssn', ['social', 'security']],
  ['national_id', ['national', 'id']],
  ['national_id', ['passport']],
  ['national_id', ['tax', 'id']],
  ['national_id', ['nino']],
  ['national_id', ['driver', 'license']],
  ['national_id', ['drivers', 'license']],
  ['national_id', ['driving', 'licence']],
  ['phone', ['phone']],
  ['phone', ['phonenumber']],
  ['phone', ['telephone']],
  ['phone', ['tel']],
  ['phone', ['mobile', 'number']],
  ['phone', ['cellphone']],
  ['phone', ['msisdn']],
  ['phone', ['fax']],
  ['person_name', ['first', 'name']],
  ['person_name', ['last', 'name']],
  ['person_name', ['full', 'name']],
  ['person_name', ['given', 'name']],
  ['person_name', ['family', 'name']],
  ['person_name', ['middle', 'name']],
  ['person_name', ['maiden', 'name']],
  ['person_name', ['firstname']],
  ['person_name', ['lastname']],
  ['person_name', ['fullname']],
  ['person_name', ['surname']],
  ['person_name', ['forename']],
  ['date_of_birth', ['dob']],
  ['date_of_birth', ['date', 'of', 'birth']],
  ['date_of_birth', ['birth', 'date']],
  ['date_of_birth', ['birthdate']],
  ['date_of_birth', ['birthday']],
  ['postcode', ['postcode']],
  ['postcode', ['post', 'code']],
  ['postcode', ['postal', 'code']],
  ['postcode', ['postalcode']],
  ['postcode', ['zip']],
  ['postcode', ['zipcode']],
  ['address', ['address']],
  ['address', ['addr']],
  ['address', ['street']],
];

/**
 * Names that suggest a kind only as the whole column name (`mobile`, but not
 * `is_mobile` or `mobile_app`). A bare `name` is left out: it names products
 * and airports as often as people.
 */
const WHOLE_NAMES: Readonly<Record<string, PiiKind>> = { mobile: 'phone', cell: 'phone' };

/** `customerEMail2` → `['customer', 'e', 'mail', '2']`. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([A-Za-z])(\d)/g, '$1_$2')
    .replace(/(\d)([A-Za-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/**
 * The kind a column name suggests, if any: `customer_email` → `email`,
 * `ip_address` → `ip_address`, `zip` → `postcode`.
 *
 * @example
 * nameKind('billingFirstName') // 'person_name'
 * nameKind('email_opt_in_count') // 'email'
 * nameKind('zipper_size') // undefined
 */
export function nameKind(name: string): PiiKind | undefined {
  const tokens = nameTokens(name);
  const whole = WHOLE_NAMES[tokens.join('_')];
  if (whole !== undefined) return whole;
  for (const [kind, rule] of NAME_RULES) {
    for (let i = 0; i + rule.length <= tokens.length; i++) {
      if (rule.every((t, j) => tokens[i + j] === t)) return kind;
    }
  }
  return undefined;
}
