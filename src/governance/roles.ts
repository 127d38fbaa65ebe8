/**
 * Who may do what with governed data: read raw PII, register models, deploy
 * them. The spec lists principals per action; the server enforces them.
 */
import type { Governance } from './policy.js';

export const GOVERNED_ACTIONS = ['read_pii', 'register', 'deploy'] as const;
export type GovernedAction = (typeof GOVERNED_ACTIONS)[number];

/** Principals allowed per action; `*` allows everyone. */
export type Roles = Readonly<Record<GovernedAction, readonly string[]>>;

/** Everyone, in a role list. */
export const ANYONE = '*';

/**
 * The roles the spec declares. Without `governance.roles`, anyone may
 * register and deploy (a single-user project) but nobody may read raw PII;
 * with it, each list is exactly what it says, and an empty list allows nobody.
 *
 * @example
 * rolesFromSpec({ roles: { read_pii: ['dpo'], register: ['ann'], deploy: [] }, scan_rows: 10000 })
 * // { read_pii: ['dpo'], register: ['ann'], deploy: [] }
 */
export function rolesFromSpec(governance: Governance): Roles {
  const roles = governance?.roles;
  if (roles === undefined) return { read_pii: [], register: [ANYONE], deploy: [ANYONE] };
  return {
    read_pii: [...roles.read_pii],
    register: [...roles.register],
    deploy: [...roles.deploy],
  };
}

/**
 * Whether `principal` may perform `action` (names compare exactly).
 *
 * @example
 * can(rolesFromSpec(spec.governance), 'ann', 'deploy')
 */
export function can(roles: Roles, principal: string, action: GovernedAction): boolean {
  const allowed = roles[action];
  return allowed.includes(ANYONE) || (principal !== '' && allowed.includes(principal));
}
