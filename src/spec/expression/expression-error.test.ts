import { describe, expect, test } from 'vitest';
import { expressionError } from './expression-error.js';
import { FUNCTION_NAMES, lookupFunction } from './functions.js';

describe('expressionError', () => {
  test('message, excerpt and carets under the span', () => {
    const err = expressionError('EXPRESSION_INVALID', 'a + bad', { start: 4, end: 7 }, 'oops', {
      after: ' (really)',
      hint: 'try harder',
      details: { name: 'bad' },
    });
    expect(err.code).toBe('EXPRESSION_INVALID');
    expect(err.message).toBe('oops at column 5 (really)\na + bad\n    ^^^');
    expect(err.hint).toBe('try harder');
    expect(err.details).toEqual({ position: 4, line: 1, column: 5, name: 'bad' });
    expect(err.httpStatus).toBe(400);
  });

  test('an empty span still gets one caret', () => {
    const err = expressionError('EXPRESSION_SYNTAX', 'ab', { start: 2, end: 2 }, 'end');
    expect(err.message).toBe('end at column 3\nab\n  ^');
  });

  test('tabs and control characters are shown as spaces so carets line up', () => {
    const err = expressionError('EXPRESSION_SYNTAX', 'a\t+\u0001 ;', { start: 5, end: 6 }, 'x');
    expect(err.message).toBe('x at column 6\na +  ;\n     ^');
  });

  test('multi-line sources show the line of the error', () => {
    const source = "a = 1\nand b = 'x'\nor c";
    const err = expressionError('EXPRESSION_SYNTAX', source, { start: 10, end: 11 }, 'here');
    expect(err.message).toBe("here at line 2, column 5\nand b = 'x'\n    ^");
    expect(err.details).toMatchObject({ position: 10, line: 2, column: 5 });
    const atStart = expressionError('EXPRESSION_SYNTAX', '\nx', { start: 0, end: 0 }, 'start');
    expect(atStart.message).toBe('start at line 1, column 1\n\n^');
  });

  test('long lines are shown as a window around the error', () => {
    const source = `${'a + '.repeat(100)}?${' + b'.repeat(100)}`;
    const err = expressionError('EXPRESSION_SYNTAX', source, { start: 400, end: 401 }, 'bad');
    const [, excerpt, carets] = err.message.split('\n') as [string, string, string];
    expect(excerpt.startsWith('…')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(102);
    expect(excerpt[carets.indexOf('^')]).toBe('?');
  });
});

describe('lookupFunction', () => {
  test('whitelisted names, case-insensitively', () => {
    for (const name of FUNCTION_NAMES) {
      expect(lookupFunction(name)).toBe(name);
      expect(lookupFunction(name.toUpperCase())).toBe(name);
    }
  });

  test('nothing inherited from Object.prototype', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(lookupFunction(name)).toBeUndefined();
    }
  });
});
