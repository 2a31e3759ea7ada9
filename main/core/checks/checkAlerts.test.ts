// The built-in alert rules over service checks, in a running console with
// the real alerts engine and store: off by default; turned on, "check down"
// fires when the server breaks and resolves when it answers again, and
// "certificate expires soon" fires at each check's own cert_warn_days: for a
// certificate with 3 days left at the default 14 and not at 2, for one with
// 200 days left at 365 and not at the default.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../common/alertModel.js';
import { makeTestCerts, startTestWebServer } from '../../testing/checkServers.js';
import { startTestCore } from '../../testing/testCore.js';
import { createAlertsFeature } from '../alerts/feature.js';
import { createChecksFeature } from './feature.js';

const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;
const web: Record<string, Awaited<ReturnType<typeof startTestWebServer>>> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-checkalerts-'));
  const certs = makeTestCerts(path.join(dir, 'certs'));
  web.plain = await startTestWebServer();
  web.expiring = await startTestWebServer({ tls: certs.leaf.expiring });
  web.valid = await startTestWebServer({ tls: certs.leaf.valid });
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const s of Object.values(web)) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('alert rules on service checks', () => {
  it('check down fires and resolves; certificate expiry fires within each check\'s warning days; both are off by default', async () => {
    const config = `checks:
  - name: site
    http: http://127.0.0.1:${web.plain!.port}/ok
    interval: 1s
    timeout: 2s
  - name: cert-soon
    tls: localhost:${web.expiring!.port}
    ca_file: certs/ca.pem
    interval: 1s
  - name: cert-fine
    tls: localhost:${web.valid!.port}
    ca_file: certs/ca.pem
    interval: 1s
  - name: cert-soon-short-warning
    tls: localhost:${web.expiring!.port}
    ca_file: certs/ca.pem
    cert_warn_days: 2
    interval: 1s
  - name: cert-fine-long-warning
    tls: localhost:${web.valid!.port}
    ca_file: certs/ca.pem
    cert_warn_days: 365
    interval: 1s
`;
    const c = await startTestCore(
      {
        prefix: 'ovl-checkalert-',
        config,
        prepare: (dataDir) => fs.cpSync(path.join(dir, 'certs'), path.join(dataDir, 'certs'), { recursive: true }),
        features: [createAlertsFeature({ evaluateEveryMs: 300 }), createChecksFeature({ firstRunShare: () => 0 })],
        answers: (name) => name.startsWith('checks/') || name.startsWith('alerts/'),
      },
      cleanups,
    );
    const rules = (await c.call('alerts/rules')) as { rules: { rule: { id: string; enabled: boolean } }[] } | { rule: { id: string; enabled: boolean } }[];
    const list = Array.isArray(rules) ? rules : rules.rules;
    expect(list.filter((r) => r.rule.id === 'builtin:check-down' || r.rule.id === 'builtin:cert-expiry').map((r) => r.rule.enabled)).toEqual([false, false]);

    const firing = async (ruleId: string) => ((await c.call('alerts/list')) as AlertView[]).filter((a) => a.ruleId === ruleId && a.status === 'firing').map((a) => a.labels.check);

    await c.call('alerts/rule-enable', { id: 'builtin:cert-expiry', enabled: true });
    await expect.poll(async () => (await firing('builtin:cert-expiry')).sort(), { timeout: 20_000 }).toEqual(['cert-fine-long-warning', 'cert-soon']);
    const soon = ((await c.call('alerts/list')) as AlertView[]).find((a) => a.ruleId === 'builtin:cert-expiry' && a.labels.check === 'cert-soon');
    expect(soon?.labels.warn_days).toBe('14');

    // "Down for 1 m" with its wait shortened for the test; the rule is otherwise the built-in one.
    const builtin = list.find((r) => r.rule.id === 'builtin:check-down')!.rule as Record<string, unknown>;
    await c.call('alerts/rule-update', { id: 'builtin:check-down', rule: { ...builtin, for: 1000, enabled: true } });
    expect(await firing('builtin:check-down')).toEqual([]);
    web.plain!.behaviour.status = 502;
    try {
      await expect.poll(() => firing('builtin:check-down'), { timeout: 20_000 }).toEqual(['site']);
    } finally {
      web.plain!.behaviour.status = 200;
    }
    await expect.poll(() => firing('builtin:check-down'), { timeout: 20_000 }).toEqual([]);
    const resolved = ((await c.call('alerts/list')) as AlertView[]).find((a) => a.ruleId === 'builtin:check-down' && a.labels.check === 'site');
    expect(resolved === undefined || resolved.status === 'resolved').toBe(true);
  }, 90_000);
});
