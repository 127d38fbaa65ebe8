/**
 * The expression syntax tree. Every node keeps its span in the source text so
 * that type errors can point at the offending part.
 */

import type { FunctionName } from './functions.js';

/** A half-open range of UTF-16 offsets into the source text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
/** Comparison operators, normalised: `==` is stored as `=`, `!=` as `<>`. */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ExpressionNode =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'null'; readonly span: Span }
  | { readonly kind: 'column'; readonly name: string; readonly span: Span }
  | { readonly kind: 'negate'; readonly operand: ExpressionNode; readonly span: Span }
  | { readonly kind: 'not'; readonly operand: ExpressionNode; readonly span: Span }
  | {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly span: Span;
    }
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly span: Span;
    }
  | {
      readonly kind: 'logical';
      readonly operator: 'and' | 'or';
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly span: Span;
    }
  | {
      readonly kind: 'in';
      readonly operand: ExpressionNode;
      readonly items: readonly ExpressionNode[];
      readonly negated: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'between';
      readonly operand: ExpressionNode;
      readonly low: ExpressionNode;
      readonly high: ExpressionNode;
      readonly negated: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'is-null';
      readonly operand: ExpressionNode;
      readonly negated: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'call';
      readonly name: FunctionName;
      readonly args: readonly ExpressionNode[];
      readonly nameSpan: Span;
      readonly span: Span;
    };

/** A parsed expression: the source text and the root of its syntax tree. */
export interface Expression {
  readonly source: string;
  readonly root: ExpressionNode;
}

/** The direct children of `node`, in source order. */
export function childNodes(node: ExpressionNode): readonly ExpressionNode[] {
  switch (node.kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'null':
    case 'column':
      return [];
    case 'negate':
    case 'not':
    case 'is-null':
      return [node.operand];
    case 'arithmetic':
    case 'comparison':
    case 'logical':
      return [node.left, node.right];
    case 'in':
      return [node.operand, ...node.items];
    case 'between':
      return [node.operand, node.low, node.high];
    case 'call':
      return node.args;
  }
}
