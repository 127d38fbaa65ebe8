/**
 * Builds the dashboard into web/dist (`vite build web`): hashed assets under
 * /assets and no inline script or style, since the server's
 * Content-Security-Policy allows 'self' only. `vite web` serves it for
 * development, with the API proxied to `flywheel serve` on port 8080.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
