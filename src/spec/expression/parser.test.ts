import { describe, expect, test } from 'vitest';
import { FlywheelError } from '../../errors.js';
import type { ExpressionNode } from './ast.js';
import { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parseExpression } from './parser.js';

/** A fully parenthesised rendering, so tests can read the tree's shape. */
function show(node: ExpressionNode): string {
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'string':
      return JSON.stringify(node.value);
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'column':
      return node.name;
    case 'negate':
      return `(- ${show(node.operand)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'arithmetic':
    case 'comparison':
    case 'logical':
      return `(${show(node.left)} ${node.operator} ${show(node.right)})`;
    case 'in':
      return `(${show(node.operand)} ${node.negated ? 'not in' : 'in'} [${node.items.map(show).join(', ')}])`;
    case 'between':
      return `(${show(node.operand)} ${node.negated ? 'not between' : 'between'} ${show(node.low)} ${show(node.high)})`;
    case 'is-null':
      return `(${show(node.operand)} ${node.negated ? 'is not null' : 'is null'})`;
    case 'call':
      return `${node.name}(${node.args.map(show).join(', ')})`;
  }
}

const parse = (text: string): string => show(parseExpression(text).root);

function syntaxError(source: string): FlywheelError {
  try {
    parseExpression(source);
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('EXPRESSION_SYNTAX');
    return err as FlywheelError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe('parseExpression: values', () => {
  test.each([
    ['15', '15'],
    ['1.5e3', '1500'],
    ["'ORD'", '"ORD"'],
    ['"ORD"', '"ORD"'],
    ['true', 'true'],
    ['FALSE', 'false'],
    ['Null', 'null'],
    ['delay', 'delay'],
    ['`weird name`', 'weird name'],
    ['`and`', 'and'],
    ['`hour`', 'hour'],
    ['((delay))', 'delay'],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  test('the target, feature and rule examples', () => {
    expect(parse('delay > 15')).toBe('(delay > 15)');
    expect(parse('hour(date)')).toBe('hour(date)');
    expect(parse('day_of_week(date)')).toBe('day_of_week(date)');
    expect(parse('distance / 100')).toBe('(distance / 100)');
    expect(parse("origin in ('ORD', 'ATL') and hour(date) >= 17")).toBe(
      '((origin in ["ORD", "ATL"]) and (hour(date) >= 17))',
    );
  });
});

describe('parseExpression: precedence', () => {
  test.each([
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['not a and b', '((not a) and b)'],
    ['not a = b', '(not (a = b))'],
    ['not not a', '(not (not a))'],
    ['a = b + c * d', '(a = (b + (c * d)))'],
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b / c', '((a / b) / c)'],
    ['a % b * c', '((a % b) * c)'],
    ['-a * b', '((- a) * b)'],
    ['-a ^ 0'.replace(' ^ 0', ''), '(- a)'],
    ['a - -b', '(a - (- b))'],
    ['- - a', '(- (- a))'],
    ['(a + b) * c', '((a + b) * c)'],
    ['a + b > c * 2', '((a + b) > (c * 2))'],
    ['a in (1, 2) or b', '((a in [1, 2]) or b)'],
    ['a + 1 in (1, 2)', '((a + 1) in [1, 2])'],
    ['a not in (1)', '(a not in [1])'],
    ['not a in (1)', '(not (a in [1]))'],
    ['a between 1 and 2 and b', '((a between 1 2) and b)'],
    ['a between b - 1 and b + 1', '(a between (b - 1) (b + 1))'],
    ['a not between 1 and 2', '(a not between 1 2)'],
    ['a is null or b is not null', '((a is null) or (b is not null))'],
    ['a + b is null', '((a + b) is null)'],
    ['a && b || !c', '((a and b) or (not c))'],
    ['!a = b', '(not (a = b))'],
    ['a AND b OR NOT c', '((a and b) or (not c))'],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  test('comparison spellings are normalised', () => {
    expect(parse('a = 1')).toBe('(a = 1)');
    expect(parse('a == 1')).toBe('(a = 1)');
    expect(parse('a != 1')).toBe('(a <> 1)');
    expect(parse('a <> 1')).toBe('(a <> 1)');
    expect(parse('a < 1 or a <= 1 or a > 1 or a >= 1')).toBe(
      '((((a < 1) or (a <= 1)) or (a > 1)) or (a >= 1))',
    );
  });

  test('function names are case-insensitive; calls nest', () => {
    expect(parse('HOUR(date)')).toBe('hour(date)');
    expect(parse('if(a > 1, max(b, c, 0), coalesce(d, null))')).toBe(
      'if((a > 1), max(b, c, 0), coalesce(d, null))',
    );
    expect(parse('is_missing(a) or a is null')).toBe('(is_missing(a) or (a is null))');
  });

  test('whitespace, tabs and newlines are insignificant', () => {
    expect(parse('\n\tdelay\n  >\t15 ')).toBe('(delay > 15)');
  });
});

describe('parseExpression: source positions', () => {
  test('every node spans its text, parentheses included', () => {
    const { root, source } = parseExpression("(a + 1) * 2 >= hour(`d t`) and x in ('p')");
    const text = (node: ExpressionNode): string => source.slice(node.span.start, node.span.end);
    expect(text(root)).toBe(source);
    if (root.kind !== 'logical' || root.left.kind !== 'comparison') throw new Error('shape');
    expect(text(root.left)).toBe('(a + 1) * 2 >= hour(`d t`)');
    expect(text(root.left.left)).toBe('(a + 1) * 2');
    if (root.left.left.kind !== 'arithmetic') throw new Error('shape');
    expect(text(root.left.left.left)).toBe('(a + 1)');
    const call = root.left.right;
    if (call.kind !== 'call') throw new Error('shape');
    expect(source.slice(call.nameSpan.start, call.nameSpan.end)).toBe('hour');
    expect(text(call.args[0]!)).toBe('`d t`');
    expect(text(root.right)).toBe("x in ('p')");
  });
});

describe('parseExpression: syntax errors point at the problem', () => {
  test('the example: a value missing after an operator', () => {
    const err = syntaxError('delay > ');
    expect(err.message).toBe("expected a value after '>' at column 9\ndelay > \n        ^");
    expect(err.details).toMatchObject({ position: 8, line: 1, column: 9 });
  });

  test.each([
    // [source, position of the caret, first line of the message]
    ['', 0, 'expected an expression at column 1'],
    ['   ', 3, 'expected an expression at column 4'],
    ['delay >', 7, "expected a value after '>' at column 8"],
    ['a + * b', 4, "expected a value after '+', found '*' at column 5"],
    ['a and', 5, "expected a value after 'and' at column 6"],
    ['not', 3, "expected a value after 'not' at column 4"],
    ['()', 1, "expected a value after '(', found ')' at column 2"],
    ['in > 5', 0, "expected a value, found keyword 'in' at column 1"],
    ['a = and', 4, "expected a value after '=', found keyword 'and' at column 5"],
    ['+5', 0, "expected a value, found '+' at column 1"],
    [
      '(delay > 1',
      10,
      "expected ')' at column 11 to close the '(' at column 1, found the end of the expression",
    ],
    ['a)', 1, "unmatched ')' at column 2"],
    [
      'delay > 15 15',
      11,
      'unexpected number 15 at column 12; expected an operator or the end of the expression after `delay > 15`',
    ],
    [
      'a b',
      2,
      "unexpected 'b' at column 3; expected an operator or the end of the expression after `a`",
    ],
    [
      "a 'x'",
      2,
      "unexpected string 'x' at column 3; expected an operator or the end of the expression after `a`",
    ],
    ['a < b < c', 6, "cannot chain '<' after `a < b` at column 7"],
    ['a = b in (1)', 6, "cannot chain keyword 'in' after `a = b` at column 7"],
    ['a is null is null', 10, "cannot chain keyword 'is' after `a is null` at column 11"],
    ['x is 5', 5, "expected 'null' or 'not null' after `x is` at column 6"],
    ['x is not 5', 9, "expected 'null' after `x is` at column 10"],
    ['x not 5', 6, "expected 'in' or 'between' after 'not' at column 7"],
    ['x in 1', 5, "expected '(' after 'in' at column 6"],
    ['x in ()', 6, "expected a value after '(', found ')' at column 7"],
    ['x in (1,)', 8, "expected a value after ',', found ')' at column 9"],
    [
      'x in (1 2)',
      8,
      "expected ',' or ')' at column 9 in the 'in' list opened at column 6, found number 2",
    ],
    ['x between 1', 11, "expected 'and' after the lower bound of 'between' at column 12"],
    ['x between 1 or 2', 12, "expected 'and' after the lower bound of 'between' at column 13"],
    [
      'hour(date',
      9,
      "expected ',' or ')' at column 10 in the arguments of hour() opened at column 5, found the end of the expression",
    ],
    ['hour()', 0, 'hour() takes 1 argument, got 0 at column 1'],
    ['hour(a, b)', 0, 'hour() takes 1 argument, got 2 at column 1'],
    ['if(a, b)', 0, 'if() takes 3 arguments, got 2 at column 1'],
    ['min()', 0, 'min() takes at least 1 argument, got 0 at column 1'],
    ['delay\n  > ', 10, "expected a value after '>' at line 2, column 5"],
  ])('%j', (source, position, firstLine) => {
    const err = syntaxError(source);
    expect(err.message.split('\n')[0]).toBe(firstLine);
    expect(err.details.position).toBe(position);
    const lines = err.message.split('\n');
    const caretLine = lines[lines.length - 1]!;
    const column = err.details.column as number;
    expect(caretLine.indexOf('^')).toBe(column - 1);
  });

  test('carets underline the whole offending token', () => {
    expect(syntaxError('delay > 15 1500').message.split('\n').slice(1)).toEqual([
      'delay > 15 1500',
      '           ^^^^',
    ]);
  });

  test('a multi-line expression shows the faulty line', () => {
    const err = syntaxError("origin = 'ORD'\n  and hour(date) >");
    expect(err.message).toBe(
      "expected a value after '>' at line 2, column 19\n  and hour(date) >\n                  ^",
    );
    expect(err.details).toMatchObject({ line: 2, column: 19, position: 33 });
  });

  test('a keyword used as a column name suggests backticks', () => {
    expect(syntaxError('in > 5').hint).toBe(
      "'in' is a keyword; quote a column of that name with backticks: `in`",
    );
  });
});

describe('parseExpression: unknown functions', () => {
  test('lists the valid names and suggests the closest', () => {
    const err = syntaxError('huor(date)');
    expect(err.message).toBe(
      'unknown function "huor" at column 1 (did you mean "hour"?)\nhuor(date)\n^^^^',
    );
    expect(err.hint).toBe(
      'valid functions are: abs, ceil, coalesce, day_of_month, day_of_week, exp, floor, hour, if, is_missing, log, max, min, minute, month, round, sqrt, year',
    );
    expect(err.details).toMatchObject({ name: 'huor', position: 0 });
  });

  test('no suggestion when nothing is close', () => {
    expect(syntaxError('frobnicate(x)').message.split('\n')[0]).toBe(
      'unknown function "frobnicate" at column 1',
    );
  });

  test('a backtick-quoted name is a column, never a function', () => {
    expect(syntaxError('`hour`(date)').message.split('\n')[0]).toContain("unexpected '('");
  });
});

describe('parseExpression: hostile input is rejected, never run', () => {
  test.each([
    ['process.exit()', 'unexpected character "."'],
    ['a; b', 'unexpected character ";"'],
    ['constructor(x)', 'unknown function "constructor"'],
    ['__proto__(x)', 'unknown function "__proto__"'],
    ['toString(x)', 'unknown function "toString"'],
    ['hasOwnProperty(x)', 'unknown function "hasOwnProperty"'],
    ['eval("1")', 'unknown function "eval"'],
    ['require("fs")', 'unknown function "require"'],
    ['Function("return 1")()', 'unknown function "Function"'],
    ['x => x', "expected a value after '=', found '>'"],
    ['a = 1; DROP TABLE t', 'unexpected character ";"'],
    ['a /* c */', "expected a value after '/', found '*'"],
    ['`a`.b', 'unexpected character "."'],
    ['globalThis["x"]', 'unexpected character "["'],
    ['\u0024{x}', 'unexpected character "$"'],
    ['a\u0000b', 'unexpected character "\\u0000"'],
  ])('%j', (source, message) => {
    expect(syntaxError(source).message.split('\n')[0]).toContain(message);
  });

  test('-- and /* are operators here, never comments', () => {
    expect(parse('a -- b')).toBe('(a - (- b))');
    expect(parse('a /-1')).toBe('(a / (- 1))');
  });

  test('columns named like prototype members are plain identifiers', () => {
    expect(parse('constructor = 1')).toBe('(constructor = 1)');
    expect(parse('__proto__ is null')).toBe('(__proto__ is null)');
  });

  test('over-long expressions are refused', () => {
    const err = syntaxError('a'.repeat(MAX_EXPRESSION_LENGTH + 1));
    expect(err.message.split('\n')[0]).toBe(
      `expression too long (${MAX_EXPRESSION_LENGTH + 1} characters, at most ${MAX_EXPRESSION_LENGTH}) at column ${MAX_EXPRESSION_LENGTH + 1}`,
    );
  });

  test.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`],
    ['unary minus', (n: number) => `${'-'.repeat(n)}a`],
    ['not', (n: number) => `${'not '.repeat(n)}a`],
    ['calls', (n: number) => `${'abs('.repeat(n)}a${')'.repeat(n)}`],
  ])('deep nesting of %s is refused before the stack runs out', (_, make) => {
    expect(() => parseExpression(make(MAX_NESTING_DEPTH - 5))).not.toThrow();
    const err = syntaxError(make(1_500));
    expect(err.message).toContain(`nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`);
  });

  test('long flat chains are fine', () => {
    const chain = Array.from({ length: 1_000 }, (_, i) => `a${i}`).join(' + ');
    expect(parseExpression(chain).root.kind).toBe('arithmetic');
  });
});
