// The Alertmanager channel against Debian's real prometheus-alertmanager,
// two of them (an HA pair, not clustered, so each must be sent every alert
// itself), each with a webhook receiver behind it. Two consoles (two alerts
// features with their own stores, reading the same host's load) fire the
// same rule: each Alertmanager holds one alert, in one group, and its
// webhook gets one notification; when the load drops both consoles resolve
// it and the webhooks get the resolved notification. Plus the body's shape
// and the file's entry.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, Settings } from '../../../common/contract.js';
import { parseProvisioningText } from '../../../testing/provisioningText.js';
import { startAlertmanager, type RunningEngine } from '../../../testing/engines.js';
import type { ProvisioningResult } from '../../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../../coreContext.js';
import { createMemoryLogger } from '../../log.js';
import { openMetricStore } from '../../store/metricStore.js';
import { createAlertsFeature } from '../feature.js';
import { postableAlert } from './alertmanager.js';
import { parseProvisionedChannel } from './createChannel.js';

interface WebhookNotification {
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; generatorURL: string }[];
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const webhooks: { server: http.Server; received: WebhookNotification[]; url: string }[] = [];
const managers: RunningEngine[] = [];

async function webhookReceiver() {
  const received: WebhookNotification[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookNotification);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, received, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook` };
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const hook = await webhookReceiver();
    webhooks.push(hook);
    managers.push(
      await startAlertmanager(`route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: ${hook.url}
        send_resolved: true
`),
    );
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(managers.map((m) => m.remove()));
  for (const hook of webhooks) await new Promise((r) => hook.server.close(r));
});

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A console: an alerts feature over its own history store, fed the host's load every 200 ms. */
async function console_(name: string, load: { value: number }, file: string): Promise<{ feature: CoreFeature; ctx: CoreContext }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ovl-am-${name}-`));
  const store = openMetricStore({ file: path.join(dir, 'history.sqlite') });
  const events: { event: EventName; payload: unknown }[] = [];
  const settings: Settings = { pollIntervalMs: 1000, retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } };
  const ctx: CoreContext = {
    dataDir: dir,
    shell: 'headless',
    log: createMemoryLogger(),
    secrets: { get: async () => undefined, set: async () => {}, delete: async () => {}, list: async () => [] },
    store,
    history: store,
    health: { samplesIngested: 0, ingestFailures: 0, samplesLost: 0, ingestError: undefined, sshReconnects: 0, agentErrors: 0, alertEvaluations: 0 },
    now: Date.now,
    emit: (event, payload) => void events.push({ event, payload }),
    ingest: (samples) => store.append(samples),
    settings: () => settings,
    // Both consoles watch web-1 (alerts are evaluated for watched hosts only).
    hosts: () => [{ host: { id: 'web-1', name: 'web-1', kind: 'ssh', status: 'online', pollIntervalMs: 1000, tags: [], provisioned: false } }],
    host: () => undefined,
    addHost: () => {},
    replaceHost: async () => {},
    removeHost: async () => {},
    exposition: async () => [],
    openStreamVia: async () => {
      throw new Error('no SSH host in this test');
    },
    runVia: async () => {
      throw new Error('no SSH host in this test');
    },
    request: async () => {
      throw new Error('no other feature in this test');
    },
    anomalyVerdicts: () => [],
  };
  const feed = setInterval(() => void store.append([{ name: 'node_load1', labels: { host: 'web-1' }, t: Date.now(), v: load.value }]), 200);
  const feature = createAlertsFeature({ evaluateEveryMs: 200, retry: { maxAttempts: 3, baseDelayMs: 200 } })(ctx);
  const parsed = parseProvisioningText(file, '/etc/overlook/overlook.yaml');
  expect(parsed.problems).toEqual([]);
  const result: ProvisioningResult = { file: '/etc/overlook/overlook.yaml', config: parsed.config, problems: [], applied: true, loadedAt: Date.now(), checkedAt: Date.now() };
  feature.onProvisioning!(result);
  await feature.start!();
  cleanups.push(async () => {
    clearInterval(feed);
    await feature.stop?.();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { feature, ctx };
}

async function alertsIn(am: RunningEngine): Promise<AmAlert[]> {
  return (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
}

describe('the Alertmanager channel', () => {
  it('two consoles firing the same rule are one alert, in one group, in each Alertmanager of the pair; resolved when the load drops', async () => {
    const file = `version: 1
channels:
  - name: team-am
    type: alertmanager
    urls: [${managers.map((m) => m.url).join(', ')}]
    resend_interval: 1s
    generator_url: http://console.example:8080/#/alerts
alerts:
  - name: High load
    selector: node_load1
    aggregate: max
    window: 1s
    op: ">"
    threshold: 4
    for: 0s
    severity: critical
    summary: "Load on {{host}} is {{value}}"
    channels: [team-am]
`;
    const load = { value: 9 };
    await console_('a', load, file);
    await console_('b', load, file);

    for (const [i, am] of managers.entries()) {
      await until(`an alert in Alertmanager ${i + 1}`, async () => (await alertsIn(am)).length > 0);
      await until(`the webhook behind Alertmanager ${i + 1}`, () => webhooks[i]!.received.length > 0);
    }
    // Both consoles have sent for longer than one alert's endsAt (4 resend periods): re-sent while firing,
    // it is still active, still one alert, and its receiver heard of it once.
    await new Promise((r) => setTimeout(r, 6000));
    for (const [i, am] of managers.entries()) {
      const alerts = await alertsIn(am);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.labels).toEqual({ alertname: 'High load', severity: 'critical', host: 'web-1', instance: 'web-1' });
      expect(alerts[0]!.annotations.summary).toBe('Load on web-1 is 9.00');
      expect(alerts[0]!.annotations.value).toBe('9');
      expect(alerts[0]!.generatorURL).toBe('http://console.example:8080/#/alerts?rule=provisioned%3AHigh%20load');
      expect(alerts[0]!.status.state).toBe('active');
      // endsAt a few resend periods ahead: the alert ends by itself if every console stops.
      expect(Date.parse(alerts[0]!.endsAt) - Date.now()).toBeGreaterThan(1000);
      expect(Date.parse(alerts[0]!.endsAt) - Date.now()).toBeLessThanOrEqual(4000);
      const groups = (await (await fetch(`${am.url}/api/v2/alerts/groups`)).json()) as { labels: Record<string, string>; alerts: unknown[] }[];
      expect(groups.map((g) => [g.labels, g.alerts.length])).toEqual([[{ alertname: 'High load' }, 1]]);
      const firing = webhooks[i]!.received;
      expect(firing.map((n) => [n.status, n.alerts.length])).toEqual([['firing', 1]]);
      expect(firing[0]!.alerts[0]!.labels.host).toBe('web-1');
    }

    load.value = 0.5;
    for (const [i, am] of managers.entries()) {
      await until(`the resolved notification behind Alertmanager ${i + 1}`, () => webhooks[i]!.received.some((n) => n.status === 'resolved'));
      expect(await alertsIn(am)).toEqual([]);
      const resolved = webhooks[i]!.received.filter((n) => n.status === 'resolved');
      expect(resolved).toHaveLength(1);
      expect(resolved[0]!.alerts.map((a) => [a.status, a.labels.host])).toEqual([['resolved', 'web-1']]);
    }
  }, 90_000);

  it('an alert in the shape of Alertmanager API v2: labels usable as Prometheus labels, endsAt four resend periods ahead or when it resolved', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const firing = postableAlert(
      { ruleId: 'r1', ruleName: 'Disk full', severity: 'warning', labels: { host: 'db-1', mountpoint: '/srv', 'k8s.pod': 'x', empty: '' }, summary: '/srv on db-1 is 95% full', value: 0.95, startsAt: now - 60_000 },
      now,
      60_000,
      'overlook://alerts',
    );
    expect(firing).toEqual({
      labels: { alertname: 'Disk full', severity: 'warning', host: 'db-1', instance: 'db-1', mountpoint: '/srv', k8s_pod: 'x' },
      annotations: { summary: '/srv on db-1 is 95% full', description: 'Disk full: /srv on db-1 is 95% full (value 0.95)', value: '0.95' },
      startsAt: '2026-01-01T11:59:00.000Z',
      endsAt: '2026-01-01T12:04:00.000Z',
      generatorURL: 'overlook://alerts?rule=r1',
    });
    const resolved = postableAlert({ ruleId: 'r1', ruleName: 'Disk full', severity: 'warning', labels: {}, summary: 's', value: null, startsAt: now - 60_000, resolvedAt: now - 1000 }, now, 60_000, 'overlook://alerts');
    expect(resolved.endsAt).toBe('2026-01-01T11:59:59.000Z');
    expect(resolved.annotations.value).toBe('no data');
  });

  it('reads an alertmanager entry of the provisioning file, and says what is wrong with a bad one', () => {
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['http://am-1:9093', 'http://am-2:9093'], resend_interval: '30s' })).toEqual({
      ok: true,
      value: { name: 'am', type: 'alertmanager', urls: ['http://am-1:9093', 'http://am-2:9093'], resendMs: 30_000 },
    });
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager' })).toMatchObject({ ok: false, error: expect.stringMatching(/needs urls/) });
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['http://am:9093'], resend_interval: 'soon' })).toMatchObject({ ok: false, field: 'resend_interval' });
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['not a url'] })).toMatchObject({ ok: false, field: 'urls' });
  });
});
