/** Findings from scan matches under governance.pii: block, info, warn, and bad policies. */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { blocking } from '../findings.js';
import { piiFindings } from './pii-findings.js';
import type { PiiMatch } from './pii-scan.js';
import { checkPolicyColumns, type Governance, validateGovernance } from './policy.js';

function match(column: string, patch: Partial<PiiMatch> = {}): PiiMatch {
  return {
    column,
    kinds: ['email'],
    detectedBy: ['value'],
    confidence: 'high',
    isPii: true,
    sampled: 1000,
    matchRate: 0.98,
    distinctMatchRate: 0.99,
    examples: ['j***@e***.com'],
    ...patch,
  };
}

const columns = ['email', 'phone', 'first_name', 'notes', 'signup', 'consent'];
const governance = (
  pii: NonNullable<Governance>['pii'],
  extra: Partial<NonNullable<Governance>> = {},
) => ({ pii, scan_rows: 10_000, ...extra }) as Governance;

describe('piiFindings', () => {
  it('blocks a PII column with no policy, naming the column and the numbers', () => {
    const findings = piiFindings([match('email')], undefined, columns);
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ check: 'governance.pii', column: 'email', severity: 'block' });
    expect(f!.message).toContain('e-mail addresses');
    expect(f!.message).toContain('99%');
    expect(f!.message).toContain('governance.pii.email');
    expect(f!.evidence['examples']).toEqual(['j***@e***.com']);
  });

  it('blocks a column flagged by name only, saying so', () => {
    const [f] = piiFindings(
      [
        match('first_name', {
          kinds: ['person_name'],
          detectedBy: ['name'],
          confidence: 'low',
          sampled: 0,
          matchRate: 0,
          distinctMatchRate: 0,
        }),
      ],
      undefined,
      columns,
    );
    expect(f!.severity).toBe('block');
    expect(f!.message).toContain('by name only');
  });

  it('reports handled columns as info with their policy and reason', () => {
    const findings = piiFindings(
      [match('email'), match('phone', { kinds: ['phone'] })],
      governance({
        email: { policy: 'hash' },
        phone: { policy: 'allow', reason: 'support calls back' },
      }),
      columns,
    );
    expect(blocking(findings)).toEqual([]);
    expect(findings.map((f) => f.severity)).toEqual(['info', 'info']);
    expect(findings[0]!.message).toContain('governance.pii.email: hash');
    expect(findings[1]!.message).toContain('support calls back');
    expect(findings[1]!.evidence['policy']).toBe('allow');
  });

  it('warns about a partial match, and reports policies on columns the scan did not flag', () => {
    const findings = piiFindings(
      [match('notes', { isPii: false, confidence: 'low', matchRate: 0.1, distinctMatchRate: 0.1 })],
      governance({ signup: { policy: 'drop' } }),
      columns,
    );
    expect(findings.map((f) => [f.column, f.severity])).toEqual([
      ['notes', 'warn'],
      ['signup', 'info'],
    ]);
    expect(findings[1]!.message).toContain('not flagged');
  });

  it('refuses a policy on a column that does not exist, naming its path', () => {
    const bad = governance({ emial: { policy: 'drop' } });
    const err = (() => {
      try {
        piiFindings([], bad, columns);
      } catch (e) {
        return e;
      }
    })() as FlywheelError;
    expect(err).toBeInstanceOf(FlywheelError);
    expect(err.code).toBe('SPEC_INVALID');
    expect(err.message).toContain('governance.pii.emial');
    expect(err.message).toContain('did you mean "email"');
    expect(() => checkPolicyColumns(bad, columns)).toThrow(/governance\.pii\.emial/);
  });
});

describe('validateGovernance', () => {
  it('needs a salt for hash, with a hint to use an environment variable', () => {
    let err: FlywheelError | undefined;
    try {
      validateGovernance(governance({ email: { policy: 'hash' } }), columns);
    } catch (e) {
      err = e as FlywheelError;
    }
    expect(err?.code).toBe('SPEC_INVALID');
    expect(err?.message).toContain('governance.pii.email');
    expect(err?.hint).toContain('${');
  });

  it('needs an existing consent column and an event time for retention', () => {
    expect(() =>
      validateGovernance(governance(undefined, { consent: 'concent' }), columns),
    ).toThrow(/governance\.consent.*did you mean "consent"/);
    expect(() =>
      validateGovernance(governance(undefined, { retention_days: 30 }), columns),
    ).toThrow(/event_time/);
    expect(() =>
      validateGovernance(governance(undefined, { retention_days: 30 }), columns, 'signed_up'),
    ).toThrow(/event_time: no column "signed_up"/);
    expect(() =>
      validateGovernance(
        governance(undefined, { retention_days: 30, consent: 'consent' }),
        columns,
        'signup',
      ),
    ).not.toThrow();
  });
});
