/**
 * The dashboard end to end. Its files over HTTP: public, strict security
 * headers, index.html for the app's own paths, long caching for hashed
 * assets, and nothing outside its root (no browser needed). Then in a real
 * browser (Debian's Chromium through playwright-core), over a real server on
 * a seeded store: every page shows the seeded data, the monitoring charts
 * draw, text that looks like markup stays text, and there are no console
 * errors or CSP violations. Screenshots go to test-artifacts/dashboard/, and
 * to docs/images/ with FLYWHEEL_UPDATE_SCREENSHOTS=1.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FlywheelServer } from '../src/server/index.js';
import { FakeModelHost, FakeTokens } from '../src/server/testing/index.js';
import { type DashboardSeed, seedDashboard } from './fixtures/dashboard-seed.js';
import { testDir } from './fixtures/tmp.js';

const CHROMIUM = process.env['FLYWHEEL_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
  );
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const BUILT = path.resolve('web/dist/index.html');
const ARTIFACTS = path.resolve('test-artifacts/dashboard');
const DOC_IMAGES = path.resolve('docs/images');

/** A built dashboard in miniature, with a secret beside it that must never be served. */
function fakeBuild(): { root: string; asset: string } {
  const dir = testDir('fw-dashboard');
  const root = path.join(dir, 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Flywheel</title>');
  writeFileSync(path.join(root, 'assets', 'index-AbCd1234.js'), 'console.log(1);');
  writeFileSync(path.join(root, 'assets', 'index-AbCd1234.css'), 'body{}');
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link-AbCd1234.txt'));
  return { root, asset: '/assets/index-AbCd1234.js' };
}

function serverOver(root: string): FlywheelServer {
  return createServer({
    host: new FakeModelHost({ models: {} }),
    auth: new FakeTokens().add('viewer-token', { id: 'v', role: 'viewer' }),
    dashboard: { root },
  });
}

describe('dashboard routes', () => {
  const { root, asset } = fakeBuild();
  const server = serverOver(root);
  const get = (url: string) => server.app.inject({ method: 'GET', url });
  afterAll(() => server.close());

  it('serves index.html at / without a token, under a strict CSP', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>Flywheel</title>');
    const csp = String(res.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "require-trusted-types-for 'script'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it("answers the app's own paths with index.html, and a hashed asset with a year of cache", async () => {
    // Every page the app's router knows must reload from the server (the two lists must agree).
    const routerText = readFileSync(path.resolve('web/src/router.ts'), 'utf8');
    const pages = [
      .../const PAGES = new Set\(\[([^\]]*)\]/.exec(routerText)![1]!.matchAll(/'([a-z-]+)'/g),
    ].map((m) => `/${m[1]}`);
    expect(pages.length).toBeGreaterThan(4);
    for (const url of [...pages, '/models/flights_delay', '/monitoring/x?window=1h', '/audit']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<title>Flywheel</title>');
    }
    const js = await get(asset);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBeDefined();
    expect((await get('/assets/index-AbCd1234.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
  });

  it('leaves API paths and missing files to the JSON 404, and the API to its tokens', async () => {
    for (const url of ['/v1/nothing-here', '/v2/nothing', '/assets/gone-AbCd1234.js', '/x.png']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect((await get('/v1/models')).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'POST', url: '/' })).statusCode).toBe(404);
  });

  it('never serves a file outside its root, nor a symlink', async () => {
    for (const url of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/assets/link-AbCd1234.txt',
      `/${root}/../secret.txt`,
    ]) {
      const res = await get(url);
      expect(res.body, url).not.toContain('SECRET');
    }
  });

  it('says to run `npm run build` when the dashboard is not built', async () => {
    const empty = serverOver(path.join(testDir('fw-dashboard-none'), 'dist'));
    try {
      const res = await empty.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain('npm run build');
    } finally {
      await empty.close();
    }
  });
});

interface PageCheck {
  readonly name: string;
  readonly path: (seed: DashboardSeed) => string;
  /** Texts the page must show. */
  readonly texts: (seed: DashboardSeed) => string[];
  /** Canvas ids that must hold a drawn chart. */
  readonly charts?: readonly string[];
}

const PAGES: readonly PageCheck[] = [
  {
    name: 'overview',
    path: () => '/',
    texts: (s) => [s.model, s.runId.slice(0, 12), `champion v${s.champion}`],
  },
  {
    name: 'models',
    path: () => '/models',
    texts: (s) => [s.model, ...s.versions.map((v) => `v${v}`), 'blessed'],
  },
  {
    name: 'deployments',
    path: () => '/deployments',
    texts: (s) => [s.model, `v${s.champion}`, `v${s.canary}`, s.canaryReason],
  },
  {
    name: 'monitoring',
    path: (s) => `/monitoring/${s.model}`,
    texts: (s) => [s.model, s.driftedFeature, s.alertMessage],
    charts: [
      'chart-drift',
      'chart-drift-bars',
      'chart-feature-bins',
      'chart-scores',
      'chart-positive-rate',
      'chart-latency',
      'chart-errors',
      'chart-business',
    ],
  },
  {
    name: 'alerts',
    path: () => '/alerts',
    texts: (s) => [s.model, s.alertMessage, 'firing'],
  },
  {
    name: 'audit',
    path: () => '/audit',
    texts: (s) => [s.model],
  },
];

/** The token the app keeps in the tab's sessionStorage. */
function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }
    ).sessionStorage.getItem('flywheel.token'),
  );
}

