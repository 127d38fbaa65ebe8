/**
 * The PII scan on a real DuckDB table: every planted kind is found by its
 * values (under neutral column names), names alone give low-confidence
 * matches, and ordinary columns (dates, amounts, free text, product codes,
 * plain integers, booleans) stay quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { sqlIdent, sqlString } from '../sql.js';
import { generateCustomers } from './customers.js';
import { type PiiMatch, scanPii } from './pii-scan.js';

type Value = string | number | boolean | null;

const ROWS = 400;
const people = generateCustomers({ rows: ROWS, seed: 11 });
const pick = <T>(i: number, items: readonly T[]) => items[i % items.length]!;

const COLUMNS: Record<string, { type: string; value: (i: number) => Value }> = {
  // Planted PII, under names that say nothing.
  contact: { type: 'VARCHAR', value: (i) => (i % 10 === 0 ? null : people[i]!.email) },
  reach: { type: 'VARCHAR', value: (i) => people[i]!.phone },
  payment: { type: 'VARCHAR', value: (i) => people[i]!.card_number },
  // Exact 16-digit integers: passed as text, DuckDB casts them to BIGINT.
  payment_n: { type: 'BIGINT', value: (i) => people[i]!.card_number.replace(/ /g, '') },
  account: {
    type: 'VARCHAR',
    value: (i) =>
      pick(i, ['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'NL91ABNA0417164300']),
  },
  ref: {
    type: 'VARCHAR',
    value: (i) =>
      `${String(100 + (i % 500)).padStart(3, '0')}-${String(10 + (i % 89))}-${String(1000 + i)}`,
  },
  client: { type: 'VARCHAR', value: (i) => `203.0.113.${i % 255}` },
  client6: { type: 'VARCHAR', value: (i) => `2001:db8::${(i + 1).toString(16)}` },
  contact_info: {
    type: 'VARCHAR',
    value: (i) => (i % 2 === 0 ? people[i]!.email : (people[i]!.phone ?? '+44 20 7946 0000')),
  },
  // Some values validate, too few to call the column PII.
  remarks: {
    type: 'VARCHAR',
    value: (i) => (i % 10 === 0 ? people[i]!.email : `call back about order ${1000 + i}`),
  },
  // Few distinct placeholders and many distinct e-mails: PII by its distinct values.
  referrer: {
    type: 'VARCHAR',
    value: (i) => (i % 10 === 0 ? people[i]!.email : pick(i, ['google', 'direct', 'partner'])),
  },
  // PII by name only.
  first_name: { type: 'VARCHAR', value: (i) => pick(i, ['Anna', 'Ben', 'Chloe']) },
  dob: { type: 'DATE', value: (i) => `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}` },
  // Clean columns.
  signup: { type: 'DATE', value: (i) => people[i]!.signup_date },
  signup_text: { type: 'VARCHAR', value: (i) => people[i]!.signup_date },
  stamp_text: { type: 'VARCHAR', value: (i) => `${people[i]!.signup_date} 10:${10 + (i % 50)}:00` },
  amount: { type: 'DOUBLE', value: (i) => people[i]!.monthly_spend },
  amount_text: { type: 'VARCHAR', value: (i) => (people[i]!.monthly_spend * 1000).toFixed(2) },
  notes: {
    type: 'VARCHAR',
    value: (i) => pick(i, ['Great service, will renew.', 'Late delivery on 2024-03-01', 'n/a', '']),
  },
  product_code: { type: 'VARCHAR', value: (i) => `SKU-${1000 + i}-${pick(i, ['AB', 'CD'])}` },
  numeric_code: { type: 'VARCHAR', value: (i) => String(4_000_000_000 + i * 7919) },
  quantity: { type: 'BIGINT', value: (i) => i * 37 },
  big_id: { type: 'BIGINT', value: (i) => 1_000_000_000 + i },
  plan: { type: 'VARCHAR', value: (i) => people[i]!.plan },
  email_opt_in: { type: 'BOOLEAN', value: (i) => i % 3 === 0 },
  // Names that suggest PII on columns whose type cannot hold it.
  email_count: { type: 'INTEGER', value: (i) => i % 4 },
  address_verified_at: { type: 'DATE', value: (i) => people[i]!.signup_date },
  empty: { type: 'VARCHAR', value: () => null },
};

const literal = (v: Value) =>
  v === null ? 'NULL' : typeof v === 'string' ? sqlString(v) : String(v);

let session: DuckSession;
let matches: PiiMatch[];
const columns = Object.entries(COLUMNS).map(([name, c]) => ({ name, type: c.type }));
const byColumn = (name: string) => matches.find((m) => m.column === name);

beforeAll(async () => {
  session = await DuckSession.open({ threads: 4 });
  const names = Object.keys(COLUMNS);
  await session.run(
    `CREATE TABLE people (${columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ')})`,
  );
  const rows = Array.from(
    { length: ROWS },
    (_, i) => `(${names.map((n) => literal(COLUMNS[n]!.value(i))).join(', ')})`,
  );
  await session.run(`INSERT INTO people VALUES ${rows.join(', ')}`);
  matches = await scanPii(session, 'people', columns, { sampleRows: 1000 });
});
afterAll(() => session?.close());

describe('scanPii', () => {
  it('finds every planted kind by its values, with high confidence', () => {
    const expected: [string, string][] = [
      ['contact', 'email'],
      ['reach', 'phone'],
      ['payment', 'card_number'],
      ['payment_n', 'card_number'],
      ['account', 'iban'],
      ['ref', 'ssn'],
      ['client', 'ip_address'],
      ['client6', 'ip_address'],
    ];
    for (const [column, kind] of expected) {
      const m = byColumn(column);
      expect(m, column).toBeDefined();
      expect(m!.kinds, column).toEqual([kind]);
      expect(m!.detectedBy, column).toEqual(['value']);
      expect(m!.confidence, column).toBe('high');
      expect(m!.isPii, column).toBe(true);
      expect(m!.matchRate, column).toBeGreaterThan(0.9);
    }
    expect(byColumn('contact')!.sampled).toBe(ROWS - ROWS / 10);
  });

  it('scans wide integer columns for Luhn-valid card numbers', () => {
    const m = byColumn('payment_n')!;
    expect(m.kinds).toEqual(['card_number']);
    expect(m.isPii).toBe(true);
    expect(m.examples[0]).toMatch(/^\*\*\*\* \*\*\*\* \*\*\*\* \d{4}$/);
  });

  it('reports several kinds in one column', () => {
    const m = byColumn('contact_info')!;
    expect(new Set(m.kinds)).toEqual(new Set(['email', 'phone']));
    expect(m.isPii).toBe(true);
  });

  it('reports a partial match below the threshold as not PII', () => {
    const m = byColumn('remarks')!;
    expect(m.kinds).toEqual(['email']);
    expect(m.isPii).toBe(false);
    expect(m.confidence).toBe('low');
    expect(m.matchRate).toBeCloseTo(0.1, 5);
  });

  it('calls a column PII when most of its distinct values validate', () => {
    const m = byColumn('referrer')!;
    expect(m.kinds).toEqual(['email']);
    expect(m.isPii).toBe(true);
    expect(m.matchRate).toBeCloseTo(0.1, 5);
    expect(m.distinctMatchRate).toBeGreaterThan(0.9);
  });

  it('flags a column by its name alone with low confidence', () => {
    for (const [column, kind] of [
      ['first_name', 'person_name'],
      ['dob', 'date_of_birth'],
    ] as const) {
      const m = byColumn(column)!;
      expect(m.kinds).toEqual([kind]);
      expect(m.detectedBy).toEqual(['name']);
      expect(m.confidence).toBe('low');
      expect(m.isPii).toBe(true);
    }
    expect(byColumn('first_name')!.examples).toEqual(['A***', 'B***', 'C***']);
  });

  it('stays quiet on dates, amounts, free text, codes, integers and booleans', () => {
    const flagged = matches.map((m) => m.column);
    for (const column of [
      'signup',
      'signup_text',
      'stamp_text',
      'amount',
      'amount_text',
      'notes',
      'product_code',
      'numeric_code',
      'quantity',
      'big_id',
      'plan',
      'email_opt_in',
      'email_count',
      'address_verified_at',
      'empty',
    ]) {
      expect(flagged, column).not.toContain(column);
    }
  });

  it('reports examples masked, never raw', () => {
    const raw = new Set<string>();
    for (const c of Object.values(COLUMNS)) {
      for (let i = 0; i < ROWS; i++) {
        const v = c.value(i);
        if (typeof v === 'string' && v.length > 3) raw.add(v);
      }
    }
    for (const m of matches) {
      expect(m.examples.length, m.column).toBeGreaterThan(m.column === 'dob' ? -1 : 0);
      for (const example of m.examples) {
        expect(raw.has(example), `${m.column}: ${example}`).toBe(false);
        for (const value of raw) expect(example.includes(value)).toBe(false);
      }
    }
    expect(byColumn('contact')!.examples[0]).toMatch(/^\w\*\*\*@e\*\*\*\.(com|org|net)$/);
    expect(byColumn('payment')!.examples[0]).toMatch(/^\*\*\*\* \*\*\*\* \*\*\*\* \d{4}$/);
  });

  it('samples deterministically and at most sampleRows values', async () => {
    const again = await scanPii(session, 'people', columns, { sampleRows: 1000 });
    expect(again).toEqual(matches);
    const small = await scanPii(session, 'people', columns, { sampleRows: 50 });
    expect(byColumnIn(small, 'contact')!.sampled).toBe(50);
    expect(await scanPii(session, 'people', columns, { sampleRows: 50 })).toEqual(small);
  });

  it('refuses a sample size that is not a positive integer', async () => {
    await expect(scanPii(session, 'people', columns, { sampleRows: 0 })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('honours another threshold', async () => {
    const loose = await scanPii(session, 'people', columns, { sampleRows: 1000, threshold: 0.05 });
    expect(byColumnIn(loose, 'remarks')!.isPii).toBe(true);
    expect(byColumnIn(loose, 'remarks')!.confidence).toBe('high');
  });
});

function byColumnIn(list: readonly PiiMatch[], name: string) {
  return list.find((m) => m.column === name);
}
