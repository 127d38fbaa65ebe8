/**
 * Model files are a public format: a file written by an earlier version must
 * load in every later one and predict the same. Each registered kind has a
 * pinned file under test/fixtures/model-files/ (written once by
 * `PIN_MODEL_FILES=1 npx vitest run test/model-format.test.ts`, never
 * overwritten), with the predictions it gave when it was written.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEstimator, loadModel, modelKinds } from '../src/models/index.js';
import { synthetic } from './fixtures/synthetic.js';

const DIR = path.resolve('test/fixtures/model-files');
const data = synthetic(60, 5);

const PIN_PARAMS: Record<string, Record<string, unknown>> = {
  rule: { expression: "x1 > 0 and city != 'cairo'" },
  gbdt: { n_estimators: 5, num_leaves: 4, min_data_in_leaf: 3 },
};

interface Pinned {
  kind: string;
  task: string;
  file: unknown;
  predictions: number[];
}

describe('model file format', () => {
  if (process.env['PIN_MODEL_FILES']) {
    it('pins a model file for each kind that has none', async () => {
      for (const kind of modelKinds()) {
        const target = path.join(DIR, `${kind.kind}-v1.json`);
        if (existsSync(target)) continue;
        const est = createEstimator(kind.kind, PIN_PARAMS[kind.kind] ?? {});
        const task = est.tasks.includes('binary') ? 'binary' : 'regression';
        const model = await est.fit(data.frame, task === 'binary' ? data.binary : data.regression, {
          task,
          seed: 1,
        });
        const pinned: Pinned = {
          kind: kind.kind,
          task,
          file: model.toFile(),
          predictions: [...model.predict(data.frame)],
        };
        writeFileSync(target, `${JSON.stringify(pinned, null, 1)}\n`);
      }
    });
  }

  it('has a pinned file for every registered kind', () => {
    const pinned = new Set(readdirSync(DIR).map((f) => f.replace(/-v\d+\.json$/, '')));
    for (const kind of modelKinds())
      expect(pinned, `no pinned model file for ${kind.kind}`).toContain(kind.kind);
  });

  for (const name of existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')) : []) {
    it(`loads ${name} and predicts what it predicted when written`, () => {
      const pinned = JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Pinned;
      const model = loadModel(pinned.file);
      const p = model.predict(data.frame);
      expect(p.length).toBe(pinned.predictions.length);
      pinned.predictions.forEach((v, i) => {
        expect(p[i]).toBeCloseTo(v, 12);
      });
    });
  }
});
