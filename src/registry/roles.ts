/**
 * Roles of API tokens and what each may do. Each role holds every right of
 * the role before it: viewer ⊂ predictor ⊂ data-scientist ⊂ deployer ⊂ admin.
 */

export const ROLES = ['viewer', 'predictor', 'data-scientist', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a request may want to do. */
export const ACTIONS = [
  'read',
  'predict',
  'feedback',
  'ingest',
  'register',
  'deploy',
  'admin',
] as const;
export type Action = (typeof ACTIONS)[number];

const GRANTS: Readonly<Record<Role, readonly Action[]>> = {
  viewer: ['read'],
  predictor: ['read', 'predict', 'feedback', 'ingest'],
  'data-scientist': ['read', 'predict', 'feedback', 'ingest', 'register'],
  deployer: ['read', 'predict', 'feedback', 'ingest', 'register', 'deploy'],
  admin: ACTIONS,
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Whether `role` may do `action`; unknown roles may do nothing.
 *
 * @example
 * roleAllows('predictor', 'predict'); // true
 * roleAllows('predictor', 'deploy');  // false
 */
export function roleAllows(role: Role, action: Action): boolean {
  return isRole(role) && GRANTS[role].includes(action);
}
