/**
 * Walks a zod schema along a path to list the keys valid at that point, for
 * "unknown key ... did you mean" messages and the generated reference docs.
 */
import type { z } from 'zod';
import type { SpecPath } from './locate.js';

type AnySchema = z.core.$ZodType;

/** Unwraps optional, default, nullable and pipe wrappers. */
export function unwrap(schema: AnySchema): AnySchema {
  let cur = schema;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (
      (def.type === 'optional' ||
        def.type === 'default' ||
        def.type === 'nullable' ||
        def.type === 'prefault') &&
      def.innerType
    ) {
      cur = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      cur = def.in;
    } else {
      return cur;
    }
  }
}

/** The object schemas that may sit at `schema` (one, or one per union option). */
export function objectOptions(schema: AnySchema): AnySchema[] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; options?: AnySchema[] };
  if (def.type === 'object') return [s];
  if (def.type === 'union' && def.options) return def.options.flatMap(objectOptions);
  return [];
}

/** The shape (key → schema) of an object schema. */
export function shapeOf(schema: AnySchema): Record<string, AnySchema> {
  return (unwrap(schema)._zod.def as unknown as { shape: Record<string, AnySchema> }).shape;
}

function child(schema: AnySchema, segment: string | number): AnySchema[] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; valueType?: AnySchema; element?: AnySchema };
  if (def.type === 'record' && def.valueType) return [def.valueType];
  if (def.type === 'array' && def.element) return [def.element];
  return objectOptions(s).flatMap((o) => {
    const next = shapeOf(o)[String(segment)];
    return next ? [next] : [];
  });
}

/** Keys valid in the mapping at `path`, e.g. validKeysAt(SpecSchema, ['split']). */
export function validKeysAt(root: AnySchema, path: SpecPath): string[] {
  let current: AnySchema[] = [root];
  for (const segment of path) current = current.flatMap((s) => child(s, segment));
  const keys = new Set<string>();
  for (const s of current)
    for (const o of objectOptions(s)) for (const k of Object.keys(shapeOf(o))) keys.add(k);
  return [...keys];
}
