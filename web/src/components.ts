/**
 * Small building blocks shared by the pages: sections, cards, tables,
 * badges, times and empty states. All text goes through `h`, so nothing is
 * parsed as markup.
 */
import type { Health, Maybe } from './api-types.js';
import { type Child, h } from './dom.js';
import { ago, DASH, when } from './format.js';

export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

export function pageHeader(title: Child, subtitle?: Child, ...actions: Child[]): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', {}, h('h1', {}, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions.length > 0 ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

export function empty(message: string): HTMLElement {
  return h('p', { class: 'empty' }, message);
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export function badge(label: string, tone: Tone = 'muted', title?: string): HTMLElement {
  return h('span', { class: `badge ${tone}`, title }, label);
}

export const healthTone = (health: Maybe<Health>): Tone =>
  health === 'ok' ? 'ok' : health === 'warning' ? 'warn' : health === 'critical' ? 'bad' : 'muted';

const HEALTH_LABEL: Record<Health, string> = {
  ok: 'Healthy',
  warning: 'Warning',
  critical: 'Critical',
};

export function healthBadge(health: Maybe<Health>): HTMLElement {
  const label = health ? (HEALTH_LABEL[health] ?? health) : 'Unknown';
  return h(
    'span',
    { class: `health ${healthTone(health)}`, 'data-health': health ?? 'unknown' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    label,
  );
}

/** A time as "5 min ago", with the full date on hover. */
export function time(v: Maybe<string>): HTMLElement {
  if (!v) return h('span', { class: 'muted' }, DASH);
  return h('time', { datetime: v, title: when(v) }, ago(v));
}

export function stat(label: string, value: Child, note?: Child, tone?: Tone): HTMLElement {
  return h(
    'div',
    { class: `stat${tone ? ` ${tone}` : ''}` },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    note === undefined || note === null ? null : h('div', { class: 'stat-note' }, note),
  );
}

export interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => Child;
  readonly class?: string;
}

export function table<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  options: { empty?: string; rowClass?: (row: T) => string | undefined; label?: string } = {},
): HTMLElement {
  if (rows.length === 0) return empty(options.empty ?? 'Nothing yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'aria-label': options.label },
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { class: c.class }, c.label)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { class: options.rowClass?.(row) },
            ...columns.map((c) => h('td', { class: c.class }, c.cell(row))),
          ),
        ),
      ),
    ),
  );
}

/** A definition list of label → value pairs. */
export function facts(pairs: readonly [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...pairs.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

export function mono(v: Child, title?: string): HTMLElement {
  return h('code', { title }, v);
}

export function errorBox(message: string, detail?: string): HTMLElement {
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('strong', {}, message),
    detail ? h('p', {}, detail) : null,
  );
}
