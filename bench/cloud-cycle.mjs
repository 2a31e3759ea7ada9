// One cloud account with 1,000 virtual machines × 5 metrics at a 60 s period,
// per cloud, against its emulator (in a child process; real SDKs, real
// signatures, the cloud's published quotas enforced) with the console's
// DEFAULT rate limits: API calls per cycle next to the fewest the batch
// limits allow, cycle duration, and the console's CPU per cycle (collector,
// SDK signing and parsing, and the write into a real history store) next to
// the emulator's CPU for answering the same calls. Steady-state cycles: the
// clock moves a minute between them. Needs the build: `npm run build`, then
//   node bench/cloud-cycle.mjs [instances=1000] [cycles=5] [providers=aliyun,tencent,huawei]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountCollector } from '../dist/main/core/cloud/collector/cloudCollector.js';
import { FREE_MONTHLY_CALLS } from '../dist/main/core/cloud/collector/defaults.js';
import { findShippedMappingsDir, loadMappings } from '../dist/main/core/cloud/mappings/loadMappings.js';
import { CloudApiStats } from '../dist/main/core/cloud/apiStats.js';
import { openMetricStore } from '../dist/main/core/store/metricStore.js';

const instances = Number(process.argv[2] ?? 1000);
const cycles = Number(process.argv[3] ?? 5);
const providers = (process.argv[4] ?? 'aliyun,tencent,huawei').split(',');
const METRICS = ['cloud_cpu_utilization_ratio', 'cloud_memory_utilization_ratio', 'cloud_network_receive_bytes_per_second', 'cloud_network_transmit_bytes_per_second', 'cloud_disk_read_bytes_per_second'];
const all = loadMappings({ shippedDir: findShippedMappingsDir() }).products;
const mappings = all.filter((p) => p.product === 'ecs').map((p) => ({ ...p, metrics: p.metrics.filter((m) => METRICS.includes(m.canonical)) }));
const DATA_API = { aliyun: 'DescribeMetricList', tencent: 'GetMonitorData', huawei: 'BatchListMetricData' };
const here = fileURLToPath(new URL('.', import.meta.url));

function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** The instance list that names instances where the monitoring API does not, and its largest page. */
const NAMES_API = { aliyun: { api: 'DescribeInstances', page: 100 }, huawei: { api: 'ListServersDetails', page: 1000 } };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`cloud cycle bench: ${instances} instances × ${METRICS.length} metrics, 60 s period, default budgets, ${cycles} steady cycles each\n`);
for (const provider of providers) {
  // One virtual clock for the console and the cloud, moved a minute per cycle.
  let now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
  const child = fork(join(here, 'cloud-emulator-child.mjs'), [provider, String(instances), String(now)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { account } = await new Promise((resolve) => child.once('message', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-cloud-'));
  const store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => now });
  let pending = Promise.resolve();
  let samples = 0;
  const stats = new CloudApiStats();
  const collector = new AccountCollector({
    account,
    mappings,
    stats,
    now: () => now,
    onSamples: (batch) => {
      samples += batch.length;
      const rows = batch.map((s) => ({ name: s.metric, labels: { cloud: provider, account: 'bench', region: s.instance.region, instance: s.instance.instanceId, product: 'ecs', ...s.labels }, t: s.t, v: s.value }));
      pending = pending.then(() => store.append(rows, { maxDelayMs: 7 * 3600_000 }));
    },
  });
  const d0 = performance.now();
  await collector.discover();
  const discoveryMs = performance.now() - d0;
  const first = await collector.runCycle();
  await pending;
  const rows = [];
  for (let i = 0; i < cycles; i++) {
    now += 60_000;
    child.send({ now });
    const before = (await ask(child, { cpu: true })).cpuMs;
    const c0 = cpuMs();
    samples = 0;
    const report = await collector.runCycle();
    await pending;
    const consoleCpu = cpuMs() - c0;
    const emulatorCpu = (await ask(child, { cpu: true })).cpuMs - before;
    rows.push({ ...report, consoleCpu, emulatorCpu, delivered: samples });
  }
  const last = await ask(child, { cpu: true });
  await collector.stop();
  await store.close();
  child.send({ stop: true });
  rmSync(dir, { recursive: true, force: true });

  const free = FREE_MONTHLY_CALLS[provider];
  const m = (k) => median(rows.map((r) => r[k]));
  const calls = m('calls');
  const minimum = m('minimumCalls');
  console.log(`${provider}: ${collector.instances().length} instances found in ${(discoveryMs / 1000).toFixed(1)} s; first cycle (15 min of history) ${first.calls} calls in ${(first.durationMs / 1000).toFixed(1)} s`);
  // Instance names (Alibaba/Huawei ECS lists): once per discovery, not per cycle.
  const names = NAMES_API[provider];
  if (names) {
    const calls = stats.snapshot().find((a) => a.api === names.api)?.calls ?? 0;
    const named = collector.instances().filter((i) => i.name).length;
    console.log(`  names: ${calls} ${names.api} calls per discovery (minimum at ${names.page} a page ${Math.ceil(instances / names.page)}), ${named} of ${collector.instances().length} instances named`);
  }
  console.log(`  steady cycle: ${calls} ${DATA_API[provider]} calls (minimum by batch limits ${minimum}, ratio ${(calls / minimum).toFixed(2)}; one call per instance and metric would be ${instances * METRICS.length})`);
  console.log(`  duration ${(m('durationMs') / 1000).toFixed(2)} s median (max ${(Math.max(...rows.map((r) => r.durationMs)) / 1000).toFixed(2)} s) under the default budget; ${m('delivered')} datapoints stored per cycle; failed calls ${rows.reduce((n, r) => n + r.failedCalls, 0)}, throttled by the cloud ${last.throttled}`);
  console.log(`  console CPU ${m('consoleCpu').toFixed(0)} ms per cycle (${((m('consoleCpu') / 60_000) * 100).toFixed(2)} % of one core at a 60 s period) vs the emulator's ${m('emulatorCpu').toFixed(0)} ms to answer them (ratio ${(m('consoleCpu') / m('emulatorCpu')).toFixed(2)})`);
  const monthly = Math.round((minimum * 30 * 86_400) / 60);
  console.log(`  calls a month at 60 s: ${monthly.toLocaleString('en')}${free ? ` (free quota ${free.calls.toLocaleString('en')})` : ''}; at a 300 s interval: ${Math.round(monthly / 5).toLocaleString('en')}\n`);
}
