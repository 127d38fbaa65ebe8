import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartJs } from './inline-assets.js';
import { renderPage } from './report-page.js';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('renderPage', () => {
  const page = {
    title: 'A <title>',
    style: 'body{color:red}',
    script: 'document.body.setAttribute("data-charts-ready", "true");',
    data: { name: '</script><script>alert(1)</script>' },
    headerClass: 'passed',
    header: '<p>header</p>',
    sections: ['<section id="a"></section>', '<section id="b"></section>'],
  };
  const html = renderPage(page);
  const csp = html.match(/Content-Security-Policy" content="([^"]+)"/)![1]!.replace(/&#39;/g, "'");

  it('allows only Chart.js, its own script and its own style, by hash', () => {
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`script-src ${hash(chartJs())} ${hash(page.script)};`);
    expect(csp).toContain(`style-src ${hash(page.style)};`);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual([chartJs(), page.script]);
  });

  it('escapes `<` in the JSON block and the title', () => {
    const json = html.match(/id="report-data">([\s\S]*?)<\/script>/)![1]!;
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(page.data);
    expect(html).toContain('<title>A &lt;title&gt;</title>');
  });

  it('puts the sections in order inside main', () => {
    expect(html).toContain(`<main>\n${page.sections.join('\n')}\n</main>`);
    expect(html).toContain('<header class="passed">\n<h1>A &lt;title&gt;</h1>\n<p>header</p>');
  });
});
