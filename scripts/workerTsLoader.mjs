// Lets worker threads started by code under test run TypeScript sources.
// Vitest transforms the test files and what they import, but a worker thread
// (the history store's, main/core/store/metricStore.ts) is started by Node
// itself from a file path. scripts/vitest.config.ts starts the test processes
// with `--import` of this file; worker threads inherit those options, so the
// hooks below apply in them too. Only `.ts` files are touched; everything
// else resolves and loads as Node does it. The build (dist/) needs none of this.
import { register } from 'node:module';

register('./workerTsHooks.mjs', import.meta.url);
