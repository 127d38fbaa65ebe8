/**
 * A link to a run's HTML report. With auth off the report opens in a new tab
 * straight from the server. With auth on a tab cannot send the bearer token,
 * and a page made from fetched HTML (blob or srcdoc) inherits this
 * dashboard's Content-Security-Policy, which blocks the report's own inline
 * scripts and style; so the report is fetched with the token and saved as the
 * self-contained file it is, which opens fully offline.
 */
import { api } from './api.js';
import type { Maybe } from './api-types.js';
import { h } from './dom.js';

export function reportLink(
  runId: Maybe<string>,
  hasReport: Maybe<boolean>,
  authOff: boolean,
): HTMLElement {
  if (!runId || hasReport === false) return h('span', { class: 'muted' }, '–');
  if (authOff) {
    return h(
      'a',
      {
        href: api.reportUrl(runId),
        target: '_blank',
        rel: 'noopener noreferrer',
        class: 'report-link',
        title: `Open the report of run ${runId} in a new tab`,
      },
      'Report ↗',
    );
  }
  const button = h(
    'button',
    {
      type: 'button',
      class: 'link-button report-link',
      title: `Download the report of run ${runId} (a self-contained HTML file)`,
    },
    'Report ↓',
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const html = await api.reportHtml(runId);
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
      const a = h('a', { href: url, download: `report-${runId.replace(/[^\w.-]/g, '_')}.html` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      button.title = `No report: ${(err as Error).message}`;
      button.textContent = 'No report';
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
