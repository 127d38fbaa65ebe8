/**
 * Splits expression text into tokens. Anything outside the grammar (a `;`, a
 * `.` member access, an unterminated string) is rejected here with a caret
 * under the offending character.
 */

import { expressionError } from './expression-error.js';

/** Words with a meaning of their own; a column with such a name needs backticks. */
export const KEYWORDS = [
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'true',
  'false',
  'between',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** Longest first, so `<=` wins over `<`. */
const OPERATORS = [
  '==',
  '!=',
  '<>',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  '<',
  '>',
  '!',
  '(',
  ')',
  ',',
] as const;
export type Operator = (typeof OPERATORS)[number];

interface Located {
  readonly start: number;
  readonly end: number;
}

export type Token = Located &
  (
    | { readonly kind: 'number'; readonly value: number }
    | { readonly kind: 'string'; readonly value: string }
    | { readonly kind: 'identifier'; readonly name: string; readonly quoted: boolean }
    | { readonly kind: 'keyword'; readonly keyword: Keyword }
    | { readonly kind: 'operator'; readonly operator: Operator }
    | { readonly kind: 'end' }
  );

const NUMBER = /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/uy;
const IDENTIFIER_CHAR = /[\p{L}\p{N}_.]/u;
const WHITESPACE = /[ \t\r\n]+/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
};
const CHARACTER_HINTS: Readonly<Record<string, string>> = {
  '&': "write 'and' (or '&&')",
  '|': "write 'or' (or '||')",
  ';': 'an expression is a single formula; statements are not allowed',
  '.': 'quote a column name containing dots with backticks, e.g. `a.b`',
  '[': 'only the functions listed in the docs can be called; indexing is not allowed',
  '{': 'only the functions listed in the docs can be called; objects are not allowed',
  '^': 'there is no power operator; use exp and log',
};

/**
 * The tokens of `source`, ending with an `end` token.
 *
 * @example
 * tokenize('delay > 15').map((t) => t.kind); // ['identifier', 'operator', 'number', 'end']
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    WHITESPACE.lastIndex = pos;
    if (WHITESPACE.test(source)) {
      pos = WHITESPACE.lastIndex;
      continue;
    }
    const token = readToken(source, pos);
    tokens.push(token);
    pos = token.end;
  }
  tokens.push({ kind: 'end', start: source.length, end: source.length });
  return tokens;
}

function readToken(source: string, start: number): Token {
  const char = source[start]!;
  if (char === "'" || char === '"') return readString(source, start);
  if (char === '`') return readQuotedIdentifier(source, start);

  NUMBER.lastIndex = start;
  if (NUMBER.test(source)) return readNumber(source, start, NUMBER.lastIndex);

  IDENTIFIER.lastIndex = start;
  if (IDENTIFIER.test(source)) {
    const end = IDENTIFIER.lastIndex;
    const word = source.slice(start, end);
    const keyword = KEYWORDS.find((k) => k === word.toLowerCase());
    return keyword === undefined
      ? { kind: 'identifier', name: word, quoted: false, start, end }
      : { kind: 'keyword', keyword, start, end };
  }

  const operator = OPERATORS.find((op) => source.startsWith(op, start));
  if (operator !== undefined) {
    return { kind: 'operator', operator, start, end: start + operator.length };
  }

  const codePoint = String.fromCodePoint(source.codePointAt(start)!);
  const hint = CHARACTER_HINTS[codePoint];
  throw expressionError(
    'EXPRESSION_SYNTAX',
    source,
    { start, end: start + codePoint.length },
    `unexpected character ${JSON.stringify(codePoint)}`,
    hint === undefined ? {} : { hint },
  );
}

function readNumber(source: string, start: number, end: number): Token {
  const next = source[end];
  if (next !== undefined && IDENTIFIER_CHAR.test(next)) {
    IDENTIFIER.lastIndex = end;
    const junkEnd = IDENTIFIER.test(source) ? IDENTIFIER.lastIndex : end + 1;
    throw expressionError(
      'EXPRESSION_SYNTAX',
      source,
      { start, end: junkEnd },
      `malformed number '${source.slice(start, junkEnd)}'`,
      {
        hint: 'numbers look like 15, 0.5, .5, 1e-3 or 2.5E6; quote a column name starting with a digit with backticks',
      },
    );
  }
  const value = Number(source.slice(start, end));
  if (!Number.isFinite(value)) {
    throw expressionError('EXPRESSION_SYNTAX', source, { start, end }, 'number too large', {
      hint: `numbers must be below ${Number.MAX_VALUE}`,
    });
  }
  return { kind: 'number', value, start, end };
}

function readString(source: string, start: number): Token {
  const quote = source[start]!;
  let value = '';
  let pos = start + 1;
  while (pos < source.length) {
    const char = source[pos]!;
    if (char === quote) {
      // A doubled quote stands for one quote, as in SQL: 'O''Hare'.
      if (source[pos + 1] === quote) {
        value += quote;
        pos += 2;
        continue;
      }
      return { kind: 'string', value, start, end: pos + 1 };
    }
    if (char === '\\') {
      const escaped = ESCAPES[source[pos + 1] ?? ''];
      if (escaped === undefined) {
        throw expressionError(
          'EXPRESSION_SYNTAX',
          source,
          { start: pos, end: Math.min(pos + 2, source.length) },
          `unknown escape '${source.slice(pos, pos + 2)}' in a string`,
          { hint: `valid escapes are \\\\ \\' \\" \\n \\t \\r` },
        );
      }
      value += escaped;
      pos += 2;
      continue;
    }
    value += char;
    pos++;
  }
  throw expressionError(
    'EXPRESSION_SYNTAX',
    source,
    { start, end: start + 1 },
    `unterminated string: expected a closing ${quote}`,
  );
}

function readQuotedIdentifier(source: string, start: number): Token {
  let name = '';
  let pos = start + 1;
  while (pos < source.length) {
    if (source[pos] === '`') {
      if (source[pos + 1] === '`') {
        name += '`';
        pos += 2;
        continue;
      }
      if (name === '') {
        throw expressionError(
          'EXPRESSION_SYNTAX',
          source,
          { start, end: pos + 1 },
          'empty column name',
          { hint: 'write a column name between the backticks, e.g. `weird name`' },
        );
      }
      return { kind: 'identifier', name, quoted: true, start, end: pos + 1 };
    }
    name += source[pos];
    pos++;
  }
  throw expressionError(
    'EXPRESSION_SYNTAX',
    source,
    { start, end: start + 1 },
    'unterminated column name: expected a closing `',
  );
}
