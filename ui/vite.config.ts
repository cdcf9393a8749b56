import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Served by the API's own Hono app under /ui/ (shared/http/ui-assets.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
  logLevel: 'warn',
});
