/**
 * The recursive-descent parser: text in, syntax tree out, nothing evaluated.
 * Precedence, loosest first: or, and, not, comparison / in / is / between
 * (which do not chain), + -, * / %, unary minus.
 */

import { didYouMean } from '../suggest.js';
import type {
  ArithmeticOperator,
  ComparisonOperator,
  Expression,
  ExpressionNode,
  Span,
} from './ast.js';
import { expressionError } from './expression-error.js';
import { FUNCTION_NAMES, FUNCTIONS, lookupFunction } from './functions.js';
import { type Keyword, type Operator, type Token, tokenize } from './lexer.js';

/** Longer texts are refused before tokenising. */
export const MAX_EXPRESSION_LENGTH = 10_000;
/** Deeper nesting is refused, so hostile input cannot exhaust the stack. */
export const MAX_NESTING_DEPTH = 100;

const COMPARISONS: Readonly<Partial<Record<Operator, ComparisonOperator>>> = {
  '=': '=',
  '==': '=',
  '!=': '<>',
  '<>': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/**
 * Parses an expression of the framing spec into a syntax tree. Throws a
 * FlywheelError EXPRESSION_SYNTAX whose message shows the expression with a
 * caret under the problem and says what was expected; its details hold the
 * 0-based `position` and the 1-based `line` and `column`.
 *
 * @example
 * const expr = parseExpression("origin in ('ORD', 'ATL') and hour(date) >= 17");
 * expr.root.kind; // 'logical'
 * parseExpression('delay > '); // throws "expected a value after '>' at column 9 …"
 */
export function parseExpression(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw expressionError(
      'EXPRESSION_SYNTAX',
      text,
      { start: MAX_EXPRESSION_LENGTH, end: text.length },
      `expression too long (${text.length} characters, at most ${MAX_EXPRESSION_LENGTH})`,
    );
  }
  return { source: text, root: new Parser(text).parse() };
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): ExpressionNode {
    const root = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') {
      const closing = next.kind === 'operator' && next.operator === ')';
      if (closing) throw this.error(next, "unmatched ')'");
      throw this.error(next, `unexpected ${describe(next, this.source)}`, {
        after: `; expected an operator or the end of the expression after ${this.quoteText(root.span)}`,
      });
    }
    return root;
  }

  private parseOr(): ExpressionNode {
    this.enter();
    let left = this.parseAnd();
    while (this.isKeyword('or') || this.isOperator('||')) {
      this.advance();
      const right = this.parseAnd();
      left = { kind: 'logical', operator: 'or', left, right, span: join(left.span, right.span) };
    }
    this.depth--;
    return left;
  }

  private parseAnd(): ExpressionNode {
    let left = this.parseNot();
    while (this.isKeyword('and') || this.isOperator('&&')) {
      this.advance();
      const right = this.parseNot();
      left = { kind: 'logical', operator: 'and', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseNot(): ExpressionNode {
    if (this.isKeyword('not') || this.isOperator('!')) {
      const not = this.advance();
      this.enter();
      const operand = this.parseNot();
      this.depth--;
      return { kind: 'not', operand, span: join(not, operand.span) };
    }
    return this.parsePredicate();
  }

  /** One comparison, `in`, `is [not] null` or `[not] between` — never a chain of them. */
  private parsePredicate(): ExpressionNode {
    const operand = this.parseAdditive();
    const predicate = this.parsePredicateTail(operand);
    if (predicate !== operand && this.startsPredicate()) {
      const next = this.peek();
      throw this.error(
        next,
        `cannot chain ${describe(next, this.source)} after ${this.quoteText(predicate.span)}`,
        { hint: "combine conditions with 'and', e.g. a < b and b < c" },
      );
    }
    return predicate;
  }

  private parsePredicateTail(operand: ExpressionNode): ExpressionNode {
    const token = this.peek();
    if (token.kind === 'operator') {
      const operator = COMPARISONS[token.operator];
      if (operator === undefined) return operand;
      this.advance();
      const right = this.parseAdditive();
      return {
        kind: 'comparison',
        operator,
        left: operand,
        right,
        span: join(operand.span, right.span),
      };
    }
    if (token.kind !== 'keyword') return operand;
    if (token.keyword === 'is') {
      this.advance();
      const negated = this.acceptKeyword('not');
      const nullToken = this.peek();
      if (!this.acceptKeyword('null')) {
        throw this.error(
          nullToken,
          `expected ${negated ? "'null'" : "'null' or 'not null'"} after ${this.quoteText(join(operand.span, token))}`,
        );
      }
      return { kind: 'is-null', operand, negated, span: join(operand.span, nullToken) };
    }
    if (token.keyword === 'not') {
      const after = this.tokens[this.index + 1]!;
      if (after.kind !== 'keyword' || (after.keyword !== 'in' && after.keyword !== 'between')) {
        throw this.error(after, "expected 'in' or 'between' after 'not'", {
          hint: "to negate a condition, put 'not' before it: not (a = b)",
        });
      }
      this.advance();
      return this.parseInOrBetween(operand, true);
    }
    if (token.keyword === 'in' || token.keyword === 'between') {
      return this.parseInOrBetween(operand, false);
    }
    return operand;
  }

  private parseInOrBetween(operand: ExpressionNode, negated: boolean): ExpressionNode {
    const keyword = this.advance();
    if (keyword.kind === 'keyword' && keyword.keyword === 'between') {
      const low = this.parseAdditive();
      if (!this.acceptKeyword('and')) {
        throw this.error(this.peek(), `expected 'and' after the lower bound of 'between'`, {
          hint: 'write x between low and high',
        });
      }
      const high = this.parseAdditive();
      return { kind: 'between', operand, low, high, negated, span: join(operand.span, high.span) };
    }
    const open = this.peek();
    if (!this.acceptOperator('(')) {
      throw this.error(open, "expected '(' after 'in'", { hint: "write x in ('a', 'b')" });
    }
    const items = this.parseList(open, "the 'in' list");
    const close = this.tokens[this.index - 1]!;
    return { kind: 'in', operand, items, negated, span: join(operand.span, close) };
  }

  private parseAdditive(): ExpressionNode {
    let left = this.parseMultiplicative();
    for (let op = this.arithmetic('+', '-'); op; op = this.arithmetic('+', '-')) {
      const right = this.parseMultiplicative();
      left = { kind: 'arithmetic', operator: op, left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseMultiplicative(): ExpressionNode {
    let left = this.parseUnary();
    for (let op = this.arithmetic('*', '/', '%'); op; op = this.arithmetic('*', '/', '%')) {
      const right = this.parseUnary();
      left = { kind: 'arithmetic', operator: op, left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseUnary(): ExpressionNode {
    if (this.isOperator('-')) {
      const minus = this.advance();
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'negate', operand, span: join(minus, operand.span) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ExpressionNode {
    const token = this.peek();
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'number':
      case 'string':
        this.advance();
        return token.kind === 'number'
          ? { kind: 'number', value: token.value, span }
          : { kind: 'string', value: token.value, span };
      case 'identifier':
        this.advance();
        if (!token.quoted && this.isOperator('(')) return this.parseCall(token);
        return { kind: 'column', name: token.name, span };
      case 'keyword':
        if (token.keyword === 'true' || token.keyword === 'false') {
          this.advance();
          return { kind: 'boolean', value: token.keyword === 'true', span };
        }
        if (token.keyword === 'null') {
          this.advance();
          return { kind: 'null', span };
        }
        break;
      case 'operator':
        if (token.operator === '(') {
          this.advance();
          const inner = this.parseOr();
          const close = this.peek();
          if (!this.acceptOperator(')')) {
            throw this.error(close, "expected ')'", {
              after: ` to close the '(' at column ${this.columnOf(token)}, found ${describe(close, this.source)}`,
            });
          }
          // The parentheses belong to the node's span so errors underline them too.
          return { ...inner, span: join(token, close) };
        }
        break;
    }
    throw this.expectedValue(token);
  }

  private parseCall(nameToken: Token & { kind: 'identifier' }): ExpressionNode {
    const nameSpan = { start: nameToken.start, end: nameToken.end };
    const name = lookupFunction(nameToken.name);
    if (name === undefined) {
      throw expressionError(
        'EXPRESSION_SYNTAX',
        this.source,
        nameSpan,
        `unknown function ${JSON.stringify(nameToken.name)}`,
        {
          after: didYouMean(nameToken.name, FUNCTION_NAMES),
          hint: `valid functions are: ${FUNCTION_NAMES.join(', ')}`,
          details: { name: nameToken.name, validNames: FUNCTION_NAMES },
        },
      );
    }
    const open = this.advance();
    const args = this.parseList(open, `the arguments of ${name}()`, true);
    const close = this.tokens[this.index - 1]!;
    const span = join(nameSpan, close);
    const spec = FUNCTIONS[name];
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const expected =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : `at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`;
      throw expressionError(
        'EXPRESSION_SYNTAX',
        this.source,
        span,
        `${name}() takes ${expected}, got ${args.length}`,
        { hint: `usage: ${spec.usage}` },
      );
    }
    return { kind: 'call', name, args, nameSpan, span };
  }

  /** Comma-separated values after an opening `(`, through the closing `)`. */
  private parseList(open: Token, what: string, allowEmpty = false): ExpressionNode[] {
    const items: ExpressionNode[] = [];
    if (allowEmpty && this.acceptOperator(')')) return items;
    for (;;) {
      items.push(this.parseOr());
      if (this.acceptOperator(')')) break;
      const next = this.peek();
      if (!this.acceptOperator(',')) {
        throw this.error(next, "expected ',' or ')'", {
          after: ` in ${what} opened at column ${this.columnOf(open)}, found ${describe(next, this.source)}`,
        });
      }
    }
    return items;
  }

  private arithmetic(...operators: ArithmeticOperator[]): ArithmeticOperator | undefined {
    const token = this.peek();
    if (token.kind !== 'operator') return undefined;
    const op = operators.find((o) => o === token.operator);
    if (op !== undefined) this.advance();
    return op;
  }

  private startsPredicate(): boolean {
    const token = this.peek();
    if (token.kind === 'operator') return COMPARISONS[token.operator] !== undefined;
    return (
      token.kind === 'keyword' &&
      (token.keyword === 'in' ||
        token.keyword === 'is' ||
        token.keyword === 'between' ||
        token.keyword === 'not')
    );
  }

  private expectedValue(token: Token): Error {
    const previous = this.tokens[this.index - 1];
    const after =
      previous === undefined ? '' : ` after '${this.source.slice(previous.start, previous.end)}'`;
    const found = token.kind === 'end' ? '' : `, found ${describe(token, this.source)}`;
    const hint =
      token.kind === 'keyword'
        ? `'${token.keyword}' is a keyword; quote a column of that name with backticks: \`${this.source.slice(token.start, token.end)}\``
        : undefined;
    const message =
      previous === undefined && token.kind === 'end'
        ? 'expected an expression'
        : `expected a value${after}${found}`;
    return this.error(token, message, hint === undefined ? {} : { hint });
  }

  private error(
    token: Span,
    message: string,
    options: { hint?: string; after?: string } = {},
  ): Error {
    return expressionError(
      'EXPRESSION_SYNTAX',
      this.source,
      { start: token.start, end: token.end },
      message,
      options,
    );
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_NESTING_DEPTH) {
      throw this.error(
        this.peek(),
        `expression nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`,
      );
    }
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isKeyword(keyword: Keyword): boolean {
    const token = this.peek();
    return token.kind === 'keyword' && token.keyword === keyword;
  }

  private isOperator(operator: Operator): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.operator === operator;
  }

  private acceptKeyword(keyword: Keyword): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.advance();
    return true;
  }

  private acceptOperator(operator: Operator): boolean {
    if (!this.isOperator(operator)) return false;
    this.advance();
    return true;
  }

  private columnOf(span: Span): number {
    return span.start - this.source.lastIndexOf('\n', span.start - 1);
  }

  /** A fragment of the source in backticks, shortened if long. */
  private quoteText(span: Span): string {
    const text = this.source.slice(span.start, span.end);
    return `\`${text.length > 30 ? `${text.slice(0, 29)}…` : text}\``;
  }
}

function join(first: Span, last: Span): Span {
  return { start: first.start, end: last.end };
}

function describe(token: Token, source: string): string {
  const text = source.slice(token.start, token.end);
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'number':
      return `number ${text}`;
    case 'string':
      return `string ${text.length > 30 ? `${text.slice(0, 29)}…` : text}`;
    case 'identifier':
      return `'${token.name}'`;
    case 'keyword':
      return `keyword '${token.keyword}'`;
    case 'operator':
      return `'${token.operator}'`;
  }
}
