// Cloud instances are eligible for alerts: a threshold rule over a canonical
// cloud metric, read from the real store the collector writes into (points a
// minute apart, arriving minutes late as the clouds publish them), fires per
// instance and names it in the summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../alerts/channels/createChannel.js';
import type { DesktopNotice } from '../alerts/channels/robots.js';
import { AlertEngine } from '../alerts/engine.js';
import { AlertJournal } from '../alerts/journal.js';
import { storeWindowReader } from '../alerts/storeReader.js';
import { openMetricStore } from '../store/metricStore.js';

const M = 60_000;
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('alert rules on cloud metrics', () => {
  it('fire per cloud instance from datapoints that arrive late, and name the instance and account', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ovl-cloudalert-'));
    const clock = { now: Math.floor(Date.now() / M) * M };
    const store = openMetricStore({ file: path.join(dir, 'history.sqlite'), now: () => clock.now });
    const popups: DesktopNotice[] = [];
    const engine = new AlertEngine({
      journal: new AlertJournal({ file: path.join(dir, 'alerts.sqlite') }),
      reader: storeWindowReader(store, () => 5000),
      now: () => clock.now,
      channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: (n) => void popups.push(n) })],
      plan: { groupWindowMs: 0, repeatIntervalMs: 0 },
      delivery: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    engine.createRule({
      name: 'Cloud CPU busy',
      selector: 'cloud_cpu_utilization_ratio{product="ecs"}',
      aggregate: 'avg',
      // Cloud data is minutes behind: a window longer than the lag always holds points.
      window: 10 * M,
      op: '>',
      threshold: 0.8,
      for: 2 * M,
      severity: 'warning',
      summary: 'CPU on {{instance}} ({{account}}) is {{value}}',
    });
    const labels = (instance: string) => ({ cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', instance, product: 'ecs' });
    for (let minute = 0; minute < 12; minute++) {
      clock.now += M;
      // The collector delivers the minute that ended three minutes ago.
      const t = clock.now - 3 * M;
      await store.append(
        [
          { name: 'cloud_cpu_utilization_ratio', labels: labels('i-hot'), t, v: 0.92 },
          { name: 'cloud_cpu_utilization_ratio', labels: labels('i-calm'), t, v: 0.2 },
          { name: 'cloud_cpu_utilization_ratio', labels: { ...labels('db-1'), product: 'rds' }, t, v: 0.99 },
        ],
        { maxDelayMs: 6 * 3600_000 },
      );
      await engine.evaluate();
    }
    await engine.flush();
    expect(engine.listAlerts().map((a) => [a.status, a.labels.instance])).toEqual([['firing', 'i-hot']]);
    expect(popups[0]).toMatchObject({ title: '[FIRING:1] Cloud CPU busy', body: 'CPU on i-hot (prod) is 92%' });

    // One click mutes everything on that instance, as "everything on host" does for a host.
    const [hot] = engine.listAlerts();
    engine.silenceAlert(hot!.alertId, 'instance', 3600_000);
    expect(engine.listAlerts().map((a) => [a.labels.instance, a.muted])).toEqual([['i-hot', true]]);
    await engine.close();
    await store.close();
  });
});
