import { describe, expect, it } from 'vitest';
import { inferResponse, parseInferBody, versionOf } from './oip-tensors.js';
import { HttpError } from './server-error.js';

const problem = (body: unknown, maxRows = 1000) => {
  try {
    parseInferBody(body, maxRows);
  } catch (err) {
    if (err instanceof HttpError) return { code: err.code, fields: err.fields };
    throw err;
  }
  throw new Error('expected an error');
};

describe('parseInferBody', () => {
  it('turns columnar tensors into rows, flat or [n, 1], with a routing key and an id', () => {
    const input = parseInferBody(
      {
        id: 'r1',
        parameters: { routing_key: 'customer-9' },
        inputs: [
          { name: 'x', shape: [3], datatype: 'FP32', data: [1, null, 3] },
          { name: 'city', shape: [3, 1], datatype: 'BYTES', data: [['a'], ['b'], ['c']] },
          { name: 'flag', shape: [3], datatype: 'BOOL', data: [true, false, true] },
        ],
      },
      1000,
    );
    expect(input).toEqual({
      id: 'r1',
      routingKey: 'customer-9',
      rows: [
        { x: 1, city: 'a', flag: true },
        { x: null, city: 'b', flag: false },
        { x: 3, city: 'c', flag: true },
      ],
    });
  });

  it.each([
    ['no inputs', {}],
    ['an unknown body field', { inputs: [], model: 'x' }],
    [
      'a forbidden name',
      { inputs: [{ name: 'constructor', shape: [1], datatype: 'FP64', data: [1] }] },
    ],
    ['an unknown datatype', { inputs: [{ name: 'x', shape: [1], datatype: 'FP128', data: [1] }] }],
    ['a 2-d shape', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] }],
    ['a short data array', { inputs: [{ name: 'x', shape: [2], datatype: 'FP64', data: [1] }] }],
    [
      'unequal row counts',
      {
        inputs: [
          { name: 'x', shape: [1], datatype: 'FP64', data: [1] },
          { name: 'y', shape: [2], datatype: 'FP64', data: [1, 2] },
        ],
      },
    ],
    [
      'a duplicate input',
      {
        inputs: [
          { name: 'x', shape: [1], datatype: 'FP64', data: [1] },
          { name: 'x', shape: [1], datatype: 'FP64', data: [1] },
        ],
      },
    ],
  ])('refuses %s with INVALID_INPUT', (_what, body) => {
    expect(problem(body).code).toBe('INVALID_INPUT');
  });

  it('names the row and input of each value of the wrong type', () => {
    const { fields } = problem({
      inputs: [
        { name: 'x', shape: [2], datatype: 'INT64', data: [1, '2'] },
        { name: 'b', shape: [2], datatype: 'BOOL', data: [1, true] },
      ],
    });
    expect(fields).toEqual([
      { row: 1, field: 'x', message: 'must be a number (INT64)' },
      { row: 0, field: 'b', message: 'must be a boolean (BOOL)' },
    ]);
  });

  it('refuses more rows than allowed with TOO_MANY_ROWS', () => {
    const body = { inputs: [{ name: 'x', shape: [3], datatype: 'FP64', data: [1, 2, 3] }] };
    expect(problem(body, 2).code).toBe('TOO_MANY_ROWS');
  });
});

describe('inferResponse', () => {
  it('answers score, decision and prediction id tensors, and the bare version', () => {
    const rows = [
      { predictionId: 'p1', score: 0.2, decision: 'low', modelVersion: 'churn@3' },
      { predictionId: 'p2', score: 0.9, decision: 'high', modelVersion: 'churn@3' },
    ];
    expect(inferResponse('churn', rows, 'r1')).toEqual({
      model_name: 'churn',
      model_version: '3',
      id: 'r1',
      outputs: [
        { name: 'score', datatype: 'FP64', shape: [2], data: [0.2, 0.9] },
        { name: 'decision', datatype: 'BYTES', shape: [2], data: ['low', 'high'] },
        { name: 'prediction_id', datatype: 'BYTES', shape: [2], data: ['p1', 'p2'] },
      ],
    });
    expect(versionOf('a@b@7')).toBe('7');
  });
});
