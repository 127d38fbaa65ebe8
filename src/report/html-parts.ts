/**
 * Small HTML builders shared by the report's sections. Every builder takes
 * already-escaped cell HTML or escapes its own text; `escapeHtml` is safe in
 * element content and in quoted attribute values.
 */
import type { IntervalValue } from './report-input.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(digits);
}

export function interval(v: IntervalValue | undefined): string {
  if (!v) return '–';
  const ci =
    v.lo !== undefined && v.hi !== undefined
      ? ` <span class="ci">[${num(v.lo)}, ${num(v.hi)}]</span>`
      : '';
  return `${num(v.estimate)}${ci}`;
}

export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  cls = '',
): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

export function chart(id: string, caption: string): string {
  return `<figure class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(caption)}"></canvas><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}
