import { describe, expect, it } from 'vitest';
import { checkLabels } from './labels.js';

const keyed = {
  model: 'churn',
  entity: 'c42',
  event_time: '2025-01-31T12:00:00Z',
  label: 1,
};

describe('checkLabels', () => {
  it('accepts labels keyed by prediction id, or by model, entity and event time', () => {
    expect(
      checkLabels([
        { prediction_id: 'p-1', label: 1 },
        keyed,
        { ...keyed, entity: 42, event_time: '2025-01-31 12:00', observed_at: '2025-02-01' },
        { ...keyed, prediction_id: null },
      ]),
    ).toEqual([]);
  });

  it('refuses a label with both keys, or with neither', () => {
    expect(checkLabels([{ ...keyed, prediction_id: 'p-1' }, { label: 1 }])).toEqual([
      { row: 0, field: '(label)', message: expect.stringMatching(/one key/) },
      { row: 1, field: 'prediction_id', message: expect.stringMatching(/is missing/) },
    ]);
  });

  it('names each bad field of a keyed label, never echoing its value', () => {
    const problems = checkLabels([
      { entity: 'c42', event_time: '2025-01-31', label: 1 },
      { model: 'churn@3', entity: '', event_time: 'last tuesday', label: 1 },
      { model: 'churn', entity: { id: 1 }, event_time: '2025-01-31', label: null },
    ]);
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [0, 'model'],
      [1, 'model'],
      [1, 'entity'],
      [1, 'event_time'],
      [2, 'entity'],
      [2, 'label'],
    ]);
    expect(problems[0]!.message).toMatch(/is missing/);
    expect(JSON.stringify(problems)).not.toContain('last tuesday');
  });

  it('keeps the checks of id-keyed labels', () => {
    expect(
      checkLabels([null, { prediction_id: '<script>', label: 1, observed_at: 'soon' }]),
    ).toEqual([
      { row: 0, field: '(label)', message: 'must be an object' },
      {
        row: 1,
        field: 'prediction_id',
        message: 'must be a prediction id from the predict answer',
      },
      { row: 1, field: 'observed_at', message: 'must be an ISO-8601 timestamp' },
    ]);
  });
});
