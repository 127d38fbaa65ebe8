/** Roles from the spec: defaults without a roles section, exact lists with one, `*` for anyone. */
import { describe, expect, it } from 'vitest';
import type { Governance } from './policy.js';
import { can, rolesFromSpec } from './roles.js';

const withRoles = (roles: { read_pii: string[]; register: string[]; deploy: string[] }) =>
  ({ roles, scan_rows: 10_000 }) as Governance;

describe('roles', () => {
  it('without governance.roles: anyone registers and deploys, nobody reads raw PII', () => {
    for (const governance of [undefined, { scan_rows: 10_000 } as Governance]) {
      const roles = rolesFromSpec(governance);
      expect(can(roles, 'ann', 'register')).toBe(true);
      expect(can(roles, 'ann', 'deploy')).toBe(true);
      expect(can(roles, 'ann', 'read_pii')).toBe(false);
    }
  });

  it('with governance.roles: exactly the listed principals; an empty list allows nobody', () => {
    const roles = rolesFromSpec(
      withRoles({ read_pii: ['dpo'], register: ['ann', 'bob'], deploy: [] }),
    );
    expect(roles).toEqual({ read_pii: ['dpo'], register: ['ann', 'bob'], deploy: [] });
    expect(can(roles, 'dpo', 'read_pii')).toBe(true);
    expect(can(roles, 'ann', 'read_pii')).toBe(false);
    expect(can(roles, 'bob', 'register')).toBe(true);
    expect(can(roles, 'Bob', 'register')).toBe(false);
    expect(can(roles, 'ann', 'deploy')).toBe(false);
    expect(can(roles, '', 'register')).toBe(false);
  });

  it('`*` allows everyone', () => {
    const roles = rolesFromSpec(withRoles({ read_pii: [], register: ['*'], deploy: ['ops'] }));
    expect(can(roles, 'anyone-at-all', 'register')).toBe(true);
    expect(can(roles, 'anyone-at-all', 'deploy')).toBe(false);
  });
});
