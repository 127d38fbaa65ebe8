/**
 * Maps a path inside the parsed spec (e.g. ["split", "train", "until"]) back
 * to file:line:column, so every error points at the text the user wrote.
 */
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export type SpecPath = readonly (string | number)[];

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export class SpecLocator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Position of the value at `path`, or of its nearest existing ancestor. */
  valueAt(path: SpecPath): SourcePosition {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node && typeof node === 'object' && 'range' in node && node.range) {
        return this.position(node.range[0]);
      }
    }
    return { line: 1, column: 1 };
  }

  /** Position of the key `key` inside the mapping at `path`. */
  keyAt(path: SpecPath, key: string): SourcePosition {
    const parent = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(parent)) {
      for (const item of parent.items) {
        if (
          isPair(item) &&
          isScalar(item.key) &&
          String(item.key.value) === key &&
          item.key.range
        ) {
          return this.position(item.key.range[0]);
        }
      }
    }
    return this.valueAt(path);
  }

  /** The scalar text at `path` when it sits on one line, with its start offset. */
  scalarAt(path: SpecPath): { text: string; position: SourcePosition; plain: boolean } | undefined {
    const node = this.doc.getIn(path, true);
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return undefined;
    return {
      text: node.value,
      position: this.position(node.range[0]),
      plain: node.type === 'PLAIN',
    };
  }

  /** True when `path` names a sequence in the source (for messages only). */
  isSequence(path: SpecPath): boolean {
    return isSeq(this.doc.getIn(path, true));
  }

  format(position: SourcePosition): string {
    return `${this.file}:${position.line}:${position.column}`;
  }

  private position(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}
