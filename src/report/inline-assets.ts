/**
 * What a self-contained report page inlines and how its Content Security
 * Policy names it: Chart.js's UMD build, read once from the installed package,
 * and the CSP hash of any inline script or style.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let chartSource: string | undefined;

/** Chart.js's minified UMD build, read from `node_modules` on first use. */
export function chartJs(): string {
  if (chartSource === undefined) {
    const require = createRequire(import.meta.url);
    const main = require.resolve('chart.js');
    chartSource = readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartSource;
}

/**
 * The CSP source that allows exactly this inline text.
 *
 * @example
 * `script-src ${sha256(code)}` // "script-src 'sha256-…'"
 */
export const sha256 = (text: string) =>
  `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
