// Hot reload with a typo in one entry: the entry's last good definition stays
// in effect (its host keeps being watched, its rule keeps being evaluated)
// and the problem names it; the other entries apply; an entry removed from
// the file is gone, and one fixed replaces the kept one. A real core with the
// SSH and alerts features and the real file watcher.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo, Host } from '../../common/contract.js';
import { startTestCore } from '../../testing/testCore.js';
import { createAlertsFeature } from '../alerts/feature.js';
import { createSshFeature } from '../ssh/feature.js';
import { makeTempDir, removeTempDir } from '../../testing/sshServers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const file = (web1Address: string, ruleThreshold: string, extra = '') =>
  [
    'hosts:',
    '  - name: web-1',
    `    address: ${web1Address}`,
    '    agent: true',
    '  - name: web-2',
    '    address: deploy@127.0.0.1:2',
    '    agent: true',
    extra,
    'alerts:',
    '  - name: cpu-high',
    '    selector: host:cpu_usage:ratio',
    '    op: ">"',
    `    threshold: ${ruleThreshold}`,
    '    window: 1m',
    '',
  ].join('\n');

describe('a reload with one bad entry', () => {
  it('keeps the entry’s last good definition and names it; removal and a fix still apply', async () => {
    const home = makeTempDir('lastgood-home');
    cleanups.push(() => removeTempDir(home));
    const c = await startTestCore(
      {
        prefix: 'ovl-lastgood-',
        config: file('deploy@127.0.0.1:1', '0.9'),
        features: [createSshFeature({ home, env: {} }), createAlertsFeature({ evaluateEveryMs: 60_000 })],
        answers: (name) => (name.startsWith('hosts/') && !['hosts/statusHistory', 'hosts/historyOnly'].includes(name)) || name.startsWith('alerts/'),
      },
      cleanups,
    );
    const configFile = path.join(c.dataDir, 'overlook.yaml');
    const hosts = () => (c.core.handlers['hosts/list']() as Host[]).filter((h) => h.kind === 'ssh');
    const info = async () => (await c.call('app/info')) as AppInfo;
    const rule = async () => (await c.call('alerts/rules')).rules.find((r) => r.rule.name === 'cpu-high')?.rule;
    await expect.poll(() => hosts().map((h) => h.name).sort(), { timeout: 10_000 }).toEqual(['web-1', 'web-2']);
    expect(await rule()).toMatchObject({ threshold: 0.9 });

    // A typo in web-1's address and in the rule's threshold, and web-2 changed: web-2 applies, the others keep their last good definition.
    fs.writeFileSync(configFile, file('deploy@127.0.0.1:notaport', 'ninety').replace('127.0.0.1:2', '127.0.0.1:3'));
    await expect.poll(async () => (await info()).config.problems.map((p) => p.message).join('\n'), { timeout: 10_000 }).toMatch(/web-1: this version of the entry is invalid/);
    const problems = (await info()).config.problems.map((p) => p.message).join('\n');
    expect(problems).toMatch(/cpu-high: this version of the entry is invalid \(see above\); its last good definition stays in effect/);
    expect(hosts().map((h) => h.name).sort()).toEqual(['web-1', 'web-2']);
    expect((await c.call('hosts/definition', { hostId: 'web-1' })).port).toBe(1);
    await expect.poll(async () => (await c.call('hosts/definition', { hostId: 'web-2' })).port, { timeout: 10_000 }).toBe(3);
    expect(await rule()).toMatchObject({ threshold: 0.9 });

    // Fixed: the new definition replaces the kept one. Removed: gone.
    fs.writeFileSync(configFile, file('deploy@127.0.0.1:4', '0.8').replace(/  - name: web-2\n.*\n.*\n/, ''));
    await expect.poll(() => hosts().map((h) => h.name), { timeout: 10_000 }).toEqual(['web-1']);
    await expect.poll(async () => (await c.call('hosts/definition', { hostId: 'web-1' })).port, { timeout: 10_000 }).toBe(4);
    expect(await rule()).toMatchObject({ threshold: 0.8 });
    expect((await info()).config.problems).toEqual([]);
  });
});
