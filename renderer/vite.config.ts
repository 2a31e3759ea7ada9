// Builds the renderer into dist/renderer/, loaded from file:// by the desktop
// shell and served by `overlook serve`. Relative asset URLs (base './') work
// in both. Everything is bundled: no CDN, no web fonts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // Charts are most of the bundle; one file loads faster from disk than a waterfall.
    chunkSizeWarningLimit: 1500,
    // A modulepreload polyfill would be an extra script; Electron and current Chromium do not need it.
    modulePreload: { polyfill: false },
  },
  server: {
    // `vite` dev server against a running `overlook serve` on the default port.
    proxy: { '/rpc': { target: 'ws://127.0.0.1:7300', ws: true } },
  },
});
