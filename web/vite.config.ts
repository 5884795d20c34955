/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API (and in development the dev OIDC provider and the local document store) is
// the `pge` binary; `npm run dev` proxies it so the app stays same-origin, as in production.
const api = process.env.PGE_API_ORIGIN ?? 'http://127.0.0.1:8080';
const proxied = ['/api', '/config.json', '/dev-oidc', '/dev-idp', '/local-documents'];

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])),
  },
  build: {
    target: 'es2022',
    // No inline assets: a strict CSP (`default-src 'self'`) refuses data: fonts and scripts.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    // Most tests are plain functions: a DOM (jsdom, ~1 s to set up per file) only for
    // the files that ask for one with `// @vitest-environment jsdom`.
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
