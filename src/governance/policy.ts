/**
 * The governance section of the spec as this module reads it, and the checks
 * that need the data's columns (the schema alone cannot know them): every
 * policy names a real column, `hash` has a salt, consent names a column,
 * retention has an event time.
 */
import { FlywheelError } from '../errors.js';
import { didYouMean, type Spec } from '../spec/index.js';

/** `governance` of a validated spec (absent when the spec has none). */
export type Governance = Spec['governance'];
export type PiiPolicy = NonNullable<NonNullable<Governance>['pii']>[string];

/** The policy the spec declares for `column`, if any. */
export function policyOf(governance: Governance, column: string): PiiPolicy | undefined {
  const pii = governance?.pii;
  return pii !== undefined && Object.hasOwn(pii, column) ? pii[column] : undefined;
}

function missingColumn(path: string, column: string, columns: readonly string[]): FlywheelError {
  return new FlywheelError(
    'SPEC_INVALID',
    `${path}: no column "${column}" in the data${didYouMean(column, columns)}`,
    { details: { field: path }, hint: `Columns: ${columns.slice(0, 20).join(', ')}` },
  );
}

/** Throws SPEC_INVALID naming `governance.pii.<col>` for a policy on a column the data lacks. */
export function checkPolicyColumns(governance: Governance, columns: readonly string[]): void {
  const known = new Set(columns);
  for (const column of Object.keys(governance?.pii ?? {})) {
    if (!known.has(column)) throw missingColumn(`governance.pii.${column}`, column, columns);
  }
}

/**
 * Every check of the governance section against the data's columns: policies
 * name real columns, `hash` has a salt, the consent column exists, and
 * retention has an event time column. Throws SPEC_INVALID on the first problem.
 *
 * @example
 * validateGovernance(spec.governance, ['email', 'consent'], spec.event_time);
 */
export function validateGovernance(
  governance: Governance,
  columns: readonly string[],
  eventTime?: string,
): void {
  if (governance === undefined) return;
  checkPolicyColumns(governance, columns);
  const hashed = Object.entries(governance.pii ?? {}).filter(([, p]) => p.policy === 'hash');
  if (hashed.length > 0 && governance.salt === undefined) {
    throw new FlywheelError(
      'SPEC_INVALID',
      `governance.salt: ${hashed.map(([c]) => `governance.pii.${c}`).join(', ')} uses hash, which needs a salt`,
      {
        details: { field: 'governance.salt' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${ENV} syntax, shown literally
        hint: 'Set `salt: ${FLYWHEEL_PII_SALT}` under governance and export a secret of at least 16 characters in that variable; never write the salt itself in the spec.',
      },
    );
  }
  const { consent } = governance;
  if (consent !== undefined && !columns.includes(consent)) {
    throw missingColumn('governance.consent', consent, columns);
  }
  if (governance.retention_days !== undefined) {
    if (eventTime === undefined) {
      throw new FlywheelError(
        'SPEC_INVALID',
        'governance.retention_days: retention needs the time of each row, but the spec has no event_time',
        {
          details: { field: 'governance.retention_days' },
          hint: 'Set event_time to a date column.',
        },
      );
    }
    if (!columns.includes(eventTime)) throw missingColumn('event_time', eventTime, columns);
  }
}
