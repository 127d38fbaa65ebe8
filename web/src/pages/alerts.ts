/**
 * Alerts: every alert, firing first, with its state, severity, rule, model,
 * subject, since when, and message; the evidence opens on demand.
 */
import { api } from '../api.js';
import type { Alert } from '../api-types.js';
import { badge, type Column, pageHeader, section, type Tone, table, time } from '../components.js';
import { h, link } from '../dom.js';
import { text } from '../format.js';
import type { Page } from '../page.js';
import { path } from '../router.js';

const SEVERITY_TONE: Record<string, Tone> = { page: 'bad', ticket: 'warn', info: 'info' };

const SEVERITY_RANK: Record<string, number> = { page: 0, ticket: 1, info: 2 };

/** Firing first, pages before tickets, then the newest. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  const rank = (a: Alert) =>
    (a.state === 'firing' ? 0 : 10) + (SEVERITY_RANK[a.severity ?? ''] ?? 3);
  return [...alerts].sort(
    (a, b) => rank(a) - rank(b) || String(b.since ?? '').localeCompare(String(a.since ?? '')),
  );
}

function evidence(a: Alert): HTMLElement | string {
  if (!a.evidence || Object.keys(a.evidence).length === 0) return '';
  return h(
    'details',
    { class: 'evidence' },
    h('summary', {}, 'evidence'),
    h('pre', {}, JSON.stringify(a.evidence, null, 2)),
  );
}

export function alertsTable(alerts: readonly Alert[], options: { showModel?: boolean } = {}) {
  const columns: Column<Alert>[] = [
    {
      label: 'state',
      cell: (a) => badge(text(a.state), a.state === 'firing' ? 'bad' : 'ok'),
    },
    {
      label: 'severity',
      cell: (a) => badge(text(a.severity), SEVERITY_TONE[a.severity ?? ''] ?? 'muted'),
    },
    { label: 'rule', cell: (a) => h('code', {}, text(a.rule)) },
    ...(options.showModel === false
      ? []
      : [
          {
            label: 'model',
            cell: (a: Alert) => (a.model ? link(path('monitoring', a.model), a.model) : '–'),
          },
        ]),
    { label: 'subject', cell: (a) => text(a.subject) },
    { label: 'since', cell: (a) => time(a.since) },
    { label: 'resolved', cell: (a) => (a.resolvedAt ? time(a.resolvedAt) : '–') },
    {
      label: 'message',
      cell: (a) => h('div', { class: 'message' }, h('span', {}, text(a.message)), evidence(a)),
    },
  ];
  return table(columns, sortAlerts(alerts), {
    empty: 'No alerts.',
    label: 'alerts',
    rowClass: (a) => (a.state === 'firing' ? `firing sev-${a.severity ?? 'none'}` : 'resolved'),
  });
}

const STATES = ['all', 'firing', 'resolved'] as const;

export const alertsPage: Page = async (route, ctx) => {
  const asked = route.query.get('state');
  const state = STATES.find((s) => s === asked) ?? 'all';
  const alerts = await api.alerts(state);
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const select = h(
    'select',
    { 'aria-label': 'state' },
    ...STATES.map((s) => h('option', { value: s, selected: s === state }, s)),
  );
  select.addEventListener('change', () =>
    ctx.go(select.value === 'all' ? path('alerts') : `${path('alerts')}?state=${select.value}`),
  );
  return h(
    'div',
    {},
    pageHeader(
      'Alerts',
      firing > 0
        ? badge(`${firing} firing`, 'bad')
        : badge(state === 'resolved' ? 'resolved alerts' : 'none firing', 'ok'),
      h('label', { class: 'control' }, 'show ', select),
    ),
    section(`${alerts.length} alert${alerts.length === 1 ? '' : 's'}`, alertsTable(alerts)),
  );
};
