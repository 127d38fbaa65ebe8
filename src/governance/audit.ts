/**
 * Every governance action goes to the audit log: the policy in force when a
 * snapshot is made (`governance.policy`) and what applying it did to the rows
 * and columns (`governance.apply`). The salt is never recorded, only whether
 * one is set; scan results are recorded as kinds and rates, never examples.
 */
import type { AuditRecord, MetadataStore } from '../store/index.js';
import type { GovernedView } from './governed-select.js';
import type { PiiMatch } from './pii-scan.js';
import type { Governance } from './policy.js';
import { rolesFromSpec } from './roles.js';

/** What applying governance did, as recorded (a GovernedView has this shape). */
export type GovernanceApplied = Pick<
  GovernedView,
  'dropped' | 'hashed' | 'retentionCutoff' | 'counts'
>;

export interface RecordGovernanceOptions {
  /** Who acted. */
  actor: string;
  /** The snapshot the governance was applied to. */
  snapshotId: string;
  governance: Governance;
  /** What applying it did; when given, a `governance.apply` record is written too. */
  applied?: GovernanceApplied;
  /** The PII scan's matches, recorded as kinds and rates. */
  matches?: readonly PiiMatch[];
}

/**
 * The governance section as recorded: each column's policy and reason, the
 * consent and retention rules, the roles; whether a salt is set, never the salt.
 *
 * @example
 * describeGovernance(spec.governance).hashed; // ['email']
 */
export function describeGovernance(governance: Governance): Record<string, unknown> {
  const columns = Object.entries(governance?.pii ?? {}).map(([column, p]) => ({
    column,
    policy: p.policy,
    reason: p.reason ?? null,
  }));
  const of = (policy: string) => columns.filter((c) => c.policy === policy).map((c) => c.column);
  return {
    dropped: of('drop'),
    hashed: of('hash'),
    allowed: of('allow'),
    columns,
    saltSet: governance?.salt !== undefined,
    consent:
      governance?.consent === undefined
        ? null
        : {
            column: governance.consent,
            rule: 'only rows where it is TRUE, 1, or the text true/t/yes/y/1',
          },
    retentionDays: governance?.retention_days ?? null,
    roles: rolesFromSpec(governance),
  };
}

/**
 * Records, in one transaction, the governance policy in force for a snapshot
 * (`governance.policy`) and, when `applied` is given, what it did
 * (`governance.apply`: columns dropped and hashed, rows excluded by consent
 * and by retention, the retention cutoff).
 *
 * @example
 * await recordGovernance(stores.metadata, {
 *   actor: 'ann', snapshotId, governance: spec.governance, applied: view, matches,
 * });
 */
export function recordGovernance(
  store: MetadataStore,
  options: RecordGovernanceOptions,
): Promise<AuditRecord[]> {
  const { actor, snapshotId, applied, matches } = options;
  const policy: Record<string, unknown> = describeGovernance(options.governance);
  if (matches !== undefined) {
    policy['scan'] = matches.map((m) => ({
      column: m.column,
      kinds: m.kinds,
      detectedBy: m.detectedBy,
      isPii: m.isPii,
      matchRate: m.matchRate,
      distinctMatchRate: m.distinctMatchRate,
    }));
  }
  const entry = { actor, objectType: 'snapshot', objectId: snapshotId };
  return store.transaction(async (tx) => {
    const records = [await tx.audit({ ...entry, action: 'governance.policy', details: policy })];
    if (applied !== undefined) {
      records.push(
        await tx.audit({
          ...entry,
          action: 'governance.apply',
          details: {
            dropped: applied.dropped,
            hashed: applied.hashed,
            rows: applied.counts.total,
            kept: applied.counts.kept,
            withoutConsent: applied.counts.withoutConsent,
            pastRetention: applied.counts.pastRetention,
            retentionCutoff: applied.retentionCutoff ?? null,
          },
        }),
      );
    }
    return records;
  });
}
