import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Column, makeFrame } from '../../data/index.js';
import type { ModelFile } from '../estimator.js';
import { loadModel } from '../index.js';
import { gbdtKind } from './index.js';

/**
 * A model file written by the first version of the format, with the
 * predictions it gave then: every later version must load it and predict
 * the same (bump formatVersion and keep a reader instead of changing this).
 */
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/gbdt-binary-v1.json', import.meta.url), 'utf8'),
) as {
  rows: { x: (number | null)[]; region: (string | null)[] };
  predictions: number[];
  model: ModelFile;
};

describe('gbdt model file', () => {
  it('loads a version-1 file and predicts what it predicted when written', () => {
    const model = gbdtKind.load(fixture.model);
    const dictionary = ['south', 'north', 'west', 'east', 'elsewhere']; // another order, one unseen
    const frame = makeFrame(
      new Map<string, Column>([
        [
          'x',
          { type: 'numeric', values: Float64Array.from(fixture.rows.x, (v) => v ?? Number.NaN) },
        ],
        [
          'region',
          {
            type: 'categorical',
            codes: Int32Array.from(fixture.rows.region, (r) =>
              r === null ? -1 : dictionary.indexOf(r),
            ),
            dictionary,
          },
        ],
      ]),
    );
    expect([...model.predict(frame)]).toEqual(fixture.predictions);
    expect(JSON.stringify(model.toFile())).toBe(JSON.stringify(fixture.model));
  });

  it('is read through the model registry like any other kind', () => {
    expect(() => loadModel(fixture.model)).not.toThrow();
  });
});
