import { defineConfig } from 'vitest/config';

// Two projects: `unit` is the whole server suite (pure, database, HTTP through app.inject);
// `e2e` drives Debian's chromium against a real server and needs the web app built.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
          // On CI a failed browser test runs once more (each builds its own project and user).
          // Seen once in 6 browser runs on 2026-11-24: labeling.test.ts "the other controls"
          // waited 30 s for the server-400 problem under the evidence control after Ctrl+Enter
          // (the submit is answered by page.route, not the server); 3 reruns passed. A retry that
          // passes still prints the failure, so it stays visible.
          retry: process.env.CI ? 1 : 0,
        },
      },
    ],
  },
});
