/**
 * Deployments: per model, what serves (the champion; a canary with its
 * traffic weight, shadow mode and age) and the history of alias moves: who
 * moved which alias, when, why, and from which version to which.
 */

import { historyTable } from '../alias-moves.js';
import { api } from '../api.js';
import type { AliasMove, ModelDetail, ModelSummary } from '../api-types.js';
import { badge, empty, facts, pageHeader, time } from '../components.js';
import { h, link } from '../dom.js';
import { isNum, num } from '../format.js';
import { type Page, settle } from '../page.js';
import { path } from '../router.js';

function weightBar(weight: unknown): HTMLElement {
  const w = isNum(weight) ? Math.max(0, Math.min(100, weight)) : 0;
  const bar = h('span', { class: 'weight-fill' });
  bar.style.width = `${w}%`;
  return h(
    'span',
    {
      class: 'weight',
      role: 'meter',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': w,
      title: `${num(w)}% of traffic`,
    },
    bar,
  );
}

function servingFacts(summary: ModelSummary, detail: ModelDetail | undefined, moves: AliasMove[]) {
  const champion = detail?.deployment?.champion ?? summary.aliases?.['champion'];
  const canary = detail?.deployment?.canary;
  const since = moves.find((m) => m.alias === 'champion' && m.toVersion === champion)?.at;
  return h(
    'div',
    { class: 'serving-grid' },
    h(
      'div',
      { class: 'serving-box champion' },
      h('div', { class: 'stat-label' }, 'champion'),
      h('div', { class: 'stat-value' }, isNum(champion) ? `v${champion}` : '–'),
      h('div', { class: 'stat-note' }, since ? ['since ', time(since)] : 'takes the traffic'),
    ),
    h(
      'div',
      { class: `serving-box canary${canary ? ' active' : ''}` },
      h('div', { class: 'stat-label' }, 'canary'),
      canary && isNum(canary.version)
        ? [
            h(
              'div',
              { class: 'stat-value' },
              `v${canary.version} `,
              canary.shadow
                ? badge('shadow', 'info', 'scores a copy of the traffic; answers nothing')
                : null,
            ),
            facts([
              ['weight', h('span', {}, weightBar(canary.weight), ` ${num(canary.weight)}%`)],
              ['started', time(canary.startedAt)],
            ]),
          ]
        : h('div', { class: 'stat-value muted' }, 'none'),
    ),
  );
}

export const deploymentsPage: Page = async () => {
  const models = await api.models();
  const rows = await Promise.all(
    models.map(async (m) => {
      const [detail, moves] = await Promise.all([
        settle(api.model(m.name)),
        settle(api.history(m.name)),
      ]);
      return { summary: m, detail, moves: moves ?? [] };
    }),
  );
  const canaries = rows.filter((r) => r.detail?.deployment?.canary).length;
  return h(
    'div',
    {},
    pageHeader(
      'Deployments',
      `${models.length} model${models.length === 1 ? '' : 's'} · ${canaries} canar${canaries === 1 ? 'y' : 'ies'} running`,
    ),
    rows.length === 0
      ? empty('No models registered yet.')
      : rows.map(({ summary, detail, moves }) =>
          h(
            'section',
            { class: 'panel', 'data-model': summary.name },
            h(
              'header',
              { class: 'panel-header' },
              h('h2', {}, link(path('models', summary.name), summary.name)),
              h(
                'span',
                { class: 'card-links' },
                link(path('monitoring', summary.name), 'monitoring'),
              ),
            ),
            servingFacts(summary, detail, moves),
            h('h3', {}, 'Alias history'),
            historyTable(moves, 20),
          ),
        ),
  );
};
