/**
 * Turns the PII scan into findings against the spec's `governance.pii`: a PII
 * column without a policy blocks (`flywheel run` exits 3), a handled one is
 * reported with its policy, and a partial match (some values validated, too
 * few to call the column PII) is a warning to look at.
 */
import type { Finding } from '../findings.js';
import { PII_KIND_LABELS } from './pii-kinds.js';
import type { PiiMatch } from './pii-scan.js';
import { PII_MATCH_THRESHOLD } from './pii-scan.js';
import { checkPolicyColumns, type Governance, type PiiPolicy, policyOf } from './policy.js';

const CHECK = 'governance.pii';

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function what(match: PiiMatch): string {
  const kinds = match.kinds.map((k) => PII_KIND_LABELS[k]).join(' and ');
  if (!match.detectedBy.includes('value'))
    return `is named like a column of ${kinds} (by name only)`;
  const rate = Math.max(match.matchRate, match.distinctMatchRate);
  const share = `${percent(rate)} of ${match.sampled} sampled values pass the check`;
  return match.isPii ? `holds ${kinds} (${share})` : `partly holds ${kinds} (${share})`;
}

function describePolicy(column: string, policy: PiiPolicy): string {
  const action = {
    drop: 'dropped before any snapshot',
    hash: 'replaced by a salted SHA-256',
    allow: 'kept as it is',
  }[policy.policy];
  const reason = policy.reason === undefined ? '' : ` (reason: ${policy.reason})`;
  return `governance.pii.${column}: ${policy.policy}, ${action}${reason}`;
}

/**
 * Findings for the scan's matches under `governance` (`governance.pii`).
 * `columns`, the data's column names, should be given: then a policy naming
 * a column that does not exist throws SPEC_INVALID naming `governance.pii.<col>`
 * (without them, `checkPolicyColumns` must be called separately).
 *
 * @example
 * const findings = piiFindings(await scanPii(session, 'data', columns, { sampleRows: 10_000 }),
 *   spec.governance, columns.map((c) => c.name));
 * blocking(findings); // PII columns with no policy
 */
export function piiFindings(
  matches: readonly PiiMatch[],
  governance: Governance,
  columns?: readonly string[],
): Finding[] {
  if (columns !== undefined) checkPolicyColumns(governance, columns);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const match of matches) {
    seen.add(match.column);
    const policy = policyOf(governance, match.column);
    const evidence = {
      kinds: match.kinds,
      detectedBy: match.detectedBy,
      confidence: match.confidence,
      sampled: match.sampled,
      matchRate: match.matchRate,
      distinctMatchRate: match.distinctMatchRate,
      threshold: PII_MATCH_THRESHOLD,
      examples: match.examples,
      ...(policy === undefined ? {} : { policy: policy.policy, reason: policy.reason ?? null }),
    };
    const subject = `column "${match.column}" ${what(match)}`;
    if (policy !== undefined) {
      findings.push({
        check: CHECK,
        column: match.column,
        severity: 'info',
        message: `${subject}; ${describePolicy(match.column, policy)}`,
        evidence,
      });
    } else if (match.isPii) {
      findings.push({
        check: CHECK,
        column: match.column,
        severity: 'block',
        message: `${subject} and has no policy; set governance.pii.${match.column} to drop, hash, or allow with a reason`,
        evidence,
      });
    } else {
      findings.push({
        check: CHECK,
        column: match.column,
        severity: 'warn',
        message: `${subject}, below the ${percent(PII_MATCH_THRESHOLD)} that makes it PII; check it, or set governance.pii.${match.column}`,
        evidence,
      });
    }
  }
  for (const [column, policy] of Object.entries(governance?.pii ?? {})) {
    if (seen.has(column)) continue;
    findings.push({
      check: CHECK,
      column,
      severity: 'info',
      message: `column "${column}" was not flagged by the scan; ${describePolicy(column, policy)}`,
      evidence: { kinds: [], policy: policy.policy, reason: policy.reason ?? null },
    });
  }
  return findings;
}
