/**
 * The type checker: decides an expression's result type from the column
 * types, and explains every mismatch with a caret under the offending part.
 */

import { didYouMean } from '../suggest.js';
import type { Expression, ExpressionNode } from './ast.js';
import type { ColumnType, ExpressionType } from './column.js';
import { expressionError } from './expression-error.js';
import { FUNCTIONS, lookupFunction } from './functions.js';

/** A type, or `null` for the `null` literal, which fits wherever any type does. */
type Inferred = ExpressionType | 'null';

const TIMESTAMP_PARTS_HINT =
  'take a part of the timestamp first: minute, hour, day_of_week, day_of_month, month or year, e.g. hour(date)';
const CONDITION_HINT = 'a condition compares values, e.g. delay > 15';

/**
 * The type of `expr`'s result, given the input column types. Throws a
 * FlywheelError EXPRESSION_INVALID for an unknown column (listing the valid
 * names, with a "did you mean") or a type mismatch.
 *
 * @example
 * const columns = new Map([['delay', 'numeric'], ['origin', 'categorical']] as const);
 * typeCheck(parseExpression('delay > 15'), columns); // 'boolean'
 * typeCheck(parseExpression('origin > 5'), columns); // throws: '>' needs numbers or timestamps …
 */
export function typeCheck(
  expr: Expression,
  columns: ReadonlyMap<string, ColumnType>,
): ExpressionType {
  const checker = new TypeChecker(expr.source, columns);
  const type = checker.infer(expr.root);
  if (type === 'null') {
    throw checker.invalid(expr.root, 'the expression is always missing (null)', {
      hint: 'null is only useful inside another expression, e.g. coalesce(delay, null)',
    });
  }
  return type;
}

class TypeChecker {
  constructor(
    private readonly source: string,
    private readonly columns: ReadonlyMap<string, ColumnType>,
  ) {}

  infer(node: ExpressionNode): Inferred {
    switch (node.kind) {
      case 'number':
        return 'numeric';
      case 'string':
        return 'categorical';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'column':
        return this.column(node);
      case 'negate':
        this.expect(node.operand, ['numeric'], "'-' needs a number");
        return 'numeric';
      case 'not':
        this.expect(node.operand, ['boolean'], "'not' needs a true/false condition");
        return 'boolean';
      case 'arithmetic':
        this.expect(node.left, ['numeric'], `'${node.operator}' needs numbers`);
        this.expect(node.right, ['numeric'], `'${node.operator}' needs numbers`);
        return 'numeric';
      case 'logical':
        this.expect(node.left, ['boolean'], `'${node.operator}' needs true/false conditions`);
        this.expect(node.right, ['boolean'], `'${node.operator}' needs true/false conditions`);
        return 'boolean';
      case 'comparison': {
        const operands = [node.left, node.right];
        if (node.operator === '=' || node.operator === '<>')
          this.same(operands, 'cannot compare', node);
        else this.ordered(operands, `'${node.operator}'`, node);
        return 'boolean';
      }
      case 'in':
        this.same([node.operand, ...node.items], 'cannot compare', undefined, " in the 'in' list");
        return 'boolean';
      case 'between':
        this.ordered([node.operand, node.low, node.high], "'between'", node);
        return 'boolean';
      case 'is-null':
        this.infer(node.operand);
        return 'boolean';
      case 'call':
        return this.call(node);
    }
  }

  private column(node: ExpressionNode & { kind: 'column' }): Inferred {
    const type = this.columns.get(node.name);
    if (type !== undefined) return type;
    const names = [...this.columns.keys()];
    const fn = lookupFunction(node.name);
    const hint =
      fn !== undefined
        ? `${fn} is a function; call it as ${FUNCTIONS[fn].usage}`
        : names.length === 0
          ? 'there are no columns'
          : `columns are: ${listNames(names)}`;
    throw this.invalid(node, `unknown column ${JSON.stringify(node.name)}`, {
      after: didYouMean(node.name, names),
      hint,
      details: { name: node.name, validNames: names },
    });
  }

  private call(node: ExpressionNode & { kind: 'call' }): Inferred {
    const what = `${node.name}()`;
    switch (FUNCTIONS[node.name].signature) {
      case 'timestamp-part':
        this.expect(node.args[0]!, ['timestamp'], `${what} needs a timestamp`);
        return 'numeric';
      case 'math':
        this.expect(node.args[0]!, ['numeric'], `${what} needs a number`);
        return 'numeric';
      case 'extremum':
        return this.ordered(node.args, what, undefined, `${what} cannot mix`);
      case 'coalesce':
        return this.same(node.args, `${what} cannot mix`);
      case 'if':
        this.expect(node.args[0]!, ['boolean'], `${what} needs a true/false condition first`);
        return this.same(node.args.slice(1), `${what} cannot mix`);
      case 'is-missing':
        this.infer(node.args[0]!);
        return 'boolean';
    }
  }

