// The project's vitest config narrowed to the test files of the mutation
// module being run (bench/stryker.config.mjs, OVERLOOK_MUTATION_MODULE), or
// of every module. Stryker's own `testFiles` option is not used: with it,
// Stryker 9.6 activates a mutant of module-level code (a constant table, a
// regex) only after the module has loaded, so such mutants "survive" tests
// that would kill them (stryker-js#6144).
import { defineConfig } from 'vitest/config';
import base from '../scripts/vitest.config.ts';
import { modules } from './stryker.config.mjs';

const only = process.env.OVERLOOK_MUTATION_MODULE;
const include = modules.filter((m) => !only || m.name === only).flatMap((m) => m.tests);

export default defineConfig({ ...base, test: { ...base.test, include } });
