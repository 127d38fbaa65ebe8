/**
 * Dependencies point one way (DESIGN.md): from `spec` and `store` at the
 * bottom to `server` and `cli` on top; and a folder is entered only through
 * its index.ts, never through another folder's internals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LAYERS: Record<string, number> = {
  '': 0, // src/errors.ts and other root modules
  spec: 1,
  store: 1,
  data: 2,
  features: 2,
  governance: 2,
  models: 3,
  evaluate: 3,
  registry: 4,
  serve: 4,
  deploy: 4,
  monitor: 4,
  feedback: 4,
  pipeline: 5,
  report: 5,
  server: 6,
  cli: 6,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

const src = path.resolve('src');
const folderOf = (file: string) => {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? '' : rel[0]!;
};

describe('architecture', () => {
  const files = sources(src);

  it('knows the layer of every folder under src/', () => {
    for (const f of files) expect(LAYERS, `unknown folder for ${f}`).toHaveProperty(folderOf(f));
  });

  it('never imports a higher layer, and enters other folders only by their index', () => {
    const problems: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = path.resolve(path.dirname(file), m[1]!);
        const to = folderOf(target);
        if (to === from) continue;
        if (LAYERS[to]! > LAYERS[from]!)
          problems.push(`${path.relative(src, file)} imports higher layer ${to}: ${m[1]}`);
        const rel = path.relative(src, target).split(path.sep);
        if (to !== '' && !(rel.length === 2 && rel[1] === 'index.js')) {
          problems.push(`${path.relative(src, file)} reaches into ${to} internals: ${m[1]}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
