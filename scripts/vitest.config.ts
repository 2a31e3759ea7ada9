// Unit and integration tests: *.test.ts next to the code. The e2e suite
// (e2e/*.spec.ts) runs under Playwright, not here.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['main/**/*.test.ts', 'renderer/src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'agent/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers (sshd, dockerd, prometheus) on fixed
    // loopback ports; files run in parallel, tests inside a file in order.
    pool: 'forks',
    // Worker threads started by the code under test (the history store's) run
    // TypeScript sources through this loader; see scripts/workerTsLoader.mjs.
    execArgv: ['--import', new URL('./workerTsLoader.mjs', import.meta.url).href],
  },
});
