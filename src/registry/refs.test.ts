import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { assertAliasName, assertModelName, parseModelRef } from './refs.js';

function usage(fn: () => unknown): FlywheelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('USAGE');
    return err as FlywheelError;
  }
  throw new Error('expected a USAGE error');
}

describe('model references', () => {
  it.each([
    ['churn', { name: 'churn', alias: 'champion' }],
    ['churn@3', { name: 'churn', version: 3 }],
    ['churn@v12', { name: 'churn', version: 12 }],
    ['churn@champion', { name: 'churn', alias: 'champion' }],
    ['my-model_2@staging-eu', { name: 'my-model_2', alias: 'staging-eu' }],
  ])('parses %s', (ref, expected) => {
    expect(parseModelRef(ref)).toEqual(expected);
  });

  it.each([
    '',
    '@3',
    'churn@',
    'churn@0',
    'churn@v0',
    'churn@-1',
    'churn@3@4',
    'churn@1.5',
    '../../etc/passwd',
    'churn@../x',
    'chu rn',
    '3churn',
  ])('refuses %j with USAGE', (ref) => {
    const err = usage(() => parseModelRef(ref));
    expect(err.hint).toMatch(/NAME@VERSION/);
  });

  it('never echoes hostile input', () => {
    const err = usage(() => parseModelRef('<script>alert(1)</script>@x'));
    expect(err.message).not.toContain('<script>');
  });

  it('keeps aliases apart from version syntax', () => {
    usage(() => assertAliasName('v3'));
    usage(() => assertAliasName('3'));
    usage(() => assertAliasName('has space'));
    expect(() => assertAliasName('canary')).not.toThrow();
    usage(() => assertModelName('a'.repeat(129)));
    expect(() => assertModelName('a'.repeat(128))).not.toThrow();
  });
});
