/**
 * Audit log: the governance and deployment entries, newest first, with a
 * filter over actor, action and object.
 */
import { api } from '../api.js';
import type { AuditEntry } from '../api-types.js';
import { badge, type Column, mono, pageHeader, section, table, time } from '../components.js';
import { h, replace } from '../dom.js';
import { short, text, when } from '../format.js';
import type { Page } from '../page.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function compact(details: AuditEntry['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .slice(0, 4)
    .map(
      ([k, v]) =>
        `${k}=${clip(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v), 24)}`,
    )
    .join(' · ');
}

function detailsCell(e: AuditEntry): HTMLElement | string {
  if (!e.details || Object.keys(e.details).length === 0) return '–';
  const line = compact(e.details);
  return h(
    'details',
    { class: 'evidence' },
    h('summary', {}, clip(line, 100)),
    h('pre', {}, JSON.stringify(e.details, null, 2)),
  );
}

const columns: Column<AuditEntry>[] = [
  {
    label: 'when',
    cell: (e) =>
      h('span', { class: 'nowrap' }, when(e.at), ' ', h('span', { class: 'muted' }, time(e.at))),
  },
  { label: 'actor', cell: (e) => text(e.actor) },
  { label: 'action', cell: (e) => badge(text(e.action), 'info') },
  {
    label: 'object',
    cell: (e) =>
      h(
        'span',
        {},
        h('span', { class: 'muted' }, `${text(e.objectType)} `),
        mono(short(e.objectId, 40), e.objectId ?? undefined),
      ),
  },
  { label: 'details', cell: detailsCell },
];

const haystack = (e: AuditEntry) =>
  [e.actor, e.action, e.objectType, e.objectId, compact(e.details)].join(' ').toLowerCase();

export const auditPage: Page = async () => {
  const entries = (await api.audit(200)).sort((a, b) =>
    String(b.at ?? '').localeCompare(String(a.at ?? '')),
  );
  const holder = h(
    'div',
    {},
    table(columns, entries, { empty: 'No audit entries yet.', label: 'audit log' }),
  );
  const filter = h('input', {
    type: 'search',
    placeholder: 'filter by actor, action, object…',
    'aria-label': 'filter',
  });
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    const shown = q === '' ? entries : entries.filter((e) => haystack(e).includes(q));
    replace(holder, table(columns, shown, { empty: 'No entries match.', label: 'audit log' }));
  });
  return h(
    'div',
    {},
    pageHeader('Audit log', `${entries.length} newest entries`, filter),
    section('Entries, newest first', holder),
  );
};
