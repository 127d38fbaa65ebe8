import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { checkBundle } from './bundle-check.js';
import { testBundle } from './fixtures/test-bundle.js';
import { loadAndScore } from './smoke-check.js';

describe('the default smoke check', () => {
  it('passes a model that scores a row of missing values', async () => {
    await expect(loadAndScore(await testBundle())).resolves.toBeUndefined();
  });

  it('fails a model that gives a non-finite score', async () => {
    const good = await testBundle();
    const model = { ...(good.model as object), kind: 'prior', params: {}, state: { value: ['x'] } };
    await expect(loadAndScore({ ...good, model })).rejects.toThrow(/non-finite score/);
  });

  it('fails a model file that does not load', async () => {
    const bundle = { ...(await testBundle()), model: { format: 'pickle' } };
    await expect(loadAndScore(bundle)).rejects.toThrow(/not a Flywheel model file/);
  });
});

describe('checkBundle', () => {
  it('accepts a complete bundle and names the first bad field otherwise', async () => {
    const bundle = await testBundle();
    expect(checkBundle(bundle, { code: 'USAGE', loadModel: true })).toBe(bundle);
    const bad = (patch: Record<string, unknown>) => {
      try {
        checkBundle({ ...bundle, ...patch }, { code: 'ARTIFACT_CORRUPT', loadModel: true });
      } catch (err) {
        expect(err).toBeInstanceOf(FlywheelError);
        expect((err as FlywheelError).code).toBe('ARTIFACT_CORRUPT');
        return (err as FlywheelError).message;
      }
      return 'accepted';
    };
    expect(bad({ format: 'other' })).toMatch(/format/);
    expect(bad({ name: '../x' })).toMatch(/name/);
    expect(bad({ task: 'ranking' })).toMatch(/task/);
    expect(bad({ lineage: { snapshotId: null } })).toMatch(/lineage\.runId/);
    expect(bad({ blessing: { passed: 'yes' } })).toMatch(/blessing\.passed/);
    expect(bad({ model: { format: 'flywheel.model', formatVersion: 9 } })).toMatch(/does not load/);
    expect(bad({ task: 'regression' })).toMatch(/binary model/);
  });
});
