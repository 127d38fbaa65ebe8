/**
 * Formatting for people: numbers with sensible precision, times both
 * relative ("5 min ago") and absolute, and "–" for anything absent.
 */
import type { Maybe } from './api-types.js';

export const DASH = '–';

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function num(v: Maybe<number>, digits = 3): string {
  if (!isNum(v)) return DASH;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 10 ** -digits || abs >= 1e6)) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function count(v: Maybe<number>): string {
  return isNum(v) ? Math.round(v).toLocaleString('en-US') : DASH;
}

export function pct(v: Maybe<number>, digits = 1): string {
  return isNum(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
}

export function ms(v: Maybe<number>): string {
  if (!isNum(v)) return DASH;
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(v >= 10 ? 1 : 2)} ms`;
}

export function money(v: Maybe<number>, currency: Maybe<string>): string {
  if (!isNum(v)) return DASH;
  const code = currency ?? '';
  if (/^[A-Z]{3}$/.test(code)) {
    return v.toLocaleString('en-US', {
      style: 'currency',
      currency: code,
      maximumFractionDigits: 2,
    });
  }
  return `${v.toFixed(2)}${code === '' ? '' : ` ${code}`}`;
}

export function text(v: unknown): string {
  if (v === null || v === undefined || v === '') return DASH;
  return String(v);
}

/** The first 12 characters of a hash or id, like `git log --oneline`. */
export function short(v: Maybe<string>, n = 12): string {
  if (typeof v !== 'string' || v === '') return DASH;
  return v.length > n ? v.slice(0, n) : v;
}

function parseTime(v: Maybe<string>): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function when(v: Maybe<string>): string {
  const t = parseTime(v);
  return t === undefined ? DASH : dateTime.format(t);
}

/** A short axis label for a window's end: the time of day, with the date when windows span days. */
export function axisTime(v: Maybe<string>, spansDays: boolean): string {
  const t = parseTime(v);
  if (t === undefined) return DASH;
  return spansDays ? `${dayOnly.format(t)} ${timeOnly.format(t)}` : timeOnly.format(t);
}

export function ago(v: Maybe<string>, now = Date.now()): string {
  const t = parseTime(v);
  if (t === undefined) return DASH;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function duration(from: Maybe<string>, to: Maybe<string>): string {
  const a = parseTime(from);
  const b = parseTime(to);
  if (a === undefined || b === undefined) return DASH;
  const s = (b - a) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function seconds(v: Maybe<number>): string {
  if (!isNum(v)) return DASH;
  if (v < 120) return `${Math.round(v)} s`;
  if (v < 7200) return `${Math.round(v / 60)} min`;
  if (v < 172_800) return `${(v / 3600).toFixed(1)} h`;
  return `${(v / 86_400).toFixed(1)} d`;
}
