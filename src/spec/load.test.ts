import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALID_SPEC } from '../../test/fixtures/spec-text.js';
import { testDir } from '../../test/fixtures/tmp.js';
import { FlywheelError } from '../errors.js';
import { loadSpec, parseSpec, type SpecIssue } from './load.js';

function issuesOf(
  text: string,
  env: NodeJS.ProcessEnv = {},
): { code: string; issues: SpecIssue[]; message: string } {
  try {
    parseSpec(text, 'flywheel.yaml', env);
  } catch (err) {
    if (!(err instanceof FlywheelError)) throw err;
    return {
      code: err.code,
      issues: (err.details['issues'] as SpecIssue[]) ?? [],
      message: err.message,
    };
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseSpec', () => {
  it('accepts a valid spec and fills defaults', () => {
    const { spec, hash } = parseSpec(VALID_SPEC, 'flywheel.yaml', {});
    expect(spec.name).toBe('churn');
    expect(spec.business.costs).toEqual({ tp: 5, fp: 5, fn: 50, tn: 0 });
    expect(spec.acceptance.confidence).toBe(0.9);
    expect(spec.business.currency).toBe('EUR');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const yamlDate = spec.split.method === 'time' ? spec.split.train.until : undefined;
    expect(yamlDate).toBe('2024-01-01');
  });

  it('reports an unknown key with its line, column and a suggestion', () => {
    const { code, issues } = issuesOf(VALID_SPEC.replace('task: binary', 'taks: binary'));
    expect(code).toBe('SPEC_INVALID');
    const unknown = issues.find((i) => i.message.startsWith('unknown key'));
    expect(unknown).toMatchObject({ line: 3, column: 1, field: 'taks' });
    expect(unknown?.message).toContain('did you mean "task"');
    expect(
      issues.some((i) => i.field === 'task' && i.message.includes('missing required key')),
    ).toBe(true);
  });

  it('reports an unknown nested key at its own position', () => {
    const { issues } = issuesOf(VALID_SPEC.replace('  currency: EUR', '  curency: EUR'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 23, column: 3, field: 'business.curency' });
    expect(issues[0]!.message).toContain('did you mean "currency"');
  });

  it('names the field, what was found and what is valid for a bad enum', () => {
    const { issues } = issuesOf(VALID_SPEC.replace('task: binary', 'task: binry'));
    expect(issues[0]).toMatchObject({ line: 3, column: 7, field: 'task' });
    expect(issues[0]!.message).toContain('found "binry"');
    expect(issues[0]!.message).toContain('binary, multiclass, regression');
    expect(issues[0]!.message).toContain('did you mean "binary"');
  });

  it('rejects a wrong type and an out-of-range value by field path', () => {
    const bad = issuesOf(VALID_SPEC.replace('confidence: 0.9', 'confidence: high'));
    expect(bad.issues[0]).toMatchObject({ field: 'acceptance.confidence', line: 26 });
    expect(bad.issues[0]!.message).toContain('expected number, found "high"');
    const range = issuesOf(`${VALID_SPEC}deploy:\n  canary: { weight: 150 }\n`);
    expect(range.issues[0]).toMatchObject({ field: 'deploy.canary.weight', line: 30 });
    expect(range.issues[0]!.message).toContain('must be <= 100, found 150');
  });

  it('rejects a bad discriminator with the valid split methods', () => {
    const { issues } = issuesOf(VALID_SPEC.replace('method: time', 'method: timely'));
    expect(issues[0]!.field).toBe('split.method');
    expect(issues[0]!.message).toContain('time, random');
  });

  it('rejects a calendar date that does not exist', () => {
    const { issues } = issuesOf(VALID_SPEC.replace('until: 2024-01-01 }', 'until: 2024-13-01 }'));
    expect(issues[0]!.field).toBe('split.train.until');
  });

  it('reports a YAML syntax error with its position', () => {
    const { code, issues } = issuesOf('name: x\ntask: [binary\n');
    expect(code).toBe('SPEC_SYNTAX');
    expect(issues[0]).toMatchObject({ file: 'flywheel.yaml', line: 1, column: 1 });
    expect(issues[0]!.message).toMatch(/YAML syntax error/);
  });

  it('refuses custom tags and duplicate keys', () => {
    expect(issuesOf(`${VALID_SPEC}x: !!js/function 'return 1'\n`).issues[0]!.message).toContain(
      'tag not allowed',
    );
    expect(issuesOf(`${VALID_SPEC}name: again\n`).code).toBe('SPEC_SYNTAX');
  });

  it('refuses a spec that is not a mapping, or is empty', () => {
    expect(issuesOf('- a\n- b\n').message).toContain('must be a mapping');
    expect(issuesOf('just a string\n').message).toContain('must be a mapping');
    expect(issuesOf('').message).toContain('empty');
    expect(issuesOf('# only a comment\n').message).toContain('empty');
  });

  it('resolves ${ENV} and reports an unset variable without a value', () => {
    const text = `${VALID_SPEC}store: \${FLYWHEEL_TEST_DB}\n`;
    expect(parseSpec(text, 'f.yaml', { FLYWHEEL_TEST_DB: 'sqlite:x.db' }).spec.store).toBe(
      'sqlite:x.db',
    );
    const { issues } = issuesOf(text, {});
    expect(issues[0]).toMatchObject({ field: 'store', line: 29 });
    expect(issues[0]!.message).toContain('${FLYWHEEL_TEST_DB} is not set');
    expect(
      parseSpec(`${VALID_SPEC}description: costs $\${X}\n`, 'f.yaml', {}).spec.description,
    ).toBe('costs ${X}');
  });
});

describe('loadSpec', () => {
  const dir = testDir('fw-spec');

  it('reads a folder holding flywheel.yaml', () => {
    mkdirSync(path.join(dir, 'p'));
    writeFileSync(path.join(dir, 'p', 'flywheel.yaml'), VALID_SPEC);
    const loaded = loadSpec(path.join(dir, 'p'));
    expect(loaded.spec.name).toBe('churn');
    expect(loaded.dir).toBe(path.join(dir, 'p'));
  });

  it('says clearly when the file is missing or the folder has no spec', () => {
    expect(() => loadSpec(path.join(dir, 'nope.yaml'))).toThrow(/does not exist/);
    mkdirSync(path.join(dir, 'empty'));
    expect(() => loadSpec(path.join(dir, 'empty'))).toThrow(/directory without flywheel.yaml/);
  });
});
