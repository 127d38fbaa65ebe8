/**
 * The dashboard shell: the navigation, who is signed in, the "paste a token"
 * form when the server answers 401, and the current page, refreshed every
 * minute while the tab is visible.
 */
import './styles.css';
import { ApiError, api, storedToken, storeToken, Unauthorized } from './api.js';
import type { Me } from './api-types.js';
import { destroyCharts, drawPendingCharts } from './charts.js';
import { errorBox } from './components.js';
import { h, replace } from './dom.js';
import { text } from './format.js';
import type { Page, PageContext } from './page.js';
import { alertsPage } from './pages/alerts.js';
import { auditPage } from './pages/audit.js';
import { deploymentsPage } from './pages/deployments.js';
import { modelsPage } from './pages/models.js';
import { monitoringPage } from './pages/monitoring.js';
import { overviewPage } from './pages/overview.js';
import { parseRoute, type Route, startRouter } from './router.js';

const REFRESH_MS = 60_000;

const NAV: readonly [page: string, href: string, label: string][] = [
  ['overview', '/', 'Overview'],
  ['models', '/models', 'Models'],
  ['deployments', '/deployments', 'Deployments'],
  ['monitoring', '/monitoring', 'Monitoring'],
  ['alerts', '/alerts', 'Alerts'],
  ['audit', '/audit', 'Audit log'],
];

const notFound: Page = async () =>
  h(
    'div',
    {},
    h('h1', {}, 'Not found'),
    h('p', {}, 'No such page. ', h('a', { href: '/', 'data-link': true }, 'Back to the overview')),
  );

const PAGES: Record<string, Page> = {
  overview: overviewPage,
  models: modelsPage,
  deployments: deploymentsPage,
  monitoring: monitoringPage,
  alerts: alertsPage,
  audit: auditPage,
};

const root = document.getElementById('app')!;
const nav = h(
  'nav',
  { class: 'nav', 'aria-label': 'pages' },
  ...NAV.map(([page, href, label]) =>
    h(
      'a',
      { href, 'data-link': true, 'data-page': page },
      label,
      page === 'alerts' ? h('span', { class: 'count', hidden: true }) : null,
    ),
  ),
);
const who = h('div', { class: 'who' });
const main = h('main', { id: 'content', tabindex: -1 });
const status = h('div', { class: 'status', 'aria-live': 'polite' });
replace(
  root,
  h(
    'header',
    { class: 'topbar' },
    h(
      'a',
      { href: '/', 'data-link': true, class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }),
      'Flywheel',
    ),
    nav,
    who,
  ),
  main,
  h('footer', { class: 'foot' }, status),
);

let me: Me | undefined;
let generation = 0;
let current: Route = parseRoute(location);
let router: ReturnType<typeof startRouter> | undefined;

function context(): PageContext {
  return {
    me: me ?? {},
    authOff: me?.auth === 'off',
    go: (href, replace) => router?.go(href, replace),
  };
}

function showWho(): void {
  const p = me?.principal;
  const children = [
    h('span', { class: 'principal', title: `id ${text(p?.id)}` }, text(p?.name ?? p?.id)),
    h('span', { class: 'role' }, text(p?.role)),
  ];
  if (me?.auth === 'off')
    children.push(
      h('span', { class: 'badge warn', title: 'the server runs with --auth off' }, 'auth off'),
    );
  if (storedToken() !== undefined) {
    const out = h('button', { type: 'button', class: 'link-button' }, 'forget token');
    out.addEventListener('click', () => {
      storeToken(undefined);
      me = undefined;
      void boot();
    });
    children.push(out);
  }
  replace(who, ...children);
}

async function firingCount(): Promise<void> {
  const badge = nav.querySelector<HTMLElement>('.count');
  if (!badge) return;
  try {
    const n = (await api.alerts('firing')).filter((a) => a.state !== 'resolved').length;
    badge.textContent = String(n);
    badge.hidden = n === 0;
  } catch {
    badge.hidden = true;
  }
}

function tokenForm(reason: string): void {
  destroyCharts();
  replace(who);
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'paste a viewer token',
    'aria-label': 'token',
    required: true,
  });
  const form = h(
    'form',
    { class: 'token-form panel' },
    h('h1', {}, 'Sign in'),
    h('p', {}, reason),
    h(
      'p',
      { class: 'muted' },
      'Create one with ',
      h('code', {}, 'flywheel tokens create --role viewer --name dashboard'),
      '. It is kept in this tab only (sessionStorage) and sent as a bearer token.',
    ),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Open the dashboard')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') return;
    storeToken(token);
    void boot();
  });
  replace(main, form);
  input.focus();
}

function failed(err: unknown): void {
  if (err instanceof Unauthorized) {
    const had = storedToken() !== undefined;
    storeToken(undefined);
    tokenForm(
      had
        ? 'That token was refused (invalid, expired or revoked). Paste another.'
        : 'This server needs a token.',
    );
    return;
  }
  destroyCharts();
  const e = err as ApiError;
  const message =
    e instanceof ApiError && e.status === 403
      ? "This token's role may not read this page."
      : e instanceof ApiError && e.status === 404
        ? 'Not found.'
        : e instanceof ApiError && e.status === 429
          ? 'Too many failed sign-ins from here; wait a minute.'
          : 'The server could not be read.';
  replace(main, errorBox(message, e instanceof Error ? `${e.message}` : undefined));
}

async function show(route: Route, quiet = false): Promise<void> {
  current = route;
  const mine = ++generation;
  for (const a of nav.querySelectorAll<HTMLAnchorElement>('a[data-page]')) {
    if (a.dataset['page'] === route.page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const title = NAV.find(([page]) => page === route.page)?.[2] ?? 'Not found';
  document.title = `${title}${route.params[0] ? ` · ${route.params[0]}` : ''} · Flywheel`;
  if (!quiet) {
    main.setAttribute('aria-busy', 'true');
    status.textContent = 'Loading…';
  }
  try {
    const page = PAGES[route.page] ?? notFound;
    const [node] = await Promise.all([page(route, context()), firingCount()]);
    if (mine !== generation) return;
    const y = window.scrollY;
    destroyCharts();
    replace(main, node);
    main.dataset['page'] = route.page;
    drawPendingCharts();
    if (quiet) window.scrollTo(0, y);
    status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    if (mine !== generation) return;
    main.dataset['page'] = 'error';
    failed(err);
    status.textContent = '';
  } finally {
    if (mine === generation) {
      main.removeAttribute('aria-busy');
      document.body.dataset['ready'] = 'true';
    }
  }
}

async function boot(): Promise<void> {
  try {
    me = await api.me();
  } catch (err) {
    document.body.dataset['ready'] = 'true';
    failed(err);
    return;
  }
  showWho();
  if (router === undefined) router = startRouter((route) => void show(route));
  else void show(parseRoute(location));
}

setInterval(() => {
  if (
    document.visibilityState === 'visible' &&
    me !== undefined &&
    !main.querySelector('form.token-form')
  ) {
    // Keep an open <details> or a focused control as the person left it.
    if (main.querySelector('details[open]') || main.contains(document.activeElement)) return;
    void show(current, true);
  }
}, REFRESH_MS);

void boot();
