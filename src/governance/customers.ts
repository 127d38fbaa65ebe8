/**
 * The `customers` example: a synthetic churn table full of personal data, for
 * `flywheel init --example customers`, the governance tests and the docs.
 * Deterministic for a seed. Every identifier comes from a range reserved for
 * examples: e-mail domains example.com/.org/.net (RFC 2606), fictional phone
 * numbers (NANP 555-01xx, Ofcom's 020 7946 0xxx and 07700 900xxx), card
 * numbers on test prefixes, IP addresses in TEST-NET and 2001:db8::/32
 * (RFC 5737, RFC 3849). IBANs carry valid check digits on random accounts.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FlywheelError } from '../errors.js';
import { type Prng, prng } from './prng.js';
import { luhn } from './validators.js';

export interface CustomerRow {
  customer_id: string;
  email: string;
  phone: string | null;
  card_number: string;
  iban: string | null;
  ip_address: string | null;
  /** YYYY-MM-DD, between 2023-01-01 and 2024-12-31. */
  signup_date: string;
  country: string;
  plan: 'basic' | 'standard' | 'premium';
  monthly_spend: number;
  tenure_months: number;
  support_tickets: number;
  consent_marketing: boolean;
  /** 1 when the customer left, else 0. */
  churned: 0 | 1;
}

/** Column order of the example table. */
export const CUSTOMER_COLUMNS = [
  'customer_id',
  'email',
  'phone',
  'card_number',
  'iban',
  'ip_address',
  'signup_date',
  'country',
  'plan',
  'monthly_spend',
  'tenure_months',
  'support_tickets',
  'consent_marketing',
  'churned',
] as const satisfies readonly (keyof CustomerRow)[];

export interface CustomersOptions {
  rows: number;
  seed: number;
}

const FIRST = [
  'anna',
  'ben',
  'chloe',
  'david',
  'emma',
  'felix',
  'grace',
  'hugo',
  'iris',
  'jonas',
  'karin',
  'liam',
  'maria',
  'noah',
  'olga',
  'pablo',
  'quinn',
  'rosa',
  'sam',
  'tara',
];
const LAST = [
  'smith',
  'jones',
  'muller',
  'martin',
  'garcia',
  'devries',
  'brown',
  'schmidt',
  'dubois',
  'lopez',
  'wilson',
  'bakker',
  'fischer',
  'moreau',
  'taylor',
  'jansen',
];
const COUNTRIES = [
  ['US', 30],
  ['GB', 25],
  ['DE', 20],
  ['FR', 10],
  ['NL', 10],
  ['ES', 5],
] as const;
const PLANS = [
  ['basic', 50],
  ['standard', 35],
  ['premium', 15],
] as const;
const SPEND: Record<CustomerRow['plan'], [number, number]> = {
  basic: [9, 30],
  standard: [30, 70],
  premium: [70, 160],
};
const START = Date.UTC(2023, 0, 1);
/** The day the table describes: tenure counts up to here. */
const AS_OF = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;

const digits = (rng: Prng, n: number) => Array.from({ length: n }, () => rng.int(10)).join('');
const group4 = (text: string) => text.replace(/(.{4})(?=.)/g, '$1 ');

function phone(rng: Prng): string {
  const n = String(rng.int(100)).padStart(2, '0');
  const area = rng.pick(['212', '415', '312', '617']);
  return rng.pick([
    () => `+1 (${area}) 555-01${n}`,
    () => `(${area}) 555-01${n}`,
    () => `+1${area}55501${n}`,
    () => `+44 20 7946 0${digits(rng, 1)}${n}`,
    () => `07700 900${digits(rng, 1)}${n}`,
  ])();
}

function cardNumber(rng: Prng): string {
  const body = rng.pick(['400000', '555555', '411111']) + digits(rng, 9);
  const check = [...'0123456789'].find((d) => luhn(body + d))!;
  const number = body + check;
  return rng.chance(0.7) ? group4(number) : number;
}