async function drawnCharts(page: Page): Promise<Record<string, [number, number, string]>> {
  return page.$$eval('canvas', (canvases) =>
    Object.fromEntries(
      canvases.map((c) => [
        c.id,
        [c.width, c.height, c.getAttribute('data-chart-rendered') ?? 'no'] as [
          number,
          number,
          string,
        ],
      ]),
    ),
  );
}

describe.skipIf(!available)(
  `dashboard in headless Chromium${available ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`,
  () => {
    let seed: DashboardSeed;
    let url: string;
    let browser: Browser;

    beforeAll(async () => {
      if (!existsSync(BUILT)) throw new Error('web/dist is missing: run `npm run build` first');
      seed = await seedDashboard();
      url = await seed.server.listen({ port: 0 });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await seed?.close();
    });

    it('asks for a token, then shows every page with its data and charts, without errors', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems: string[] = [];
      let signedIn = false;
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        // The one expected failure: the first /v1/me before a token is pasted.
        if (!signedIn && /status of 401/.test(m.text())) return;
        problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      mkdirSync(ARTIFACTS, { recursive: true });

      await page.goto(`${url}/`);
      await page.waitForSelector('form.token-form');
      await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png') });
      await page.fill('input[name=token]', seed.viewerToken);
      signedIn = true;
      await page.click('form.token-form button[type=submit]');
      await page.waitForSelector('main[data-page="overview"]:not([aria-busy])');
      expect(await storedToken(page)).toBe(seed.viewerToken);

      for (const check of PAGES) {
        await page.goto(`${url}${check.path(seed)}`);
        await page.waitForSelector(`main[data-page="${check.name}"]:not([aria-busy])`, {
          timeout: 15_000,
        });
        const text = (await page.textContent('main')) ?? '';
        for (const t of check.texts(seed)) expect(text, `${check.name} shows ${t}`).toContain(t);
        if (check.charts) {
          const charts = await drawnCharts(page);
          for (const id of check.charts) {
            const [w, h, drawn] = charts[id] ?? [0, 0, 'missing'];
            expect(drawn, `${check.name}: chart ${id} drawn`).toBe('true');
            expect(w, `${id} width`).toBeGreaterThan(100);
            expect(h, `${id} height`).toBeGreaterThan(100);
          }
        }
        const file = path.join(ARTIFACTS, `${check.name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        if (process.env['FLYWHEEL_UPDATE_SCREENSHOTS'] === '1') {
          mkdirSync(DOC_IMAGES, { recursive: true });
          copyFileSync(file, path.join(DOC_IMAGES, `dashboard-${check.name}.png`));
        }
      }
      // With auth on, a run's report is fetched with the token and saved as its file.
      await page.goto(`${url}/`);
      await page.waitForSelector('main[data-page="overview"]:not([aria-busy])');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('main .report-link'),
      ]);
      expect(download.suggestedFilename()).toBe(`report-${seed.runId}.html`);
      // Markup in data (the canary's reason) is shown as text, never parsed.
      await page.goto(`${url}/deployments`);
      await page.waitForSelector('main[data-page="deployments"]:not([aria-busy])');
      expect((await page.textContent('main')) ?? '').toContain(seed.canaryReason);
      expect(await page.locator('main img').count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('says when a token is refused, and forgets it', async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/`);
      await page.waitForSelector('form.token-form');
      await page.fill('input[name=token]', 'fw_not-a-real-token');
      await page.click('form.token-form button[type=submit]');
      await page.waitForSelector('text=That token was refused');
      expect(await storedToken(page)).toBeNull();
      await page.close();
    });
  },
);
