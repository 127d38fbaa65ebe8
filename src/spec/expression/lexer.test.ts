import { describe, expect, test } from 'vitest';
import { FlywheelError } from '../../errors.js';
import { type Token, tokenize } from './lexer.js';

function summary(tokens: Token[]): string[] {
  return tokens.map(label);
}

function label(t: Token): string {
  switch (t.kind) {
    case 'number':
    case 'string':
      return `${t.kind}:${t.value}`;
    case 'identifier':
      return `${t.quoted ? 'quoted' : 'identifier'}:${t.name}`;
    case 'keyword':
      return `keyword:${t.keyword}`;
    case 'operator':
      return t.operator;
    case 'end':
      return 'end';
  }
}

function syntaxError(source: string): FlywheelError {
  try {
    tokenize(source);
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('EXPRESSION_SYNTAX');
    return err as FlywheelError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to tokenize`);
}

describe('tokenize', () => {
  test('numbers: integers, decimals, exponents', () => {
    expect(summary(tokenize('15 0.5 .25 1e3 2.5E-2 7e+1'))).toEqual([
      'number:15',
      'number:0.5',
      'number:0.25',
      'number:1000',
      'number:0.025',
      'number:70',
      'end',
    ]);
  });

  test('strings in either quote, with escapes and doubled quotes', () => {
    expect(summary(tokenize(`'a' "b" 'it\\'s' "say \\"hi\\"" 'O''Hare' '\\\\\\n\\t\\r'`))).toEqual([
      'string:a',
      'string:b',
      "string:it's",
      'string:say "hi"',
      "string:O'Hare",
      'string:\\\n\t\r',
      'end',
    ]);
  });

  test('keywords are case-insensitive; identifiers keep their case', () => {
    expect(summary(tokenize('Delay AND not NULL Or TRUE false In iS BETWEEN'))).toEqual([
      'identifier:Delay',
      'keyword:and',
      'keyword:not',
      'keyword:null',
      'keyword:or',
      'keyword:true',
      'keyword:false',
      'keyword:in',
      'keyword:is',
      'keyword:between',
      'end',
    ]);
  });

  test('identifiers: letters, digits, underscores, and backtick-quoted names', () => {
    expect(summary(tokenize('_a1 température `weird name` `a``b` `and`'))).toEqual([
      'identifier:_a1',
      'identifier:température',
      'quoted:weird name',
      'quoted:a`b',
      'quoted:and',
      'end',
    ]);
  });

  test('operators, longest first', () => {
    expect(summary(tokenize('<= >= <> != == = < > && || ! + - * / % ( ) ,'))).toEqual([
      '<=',
      '>=',
      '<>',
      '!=',
      '==',
      '=',
      '<',
      '>',
      '&&',
      '||',
      '!',
      '+',
      '-',
      '*',
      '/',
      '%',
      '(',
      ')',
      ',',
      'end',
    ]);
  });

  test('positions are offsets into the source', () => {
    const tokens = tokenize('  ab >= 3');
    expect(tokens.map((t) => [t.start, t.end])).toEqual([
      [2, 4],
      [5, 7],
      [8, 9],
      [9, 9],
    ]);
  });

  test.each([
    ['a; b', 1, 'unexpected character ";"'],
    ['process.exit()', 7, 'unexpected character "."'],
    ['a & b', 2, 'unexpected character "&"'],
    ['a | b', 2, 'unexpected character "|"'],
    ['x[0]', 1, 'unexpected character "["'],
    ['{}', 0, 'unexpected character "{"'],
    ['2 ^ 3', 2, 'unexpected character "^"'],
    ['a $ b', 2, 'unexpected character "$"'],
    ['"abc', 0, 'unterminated string'],
    ["'abc\\'", 0, 'unterminated string'],
    ['`abc', 0, 'unterminated column name'],
    ['``', 0, 'empty column name'],
    ["'a\\qb'", 2, "unknown escape '\\q'"],
    ['12abc', 0, "malformed number '12abc'"],
    ['1.', 0, "malformed number '1.'"],
    ['1.2.3', 0, "malformed number '1.2.'"],
    ['1e', 0, "malformed number '1e'"],
    ['1e999', 0, 'number too large'],
  ])('rejects %j at offset %i', (source, position, message) => {
    const err = syntaxError(source);
    expect(err.message).toContain(message);
    expect(err.details.position).toBe(position);
  });

  test('astral characters are reported whole', () => {
    expect(syntaxError('a 😀').message).toContain('unexpected character "😀"');
  });
});
