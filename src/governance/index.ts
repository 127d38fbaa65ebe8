/**
 * Step 3 governance: the PII scan (validated by value, hinted by name), the
 * findings it raises against `governance.pii`, the governed SELECT that drops,
 * hashes and filters by consent and retention, the purge of expired logs,
 * roles, the audit records of every governance action, and the `customers`
 * example table.
 */
export {
  describeGovernance,
  type GovernanceApplied,
  type RecordGovernanceOptions,
  recordGovernance,
} from './audit.js';
export {
  CUSTOMER_COLUMNS,
  type CustomerRow,
  type CustomersOptions,
  customersCsv,
  generateCustomers,
  writeCustomersCsv,
} from './customers.js';
export {
  CONSENT_TEXT,
  countGovernanceExclusions,
  createGovernedView,
  type GovernanceCounts,
  type GovernedSelect,
  type GovernedSelectOptions,
  type GovernedView,
  givesConsent,
  governedSelect,
  SALT_VARIABLE,
} from './governed-select.js';
export { maskUnrecognised, maskValue } from './mask.js';
export { piiFindings } from './pii-findings.js';
export {
  nameKind,
  nameTokens,
  PII_KIND_LABELS,
  PII_KINDS,
  type PiiKind,
  valueKind,
} from './pii-kinds.js';
export {
  PII_MATCH_THRESHOLD,
  PII_PARTIAL_MIN,
  type PiiDetection,
  type PiiMatch,
  type PiiScanColumn,
  type PiiScanOptions,
  scanPii,
} from './pii-scan.js';
export {
  checkPolicyColumns,
  type Governance,
  type PiiPolicy,
  policyOf,
  validateGovernance,
} from './policy.js';
export { type PurgeOptions, type PurgeResult, purgeExpired } from './purge.js';
export {
  ANYONE,
  can,
  GOVERNED_ACTIONS,
  type GovernedAction,
  type Roles,
  rolesFromSpec,
} from './roles.js';
export {
  ibanMod97,
  isCardNumber,
  isEmail,
  isIban,
  isIpv4,
  isIpv6,
  isPhone,
  isSsn,
  luhn,
} from './validators.js';
