/**
 * Alias moves as people read them: "v2 → v3", coloured by what happened
 * (promoted, rolled back, a canary step), in a table newest first.
 */
import type { AliasMove } from './api-types.js';
import { badge, type Column, type Tone, table, time } from './components.js';
import { h } from './dom.js';
import { text } from './format.js';

export function versionMove(m: AliasMove): HTMLElement {
  const v = (x: AliasMove['fromVersion']) => (x === null || x === undefined ? '∅' : `v${x}`);
  return h('span', { class: 'move' }, v(m.fromVersion), ' → ', v(m.toVersion));
}

/** promote: green; rollback: red; canary moves: amber; anything else: grey. */
export function actionTone(action: unknown): Tone {
  const a = typeof action === 'string' ? action.toLowerCase() : '';
  if (/roll(ed_?)?back|abort/.test(a)) return 'bad';
  if (/promot/.test(a)) return 'ok';
  if (/canary/.test(a)) return 'warn';
  return 'muted';
}

export function historyTable(moves: readonly AliasMove[], limit = 50): HTMLElement {
  const sorted = [...moves].sort((a, b) => String(b.at ?? '').localeCompare(String(a.at ?? '')));
  const columns: Column<AliasMove>[] = [
    { label: 'when', cell: (m) => time(m.at) },
    { label: 'alias', cell: (m) => h('b', {}, text(m.alias)) },
    { label: 'action', cell: (m) => badge(text(m.action), actionTone(m.action)) },
    { label: 'from → to', cell: versionMove },
    { label: 'who', cell: (m) => text(m.actor) },
    { label: 'why', cell: (m) => h('span', { class: 'reason' }, text(m.reason)) },
  ];
  return table(columns, sorted.slice(0, limit), {
    empty: 'No alias moves yet.',
    label: 'alias history',
  });
}
