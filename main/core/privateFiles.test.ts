// The console's SQLite files (history, alerts, processes) and their -wal and
// -shm files are readable by their owner only, like the secret store: they
// hold the fleet's names, addresses, processes' command lines and alert
// history. A real core with the features that keep them; a file an earlier
// build left 0644 is narrowed on open.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore } from '../testing/testCore.js';
import { createAlertsFeature } from './alerts/feature.js';
import { processHistoryFeature } from './processes/feature.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('database files', () => {
  it('are created 0600 with their -wal and -shm files, and an older 0644 one is narrowed', async () => {
    const c = await startTestCore(
      {
        prefix: 'ovl-private-',
        features: [createAlertsFeature({ evaluateEveryMs: 60_000 }), processHistoryFeature],
        answers: (name) => name.startsWith('alerts/') || name === 'processes/at',
        prepare: (dataDir) => fs.writeFileSync(path.join(dataDir, 'processes.sqlite'), '', { mode: 0o644 }),
      },
      cleanups,
    );
    await c.call('series/query', { selectors: [{ name: 'node_load1' }], from: 1, to: 2, maxPoints: 10 });
    await c.call('processes/at', { hostId: 'local', t: Date.now() });
    const files = fs.readdirSync(c.dataDir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f));
    for (const name of ['history.sqlite', 'history.sqlite-wal', 'history.sqlite-shm', 'alerts.sqlite', 'processes.sqlite']) expect(files).toContain(name);
    for (const f of files) expect([f, modeOf(path.join(c.dataDir, f))]).toEqual([f, '600']);
  });
});