/** The two IBAN check digits for a country and account (ISO 13616: 98 − mod 97). */
function ibanCheck(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`]
    .map((ch) => (/\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55)))
    .join('');
  let remainder = 0;
  for (const d of numeric) remainder = (remainder * 10 + Number(d)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

function iban(rng: Prng, country: string): string | null {
  const letters = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(65 + rng.int(26))).join('');
  const bban: Record<string, () => string> = {
    GB: () => letters(4) + digits(rng, 14),
    DE: () => digits(rng, 18),
    FR: () => digits(rng, 23),
    NL: () => letters(4) + digits(rng, 10),
    ES: () => digits(rng, 20),
  };
  const make = bban[country];
  if (make === undefined || !rng.chance(0.6)) return null;
  const account = make();
  return group4(`${country}${ibanCheck(country, account)}${account}`);
}

function ipAddress(rng: Prng): string | null {
  const r = rng.next();
  if (r < 0.05) return null;
  if (r < 0.15) {
    const group = () => rng.int(0x10000).toString(16);
    return `2001:db8:${group()}:${group()}::${group()}`;
  }
  return `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${1 + rng.int(254)}`;
}

/** A Poisson draw by inversion (small means only). */
function poisson(rng: Prng, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rng.next();
  while (u > cdf && k < 50) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/**
 * `rows` synthetic customers, the same for the same seed. Churn rises with
 * support tickets and the basic plan and falls with tenure, so a model can
 * learn it (about a quarter of customers churn).
 *
 * @example
 * const rows = generateCustomers({ rows: 2000, seed: 7 });
 * rows[0].email; // e.g. 'grace.moreau17@example.org'
 */
export function generateCustomers(options: CustomersOptions): CustomerRow[] {
  const { rows, seed } = options;
  if (!Number.isInteger(rows) || rows < 0) {
    throw new FlywheelError('USAGE', `rows must be a whole number ≥ 0, got ${rows}`);
  }
  const rng = prng(seed);
  const out: CustomerRow[] = [];
  for (let i = 0; i < rows; i++) {
    const country = rng.weighted(COUNTRIES);
    const plan = rng.weighted(PLANS);
    const signup = START + rng.int(730) * DAY;
    const tenure = Math.floor((AS_OF - signup) / DAY / 30.44);
    const [low, high] = SPEND[plan];
    const spend = Math.round((low + rng.next() * (high - low)) * 100) / 100;
    const tickets = poisson(rng, plan === 'basic' ? 2 : plan === 'standard' ? 1.3 : 0.8);
    const logit =
      -1.1 +
      0.55 * tickets -
      0.09 * tenure +
      (plan === 'basic' ? 0.7 : plan === 'premium' ? -0.6 : 0) +
      (country === 'US' ? 0.2 : 0);
    const domain = rng.pick(['example.com', 'example.org', 'example.net']);
    out.push({
      customer_id: `C${String(i + 1).padStart(6, '0')}`,
      email: `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.int(100)}@${domain}`,
      phone: rng.chance(0.04) ? null : phone(rng),
      card_number: cardNumber(rng),
      iban: iban(rng, country),
      ip_address: ipAddress(rng),
      signup_date: new Date(signup).toISOString().slice(0, 10),
      country,
      plan,
      monthly_spend: spend,
      tenure_months: tenure,
      support_tickets: tickets,
      consent_marketing: rng.chance(0.85),
      churned: rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0,
    });
  }
  return out;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The rows as CSV text with a header; missing values are empty fields.
 *
 * @example
 * customersCsv(generateCustomers({ rows: 3, seed: 1 })).split('\n')[0];
 * // 'customer_id,email,phone,card_number,iban,…,consent_marketing,churned'
 */
export function customersCsv(rows: readonly CustomerRow[]): string {
  const lines = [CUSTOMER_COLUMNS.join(',')];
  for (const row of rows) lines.push(CUSTOMER_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the example table to `file` (parent folders created), atomically:
 * a crash leaves either the old file or the whole new one.
 *
 * @example
 * await writeCustomersCsv('data/customers.csv', { rows: 5000, seed: 7 });
 */
export async function writeCustomersCsv(file: string, options: CustomersOptions): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, customersCsv(generateCustomers(options)), 'utf8');
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
