/**
 * History-API routing: paths like `/models/flights_delay` and
 * `/monitoring/flights_delay?window=1h`. The server answers every such path
 * with index.html, and in-app links (`a[data-link]`) never reload the page.
 */

export interface Route {
  readonly page: string;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
}

const PAGES = new Set(['models', 'deployments', 'monitoring', 'alerts', 'audit', 'runs']);

export function parseRoute(location: Location | URL): Route {
  const parts = location.pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const query = new URLSearchParams(location.search);
  if (parts.length === 0) return { page: 'overview', params: [], query };
  const [page, ...params] = parts;
  return { page: PAGES.has(page!) ? page! : 'not-found', params, query };
}

/** A path for an in-app page: `path('models', name)`. */
export function path(page: string, ...params: string[]): string {
  return `/${[page, ...params].map(encodeURIComponent).join('/')}`;
}

export function startRouter(onRoute: (route: Route) => void): {
  go(href: string, replace?: boolean): void;
} {
  const go = (href: string, replace = false) => {
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    onRoute(parseRoute(location));
    if (!replace) window.scrollTo(0, 0);
  };
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element | null)?.closest?.('a[data-link]');
    if (!(a instanceof HTMLAnchorElement) || a.origin !== location.origin) return;
    event.preventDefault();
    go(a.pathname + a.search);
  });
  window.addEventListener('popstate', () => onRoute(parseRoute(location)));
  onRoute(parseRoute(location));
  return { go };
}
