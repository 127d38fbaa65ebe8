/**
 * The page every HTML report shares: one self-contained file that opens
 * offline. Chart.js and the page's own script are inlined, the data sits in a
 * JSON block with `<` escaped (so no name or value can close the tag), and a
 * strict Content Security Policy allows only those scripts and the style by
 * hash.
 */
import { escapeHtml } from './html-parts.js';
import { chartJs, sha256 } from './inline-assets.js';

export interface ReportPage {
  readonly title: string;
  /** The stylesheet, inlined. */
  readonly style: string;
  /** The browser script that draws the charts from the JSON block, inlined after Chart.js. */
  readonly script: string;
  /** What the script reads from `#report-data`. */
  readonly data: unknown;
  /** The header's class (its colour). */
  readonly headerClass: string;
  /** HTML under the header's title. */
  readonly header: string;
  /** The sections, as HTML. */
  readonly sections: readonly string[];
}

/**
 * Renders a report page around its sections.
 *
 * @example
 * renderPage({ title: 'Run', style, script, data: {}, headerClass: 'passed', header: '<p>ok</p>', sections: [] });
 */
export function renderPage(page: ReportPage): string {
  const json = JSON.stringify(page.data).replace(/</g, '\\u003c');
  const chartCode = chartJs();
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartCode)} ${sha256(page.script)}`,
    `style-src ${sha256(page.style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${page.style}</style>
</head>
<body>
<header class="${page.headerClass}">
<h1>${escapeHtml(page.title)}</h1>
${page.header}
</header>
<main>
${page.sections.join('\n')}
</main>
<script type="application/json" id="report-data">${json}</script>
<script>${chartCode}</script>
<script>${page.script}</script>
</body>
</html>
`;
}
