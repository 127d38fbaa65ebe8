import { describe, expect, it } from 'vitest';
import { ACTIONS, ROLES, type Role, roleAllows } from './roles.js';

describe('roles', () => {
  it('grants each role its rights and every right of the roles below it', () => {
    const matrix = Object.fromEntries(
      ROLES.map((role) => [role, ACTIONS.filter((action) => roleAllows(role, action))]),
    );
    expect(matrix).toEqual({
      viewer: ['read'],
      predictor: ['read', 'predict', 'feedback', 'ingest'],
      'data-scientist': ['read', 'predict', 'feedback', 'ingest', 'register'],
      deployer: ['read', 'predict', 'feedback', 'ingest', 'register', 'deploy'],
      admin: ['read', 'predict', 'feedback', 'ingest', 'register', 'deploy', 'admin'],
    });
  });

  it('grants nothing to an unknown role', () => {
    expect(roleAllows('root' as Role, 'read')).toBe(false);
    expect(roleAllows('__proto__' as Role, 'read')).toBe(false);
  });
});
