/**
 * Governance applied in DuckDB: dropped and hashed columns, salted and
 * deterministic hashes that keep missing values missing, consent in each
 * column type, retention by event time, and the counts behind the audit.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckSession } from '../data/duck.js';
import { FlywheelError } from '../errors.js';
import {
  countGovernanceExclusions,
  createGovernedView,
  givesConsent,
  governedSelect,
  SALT_VARIABLE,
} from './governed-select.js';
import type { Governance } from './policy.js';

const SALT = 'pepper-0123456789abcdef';
const NOW = new Date('2025-01-01T00:00:00Z');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let session: DuckSession;
beforeEach(async () => {
  session = await DuckSession.open({ threads: 2 });
  await session.run(`CREATE TABLE raw AS SELECT * FROM (VALUES
    (1, 'a@example.com', '4111 1111 1111 1111', TRUE,  1,    'yes',  DATE '2024-12-01', '2024-12-01T10:00:00Z'),
    (2, 'b@example.com', NULL,                  FALSE, 0,    'no',   DATE '2024-06-01', '2024-06-01'),
    (3, NULL,            '',                    NULL,  NULL, NULL,   DATE '2023-06-01', '2023-06-01'),
    (4, 'a@example.com', '5555555555554444',    TRUE,  1,    ' TRUE', DATE '2023-12-31', 'garbage'),
    (5, 'e@example.com', '4000000000000002',    TRUE,  2,    'Y',    NULL,              NULL)
  ) t(id, email, card, consent_b, consent_n, consent_t, signup, signup_text)`);
});
afterEach(() => session.close());

const columns = async () => session.describe('raw');
const gov = (g: Partial<NonNullable<Governance>>) => ({ scan_rows: 10_000, ...g }) as Governance;

async function read(sql: string) {
  return session.rows(`${sql} ORDER BY id`);
}

describe('governedSelect', () => {
  it('drops and hashes columns, keeping the others in order', async () => {
    const view = await createGovernedView(session, {
      input: 'raw',
      output: 'governed',
      columns: await columns(),
      governance: gov({ pii: { card: { policy: 'drop' }, email: { policy: 'hash' } }, salt: SALT }),
      now: NOW,
    });
    expect(view.dropped).toEqual(['card']);
    expect(view.hashed).toEqual(['email']);
    const out = await session.describe('governed');
    expect(out.map((c) => c.name)).toEqual([
      'id',
      'email',
      'consent_b',
      'consent_n',
      'consent_t',
      'signup',
      'signup_text',
    ]);
    const rows = await read('SELECT id, email FROM governed');
    expect(rows.map((r) => r['email'])).toEqual([
      sha(`${SALT}a@example.com`),
      sha(`${SALT}b@example.com`),
      null, // missing stays missing
      sha(`${SALT}a@example.com`), // same value, same hash
      sha(`${SALT}e@example.com`),
    ]);
    expect(view.counts).toEqual({ total: 5, kept: 5, withoutConsent: 0, pastRetention: 0 });
  });

  it('salts the hash: another salt gives other hashes', async () => {
    const make = async (salt: string, output: string) => {
      await createGovernedView(session, {
        input: 'raw',
        output,
        columns: await columns(),
        governance: gov({ pii: { email: { policy: 'hash' } }, salt }),
        now: NOW,
      });
      return (await read(`SELECT id, email FROM ${output}`)).map((r) => r['email']);
    };
    const first = await make(SALT, 'g1');
    expect(await make(SALT, 'g1b')).toEqual(first);
    const other = await make('another-salt-of-16+chars', 'g2');
    expect(other[0]).not.toEqual(first[0]);
    expect(other[0]).not.toEqual(sha('a@example.com'));
  });

  it('keeps the salt out of the SQL text and fails loudly when it is not set', async () => {
    const plan = governedSelect({
      input: 'raw',
      columns: await columns(),
      governance: gov({ pii: { email: { policy: 'hash' } }, salt: SALT }),
      now: NOW,
    });
    expect(plan.sql).not.toContain(SALT);
    expect(plan.sql).toContain(SALT_VARIABLE);
    await expect(session.rows(plan.sql)).rejects.toThrow(/salt is not set/);
  });

  it('refuses hash without a salt, with a hint about environment variables', async () => {
    let err: unknown;
    try {
      governedSelect({
        input: 'raw',
        columns: await columns(),
        governance: gov({ pii: { email: { policy: 'hash' } } }),
        now: NOW,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('SPEC_INVALID');
    expect((err as FlywheelError).hint).toMatch(/variable/);
  });

  it.each([
    ['consent_b', [1, 4, 5]],
    ['consent_n', [1, 4]],
    ['consent_t', [1, 4, 5]],
  ])('keeps only rows with consent in %s', async (consent, kept) => {
    const view = await createGovernedView(session, {
      input: 'raw',
      output: 'governed',
      columns: await columns(),
      governance: gov({ consent }),
      now: NOW,
    });
    const rows = await read('SELECT id FROM governed');
    expect(rows.map((r) => r['id'])).toEqual(kept);
    expect(view.counts).toMatchObject({
      total: 5,
      kept: kept.length,
      withoutConsent: 5 - kept.length,
    });
  });

  it('refuses a consent column of a type that cannot hold consent', async () => {
    const cols = await columns();
    expect(() =>
      governedSelect({
        input: 'raw',
        columns: cols,
        governance: gov({ consent: 'signup' }),
        now: NOW,
      }),
    ).toThrow(/governance\.consent: column "signup" is DATE/);
  });

  it.each([
    ['signup', 365, [1, 2]], // 2024-01-02 cutoff; 2023 rows and the missing date excluded
    ['signup', 60, [1]],
    ['signup_text', 365, [1, 2]], // unreadable text counts as missing
    ['signup', 1000, [1, 2, 3, 4]],
  ])('retention on %s over %i days keeps %j', async (eventTime, days, kept) => {
    const view = await createGovernedView(session, {
      input: 'raw',
      output: 'governed',
      columns: await columns(),
      governance: gov({ retention_days: days }),
      eventTime,
      now: NOW,
    });
    expect((await read('SELECT id FROM governed')).map((r) => r['id'])).toEqual(kept);
    expect(view.counts.pastRetention).toBe(5 - kept.length);
    expect(view.retentionCutoff).toBe(new Date(NOW.getTime() - days * 86_400_000).toISOString());
  });

  it('combines consent and retention, counting each rule on its own', async () => {
    const plan = governedSelect({
      input: 'raw',
      columns: await columns(),
      governance: gov({ consent: 'consent_b', retention_days: 365 }),
      eventTime: 'signup',
      now: NOW,
    });
    expect(plan.filters).toHaveLength(2);
    expect((await read(plan.sql)).map((r) => r['id'])).toEqual([1]);
    // No consent: 2, 3. Past retention or undated: 3, 4, 5.
    expect(await countGovernanceExclusions(session, plan)).toEqual({
      total: 5,
      kept: 1,
      withoutConsent: 2,
      pastRetention: 3,
    });
  });

  it('is a plain SELECT without governance', async () => {
    const plan = governedSelect({
      input: 'raw',
      columns: await columns(),
      governance: undefined,
      now: NOW,
    });
    expect(plan).toMatchObject({ dropped: [], hashed: [], filters: [] });
    expect(await read(plan.sql)).toHaveLength(5);
  });

  it('refuses to drop every column', async () => {
    const cols = await columns();
    const all = Object.fromEntries(cols.map((c) => [c.name, { policy: 'drop' as const }]));
    expect(() =>
      governedSelect({ input: 'raw', columns: cols, governance: gov({ pii: all }), now: NOW }),
    ).toThrow(/every column is dropped/);
  });
});

describe('givesConsent (the consent rule for one served value)', () => {
  it('accepts exactly what the governed views accept', () => {
    for (const yes of [true, 1, 'true', ' Yes ', 'Y', 't', '1'])
      expect(givesConsent(yes)).toBe(true);
    for (const no of [false, 0, 2, 'false', 'no', '', 'n', null, undefined, {}, [true]]) {
      expect(givesConsent(no)).toBe(false);
    }
  });
});
