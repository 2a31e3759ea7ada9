// Hosts that push, with the real senders: Debian's Prometheus in agent mode
// and vmagent each scrape a real node_exporter and remote-write to the
// console's receiver. The host appears with the same derived series an SSH
// host has; stopping the sender makes it stale, then offline, and the
// built-in host-offline rule fires (its grace period shortened through
// alerts/rule-update, as a user may). Restarting the sender brings it back.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertsFeature } from '../alerts/feature.js';
import { createPushReceiverFeature } from './feature.js';
import { freePort } from '../../testing/freePort.js';
import { makePromTempDir, startNodeExporter, startPrometheusAgent, startVmagent, type RunningProcess } from '../../testing/promServers.js';
import { startTestCore } from '../../testing/testCore.js';
import fs from 'node:fs';

const TOKEN = 'push-token-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pushedConsole(receiverPort: number) {
  const t = await startTestCore(
    {
      prefix: 'ovl-push-',
      features: [createAlertsFeature({ evaluateEveryMs: 500 }), createPushReceiverFeature({ env: { PUSH_TOKEN: TOKEN }, settleMs: 1500 })],
      answers: (r) => r.startsWith('receiver/') || r.startsWith('alerts/'),
      config: `version: 1
remote_write_receiver:
  listen: 127.0.0.1:${receiverPort}
  token_env: PUSH_TOKEN
  interval: 2s
  offline_after: 8s
`,
    },
    cleanups,
  );
  // The built-in rule waits 60 s before firing; a user may shorten it, and so does this test.
  const rules = await t.call('alerts/rules');
  const builtin = rules.rules.find((r) => r.rule.id === 'builtin:host-offline')!.rule;
  await t.call('alerts/rule-update', { id: builtin.id, rule: { ...builtin, for: 1000 } as unknown as Record<string, unknown> });
  return t;
}

for (const sender of ['prometheus-agent', 'vmagent'] as const) {
  describe(`a host pushed by ${sender}`, () => {
    it('appears with derived series, goes stale then offline when the sender stops, fires host-offline, and comes back', async () => {
      const nePort = await freePort();
      const ne = await startNodeExporter({ host: '127.0.0.1', port: nePort });
      cleanups.push(() => ne.stop());
      const receiverPort = await freePort();
      const t = await pushedConsole(receiverPort);
      expect((await t.call('receiver/get')).url).toBe(`http://127.0.0.1:${receiverPort}/api/v1/write`);

      const dir = makePromTempDir(sender);
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      const start = async (): Promise<RunningProcess> => {
        const options = { scrape: `127.0.0.1:${nePort}`, remoteWriteUrl: `http://127.0.0.1:${receiverPort}/api/v1/write`, token: TOKEN, scrapeIntervalSeconds: 1, dir, listenPort: await freePort(), externalLabels: { cluster: 'lab' } };
        return sender === 'vmagent' ? startVmagent(options) : startPrometheusAgent(options);
      };
      let proc = await start();
      cleanups.push(() => proc.stop());

      // Prometheus names the target instance="127.0.0.1:PORT"; the host is its name without the port.
      const host = await until('the pushed host online', async () => (await t.call('hosts/list')).find((h) => h.id === '127.0.0.1' && h.status === 'online'), 90_000).catch((err: Error) => {
        throw new Error(`${err.message}; sender said: ${proc.output().slice(-1500)}; receiver: ${JSON.stringify((t.core.handlers['receiver/get'] as () => unknown)())}`);
      });
      expect(host.kind).toBe('pushed');
      expect(host.address).toBe('127.0.0.1');
      expect(host.info?.platform).toBe('linux');
      expect(host.info?.cpus).toBeGreaterThan(0);

      // Rates need two scrapes: CPU usage, memory, filesystems and network as for any host.
      const summary = await until('a summary with CPU usage', async () => (await t.call('hosts/summaries')).find((s) => s.hostId === '127.0.0.1' && s.cpuUsage !== null), 60_000);
      expect(summary.memoryTotal).toBeGreaterThan(0);
      expect(summary.fullestMountUsage).toBeGreaterThan(0);
      expect(summary.networkRxRate).not.toBeNull();
      const now = Date.now();
      const stored = await until('stored CPU points', async () => {
        const r = await t.call('series/query', { selectors: [{ name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: '127.0.0.1' }] }], from: now - 600_000, to: now + 60_000, maxPoints: 100 });
        return r[0] && r[0].points.length > 0 ? r : undefined;
      });
      // The sender's external label and the target's instance/job are the target's, not the series'.
      expect(Object.keys(stored[0]!.labels).sort()).toEqual(['host']);
      const fs_ = await t.call('series/query', { selectors: [{ name: 'host:filesystem_used:ratio', matchers: [{ label: 'host', op: '=', value: '127.0.0.1' }] }], from: now - 600_000, to: Date.now() + 60_000, maxPoints: 10 });
      expect(Object.keys(fs_[0]!.labels).sort()).toEqual(['device', 'fstype', 'host', 'mountpoint']);
      const state = await t.call('receiver/get');
      expect(state.stats.requestsAccepted).toBeGreaterThan(0);
      expect(state.stats.hosts).toBe(1);
      // The sender's own series (up, scrape_*, go_* of node_exporter) are not the host's.
      expect(state.stats.samplesIgnored).toBeGreaterThan(0);

      await proc.stop();
      await until('stale', async () => (await t.call('hosts/list')).find((h) => h.id === '127.0.0.1' && h.status === 'stale'), 30_000);
      const offline = await until('offline', async () => (await t.call('hosts/list')).find((h) => h.id === '127.0.0.1' && h.status === 'offline'), 30_000);
      expect(offline.statusDetail).toMatch(/nothing pushed for \d+ s/);
      const alert = await until('host-offline firing', async () => (await t.call('alerts/list')).find((a) => a.ruleId === 'builtin:host-offline' && a.labels.host === '127.0.0.1' && a.status === 'firing'), 30_000);
      expect(alert.summary).toMatch(/127\.0\.0\.1 is (stale|offline)/);

      proc = await start();
      await until('online again', async () => (await t.call('hosts/list')).find((h) => h.id === '127.0.0.1' && h.status === 'online'), 90_000);
      // A resolved alert leaves the current list; the history has its firing → resolved.
      await until('the alert resolved', async () => (await t.call('alerts/history', { ruleId: 'builtin:host-offline', host: '127.0.0.1' })).find((r) => r.from === 'firing' && r.to === 'resolved'), 30_000);
      await until('the alert gone from the current list', async () => !(await t.call('alerts/list')).some((a) => a.ruleId === 'builtin:host-offline' && a.labels.host === '127.0.0.1' && a.status === 'firing'), 30_000);
    }, 300_000);
  });
}
