/**
 * The dashboard (web/, built by `npm run build` into web/dist) at `/`: its
 * files, public because they hold no data (the app reads the `/v1` API with
 * the person's token), under a strict Content-Security-Policy. `/` and any
 * other page path without a file extension answer index.html, so the app's
 * own paths (`/models/NAME`) load directly. Only files found under the root
 * are served, looked up by exact path: nothing in a URL reaches the
 * filesystem, so no path can leave the root.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './server-error.js';

export interface DashboardOptions {
  /** The built dashboard (default: web/dist of this package). */
  readonly root?: string;
}

/** The default root: web/dist beside src/ and dist/ (both sit two levels above this module). */
export const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * Scripts, styles, images and requests from this origin only; no inline
 * script or style, no eval, no plugins, no framing; Trusted Types required,
 * so even a mistaken `innerHTML` with data throws instead of parsing markup.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names built assets `name-HASH.ext`: their content never changes under that name. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
/** Paths that belong to the API, never to the app. */
const API_PREFIXES = ['/v1/', '/v2/', '/metrics', '/healthz', '/readyz'];

/** URL path → file, for every regular file under `root` (symlinks are not followed). */
function scan(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.set(`${prefix}${entry.name}`, full);
    }
  };
  if (existsSync(path.join(root, 'index.html'))) walk(root, '/');
  return files;
}

/**
 * Serves the built dashboard at `/`.
 *
 * @example
 * dashboardRoutes(app, {}); // web/dist of this package
 * dashboardRoutes(app, { root: '/srv/flywheel-web' });
 */
/** The dashboard's pages (web/src/router.ts): these paths answer with index.html. */
const APP_PAGES = new Set(['models', 'deployments', 'monitoring', 'alerts', 'audit', 'runs']);

export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions = {}): void {
  const root = path.resolve(options.root ?? DEFAULT_DASHBOARD_ROOT);
  let files = scan(root);
  let scannedAt = Date.now();

  // A build after the server started, or a rebuild that renamed the hashed
  // assets: look again, at most once a second.
  const lookup = (urlPath: string): string | undefined => {
    const file = files.get(urlPath);
    if (file !== undefined && existsSync(file)) return file;
    if (Date.now() - scannedAt < 1000) return undefined;
    files = scan(root);
    scannedAt = Date.now();
    return files.get(urlPath);
  };

  const send = async (reply: FastifyReply, urlPath: string, file: string) => {
    const body = await readFile(file).catch(() => undefined);
    if (body === undefined) return notBuilt(reply);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return reply
      .headers(SECURITY_HEADERS)
      .header('content-type', type)
      .header(
        'cache-control',
        HASHED.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
      .send(body);
  };

  const notBuilt = (reply: FastifyReply) => {
    void reply.headers(SECURITY_HEADERS);
    throw new HttpError(
      'NOT_FOUND',
      `the dashboard is not built (no index.html in ${path.basename(root)}); run \`npm run build\``,
    );
  };

  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    const index = lookup('/index.html');
    if (index === undefined) return notBuilt(reply);
    return send(reply, '/index.html', index);
  };

  app.get('/', page);
  app.get('/*', async (request, reply) => {
    const urlPath = request.url.split('?', 1)[0]!;
    if (API_PREFIXES.some((p) => urlPath.startsWith(p))) return reply.callNotFound();
    const file = lookup(urlPath);
    if (file !== undefined) return send(reply, urlPath, file);
    // A page of the app (its router's first segments) gets index.html; anything
    // else, such as an old asset or a typo, is the API's JSON 404.
    const first = urlPath.split('/')[1] ?? '';
    if (path.posix.extname(urlPath) !== '' || !APP_PAGES.has(first)) return reply.callNotFound();
    return page(request, reply);
  });
}
