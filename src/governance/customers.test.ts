/**
 * The customers example: deterministic for a seed, valid identifiers of every
 * kind, about 85% consent, a churn target a model can learn, and a CSV that
 * DuckDB reads with the intended types and the PII scan flags.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../test/fixtures/tmp.js';
import { DuckSession } from '../data/duck.js';
import { sqlString } from '../sql.js';
import {
  CUSTOMER_COLUMNS,
  customersCsv,
  generateCustomers,
  writeCustomersCsv,
} from './customers.js';
import { scanPii } from './pii-scan.js';
import { isCardNumber, isEmail, isIban, isIpv4, isIpv6, isPhone } from './validators.js';

const rows = generateCustomers({ rows: 5000, seed: 7 });

describe('generateCustomers', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateCustomers({ rows: 50, seed: 7 })).toEqual(rows.slice(0, 50));
    expect(generateCustomers({ rows: 50, seed: 8 })).not.toEqual(rows.slice(0, 50));
  });

  it('makes valid identifiers of every kind', () => {
    for (const r of rows) {
      expect(isEmail(r.email), r.email).toBe(true);
      expect(isCardNumber(r.card_number), r.card_number).toBe(true);
      if (r.phone !== null) expect(isPhone(r.phone), r.phone).toBe(true);
      if (r.iban !== null) expect(isIban(r.iban), r.iban).toBe(true);
      if (r.ip_address !== null) {
        expect(isIpv4(r.ip_address) || isIpv6(r.ip_address), r.ip_address).toBe(true);
      }
    }
    const share = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length / rows.length;
    expect(share((r) => r.iban !== null)).toBeGreaterThan(0.2);
    expect(share((r) => r.iban !== null)).toBeLessThan(0.6);
    expect(share((r) => r.ip_address?.includes(':') ?? false)).toBeGreaterThan(0.05);
  });

  it('spreads signups over two years and gives about 85% consent', () => {
    const dates = rows.map((r) => r.signup_date).sort();
    expect(dates[0]! >= '2023-01-01').toBe(true);
    expect(dates.at(-1)! <= '2024-12-31').toBe(true);
    expect(dates.filter((d) => d < '2024-01-01').length / rows.length).toBeCloseTo(0.5, 1);
    const consent = rows.filter((r) => r.consent_marketing).length / rows.length;
    expect(consent).toBeGreaterThan(0.82);
    expect(consent).toBeLessThan(0.88);
  });

  it('has a churn target that depends on the features', () => {
    const rate = (f: (r: (typeof rows)[number]) => boolean) => {
      const group = rows.filter(f);
      return group.filter((r) => r.churned === 1).length / group.length;
    };
    const overall = rate(() => true);
    expect(overall).toBeGreaterThan(0.15);
    expect(overall).toBeLessThan(0.4);
    expect(rate((r) => r.support_tickets >= 3)).toBeGreaterThan(
      rate((r) => r.support_tickets === 0) + 0.2,
    );
    expect(rate((r) => r.tenure_months <= 6)).toBeGreaterThan(
      rate((r) => r.tenure_months >= 18) + 0.1,
    );
    expect(rate((r) => r.plan === 'basic')).toBeGreaterThan(rate((r) => r.plan === 'premium'));
  });
});

describe('customers CSV', () => {
  it('writes a file DuckDB reads with the intended types, and the scan flags its PII', async () => {
    const file = path.join(testDir('customers'), 'data', 'customers.csv');
    await writeCustomersCsv(file, { rows: 2000, seed: 7 });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(customersCsv(generateCustomers({ rows: 2000, seed: 7 })));
    expect(text.split('\n')[0]).toBe(CUSTOMER_COLUMNS.join(','));

    const session = await DuckSession.open();
    try {
      await session.run(`CREATE VIEW customers AS SELECT * FROM read_csv(${sqlString(file)})`);
      const columns = await session.describe('customers');
      const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
      expect(types).toMatchObject({
        signup_date: 'DATE',
        consent_marketing: 'BOOLEAN',
        monthly_spend: 'DOUBLE',
        churned: 'BIGINT',
        card_number: 'VARCHAR',
      });
      const matches = await scanPii(session, 'customers', columns, { sampleRows: 10_000 });
      const pii = matches.filter((m) => m.isPii).map((m) => [m.column, m.kinds[0]]);
      expect(pii).toEqual([
        ['email', 'email'],
        ['phone', 'phone'],
        ['card_number', 'card_number'],
        ['iban', 'iban'],
        ['ip_address', 'ip_address'],
      ]);
      expect(matches.every((m) => m.confidence === 'high')).toBe(true);
    } finally {
      session.close();
    }
  });
});
