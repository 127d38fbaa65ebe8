/**
 * A finding is what a data check (quality, leakage, signal, governance) has to
 * say about the data: which check, which column, how bad, and the evidence a
 * person needs to judge it. Blocking findings stop `flywheel run` (exit 3)
 * unless the spec acknowledges them with a reason.
 */

export type Severity = 'info' | 'warn' | 'block';

export interface Finding {
  /** Stable check id, e.g. `quality.missing`, `leakage.single_feature_auc`, `governance.pii`. */
  readonly check: string;
  /** The column the finding is about, when there is one. */
  readonly column?: string;
  readonly severity: Severity;
  /** One sentence a person can act on, naming the column and the numbers. */
  readonly message: string;
  /** The numbers and examples behind the finding (JSON-safe). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Set when the spec acknowledged a blocking finding; it no longer blocks. */
  readonly acknowledged?: string;
}

/** The key an acknowledgement in the spec uses: `check` or `check:column`. */
export function findingKey(f: Pick<Finding, 'check' | 'column'>): string {
  return f.column === undefined ? f.check : `${f.check}:${f.column}`;
}

/**
 * Applies the spec's acknowledgements (key → reason): an acknowledged
 * blocking finding is kept, downgraded to a warning, and carries the reason.
 * Governance findings cannot be acknowledged: personal data is handled by a
 * policy (`allow` with a reason), never waved through.
 */
export function acknowledge(
  findings: readonly Finding[],
  acknowledgements: Readonly<Record<string, string>> = {},
): Finding[] {
  return findings.map((f) => {
    const reason = acknowledgements[findingKey(f)] ?? acknowledgements[f.check];
    if (reason === undefined || f.severity !== 'block' || f.check.startsWith('governance.'))
      return f;
    return { ...f, severity: 'warn', acknowledged: reason };
  });
}

/** Findings that still block, after acknowledgements. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'block');
}
