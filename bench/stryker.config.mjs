// Mutation testing of the modules whose mistakes users pay for most: Stryker
// changes one thing in the code (a comparison, a constant, a condition), runs
// the tests that cover it, and counts the changes no test noticed
// ("survived"). Slow, so it is run by hand, never by `npm test`:
//
//   npm run mutation                      every module below, one after another
//   npm run mutation -- derive store      some of them (by name)
//   npx stryker run bench/stryker.config.mjs   all at once, Stryker's own report
//
// `npm run mutation` (bench/mutation.mjs) prints each module's score and its
// surviving mutants like a benchmark; the README lists the last scores.
// Each module names the files it mutates and the test files that may kill
// their mutants: the fast tests of that code, not the integration suites.

/** @type {Array<{ name: string; mutate: string[]; tests: string[] }>} */
export const modules = [
  // The headless HTTP gate: the token (bearer, cookie, query), Origin and Host checks, a pure function of a request.
  { name: 'headless', mutate: ['main/headless/requestGate.ts'], tests: ['main/headless/requestGate.test.ts'] },
  {
    name: 'ssh',
    mutate: ['main/core/ssh/knownHosts.ts', 'main/core/ssh/hostKeyReview.ts'],
    tests: ['main/core/ssh/knownHosts.test.ts'],
  },
  {
    name: 'parse',
    mutate: ['main/core/parse/frames.ts', 'main/core/parse/agentFrame.ts'],
    // The containers' cgroup files reach the parser only from a real agent run over fixture trees.
    tests: ['main/core/parse/frames.test.ts', 'main/core/parse/agentFrame.test.ts', 'main/core/sources/agent/agentContainers.test.ts'],
  },
  {
    name: 'derive',
    mutate: ['main/core/derive/counters.ts', 'main/core/derive/host.ts'],
    tests: ['main/core/derive/observation.test.ts'],
  },
  {
    name: 'store',
    mutate: ['main/core/store/chunkCodec.ts', 'main/core/store/tiers.ts'],
    tests: ['main/core/store/chunkCodec.test.ts', 'main/core/store/tiers.test.ts'],
  },
  {
    name: 'alerts',
    mutate: ['main/core/alerts/evaluate.ts', 'main/core/alerts/planNotifications.ts'],
    tests: ['main/core/alerts/evaluate.test.ts', 'main/core/alerts/planNotifications.test.ts'],
  },
  {
    name: 'export',
    mutate: ['main/core/export/hostFamilies.ts', 'main/core/export/promText.ts'],
    tests: ['main/core/export/exporter.test.ts', 'main/core/export/promText.test.ts', 'main/core/export/hostFamilies.test.ts'],
  },
  {
    name: 'cloud',
    mutate: ['main/core/cloud/collector/callGate.ts', 'main/core/cloud/collector/cursor.ts'],
    tests: ['main/core/cloud/collector/callGate.test.ts', 'main/core/cloud/collector/cursor.test.ts'],
  },
  {
    name: 'provisioning',
    mutate: ['main/core/config/provisioning.ts', 'main/core/config/provisioningFields.ts'],
    tests: ['main/core/config/provisioning.test.ts', 'main/core/config/provisioningWatch.test.ts', 'main/core/config/lastGoodEntries.test.ts', 'main/core/config/duration.test.ts'],
  },
];

// OVERLOOK_MUTATION_MODULE=<name> scopes a run to one module (bench/mutation.mjs sets it).
const only = process.env.OVERLOOK_MUTATION_MODULE;
const selected = only ? modules.filter((m) => m.name === only) : modules;
if (selected.length === 0) throw new Error(`no mutation module named "${only}"; the modules are ${modules.map((m) => m.name).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The project's vitest config with only the selected modules' test files (see that file for why not `testFiles`).
  vitest: { configFile: 'bench/mutation.vitest.config.mjs', related: false },
  mutate: selected.flatMap((m) => m.mutate),
  coverageAnalysis: 'perTest',
  // The machines are shared: one test runner unless told otherwise (--concurrency 2).
  concurrency: 1,
  // A mutant that makes a loop endless is a timeout (counted as killed); a busy machine needs room.
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `bench/results/mutation/${only ?? 'all'}.json` },
  tempDirName: 'bench/results/mutation/tmp',
  // The sandbox needs the code and the tests' fixtures, not builds, the renderer or e2e (but their
  // tsconfigs, which the top tsconfig.json references and vite reads).
  ignorePatterns: ['dist', 'dist-test', 'renderer/*', '!renderer/tsconfig.json', 'e2e/*', '!e2e/tsconfig.json', 'bench/fixtures', 'bench/results', '.overlook-dev'],
};