  /** Checks that `node` has one of `allowed` types (or is null); `problem` says what is needed. */
  private expect(node: ExpressionNode, allowed: readonly ExpressionType[], problem: string): void {
    const type = this.infer(node);
    if (type === 'null' || allowed.includes(type)) return;
    const hint =
      type === 'timestamp'
        ? TIMESTAMP_PARTS_HINT
        : allowed.includes('boolean')
          ? CONDITION_HINT
          : allowed.includes('timestamp')
            ? this.timestampColumnsHint()
            : undefined;
    throw this.invalid(node, `${problem}, but ${this.quote(node)} is ${article(type)}`, {
      ...(hint === undefined ? {} : { hint }),
      details: { expected: allowed, actual: type },
    });
  }

  private timestampColumnsHint(): string {
    const names = [...this.columns]
      .filter(([, type]) => type === 'timestamp')
      .map(([name]) => name);
    return names.length === 0
      ? 'there are no timestamp columns'
      : `timestamp columns are: ${listNames(names)}`;
  }

  /**
   * Checks that `nodes` share one type (nulls aside) and returns it. A
   * mismatch underlines `parent` when given, else the first odd node.
   */
  private same(
    nodes: readonly ExpressionNode[],
    verb: string,
    parent?: ExpressionNode,
    suffix = '',
    types: readonly Inferred[] = nodes.map((node) => this.infer(node)),
  ): Inferred {
    let common: Inferred = 'null';
    let first: ExpressionNode | undefined;
    for (const [i, node] of nodes.entries()) {
      const type = types[i]!;
      if (type === 'null') continue;
      if (common === 'null' || first === undefined) {
        common = type;
        first = node;
      } else if (type !== common) {
        const problem = `${verb} ${this.quote(first)} (${common}) with ${this.quote(node)} (${type})${suffix}`;
        throw this.invalid(parent ?? node, problem, {
          ...(verb === 'cannot compare' ? mismatchHint(common, type) : {}),
          details: { types: [common, type] },
        });
      }
    }
    return common;
  }

  /** Checks that `nodes` are all numbers or all timestamps (nulls aside) and returns which. */
  private ordered(
    nodes: readonly ExpressionNode[],
    what: string,
    parent?: ExpressionNode,
    verb = 'cannot compare',
  ): Inferred {
    const types = nodes.map((node) => this.infer(node));
    for (const [i, node] of nodes.entries()) {
      const type = types[i]!;
      if (type === 'categorical' || type === 'boolean') {
        throw this.invalid(
          node,
          `${what} needs numbers or timestamps, but ${this.quote(node)} is ${article(type)}`,
          type === 'categorical'
            ? {
                hint: "categories have no order; compare them with =, != or in, e.g. origin in ('ORD', 'ATL')",
              }
            : {},
        );
      }
    }
    return this.same(nodes, verb, parent, '', types);
  }

  invalid(
    node: ExpressionNode,
    problem: string,
    options: { after?: string; hint?: string; details?: Record<string, unknown> } = {},
  ): Error {
    return expressionError('EXPRESSION_INVALID', this.source, node.span, problem, options);
  }

  /** The node's source text in backticks, shortened if long. */
  private quote(node: ExpressionNode): string {
    const text = this.source.slice(node.span.start, node.span.end);
    return `\`${text.length > 40 ? `${text.slice(0, 39)}…` : text}\``;
  }
}

function article(type: ExpressionType): string {
  switch (type) {
    case 'numeric':
      return 'numeric';
    case 'categorical':
      return 'categorical';
    case 'timestamp':
      return 'a timestamp';
    case 'boolean':
      return 'a true/false condition';
  }
}

function mismatchHint(a: ExpressionType, b: ExpressionType): { hint?: string } {
  const pair = new Set([a, b]);
  if (pair.has('categorical') && pair.has('numeric')) {
    return { hint: "quote a category to compare with it, e.g. origin = 'ORD' or code = '5'" };
  }
  if (pair.has('timestamp')) return { hint: `${TIMESTAMP_PARTS_HINT}, as in year(date) = 2024` };
  if (pair.has('boolean'))
    return { hint: 'turn a condition into a value with if(), e.g. if(delay > 15, 1, 0)' };
  return {};
}

/** `names` as a comma-separated list, shortened to `limit` entries. */
function listNames(names: readonly string[], limit = 40): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length <= limit ? shown : `${shown}, … (${names.length - limit} more)`;
}
