// The anomalies feature in a running core: settings from the provisioning
// file's `anomalies:` section are read-only, the others are saved in
// anomalies.json and survive a restart, bad sections are refused, and every
// anomalies/* request answers from the real store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCore } from '../../testing/testCore.js';
import { createProvisioningParser } from '../config/provisioning.js';
import { anomaliesSection } from './anomaliesSection.js';
import { createAnomaliesFeature } from './feature.js';
import { processHistoryFeature } from '../processes/feature.js';
import type { CoreFeature } from '../coreContext.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the anomalies feature', () => {
  it('takes the file\'s anomalies: section as read-only settings, saves the rest, and answers every request', async () => {
    const c = await startTestCore(
      { prefix: 'ovl-anomfeat-', config: 'version: 1\nanomalies:\n  sensitivity: high\n  families: [host, check]\n', features: [createAnomaliesFeature()], answers: (n) => n.startsWith('anomalies/') },
      cleanups,
    );
    const status = await c.call('anomalies/status');
    expect(status).toMatchObject({ settings: { enabled: true, sensitivity: 'high', families: ['host', 'check'] }, provisioned: ['sensitivity', 'families'], seriesLearned: 0, memoryBytes: 0 });
    expect(status.note).toBeUndefined();
    await expect(c.call('anomalies/update', { sensitivity: 'low' })).rejects.toMatchObject({ code: 'provisioned', message: 'sensitivity is set by the provisioning file and cannot be changed here' });
    const off = await c.call('anomalies/update', { enabled: false });
    expect(off.settings.enabled).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(c.dataDir, 'anomalies.json'), 'utf8'))).toEqual({ enabled: false });
    expect(await c.call('anomalies/band', { selectors: [{ name: 'host:cpu_usage:ratio' }], from: 1, to: 1000, maxPoints: 10 })).toEqual([]);
    expect(await c.call('anomalies/rates', { kind: 'host' })).toEqual([]);
    expect(await c.call('anomalies/unusual', { entity: { kind: 'host', id: 'local' } })).toMatchObject({ series: [], scored: 0, learning: 0 });
    const explained = await c.call('anomalies/explain', { scope: { kind: 'host', hostId: 'local' }, from: 1_000, to: 60_000 });
    expect(explained).toMatchObject({ evaluated: 0, skipped: 0, rows: [] });
  });

  it('"what happened here?" for a host attaches the top processes the process history kept nearest the middle', async () => {
    let processes: CoreFeature | undefined;
    const c = await startTestCore(
      {
        prefix: 'ovl-anomproc-',
        features: [(ctx) => (processes = processHistoryFeature(ctx)), createAnomaliesFeature()],
        answers: (n) => n.startsWith('anomalies/') || n.startsWith('processes/'),
      },
      cleanups,
    );
    const t = Date.now() - 10 * 60_000;
    const row = { pid: 4242, comm: 'stress-ng', cpu: 3.9, rssBytes: 50e6, memoryRatio: 0.01 };
    processes!.onObservation!('web-1', { t } as never, { processes: [row] } as never);
    const explained = await c.call('anomalies/explain', { scope: { kind: 'host', hostId: 'web-1' }, from: t - 5 * 60_000, to: t + 5 * 60_000 });
    expect(explained.processes).toMatchObject({ hostId: 'web-1', processes: [{ pid: 4242, comm: 'stress-ng' }] });
    // The fleet has no single host's processes.
    expect((await c.call('anomalies/explain', { scope: { kind: 'fleet' }, from: t - 5 * 60_000, to: t + 5 * 60_000 })).processes).toBeNull();
  });

  it('refuses a bad anomalies: section with its line', () => {
    const parsed = createProvisioningParser([anomaliesSection])('version: 1\nanomalies:\n  sensitivity: extreme\n', '/etc/overlook/overlook.yaml');
    expect(parsed.config).toBeNull();
    expect(parsed.problems.map((p) => p.message).join(' ')).toMatch(/expected one of "low"\|"medium"\|"high"/);
    expect(parsed.problems[0]).toMatchObject({ line: 3 });
  });
});
