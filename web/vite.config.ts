import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The web app lives in web/ and is built into dist/web, which the server serves at `/`.
// In `vite dev`, /api and /docs go to a server on :3000. The proxy keeps the browser's Host
// header (no changeOrigin) so the server's same-origin CSRF check sees Origin === Host.
export default defineConfig({
  root: here('.'),
  publicDir: here('./public'),
  plugins: [react()],
  resolve: {
    alias: {
      '@core': here('../src/core'),
    },
  },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000' },
      '/docs': { target: 'http://127.0.0.1:3000' },
    },
  },
});
