// The container families the community Docker/cAdvisor dashboards read
// (grafana.com 193, 893, 14282), named and labelled as cAdvisor's
// lib/metrics/prometheus.go and prometheus_machine.go do, from an
// observation shaped as the agent and the engine deliver it; then through the
// exporter and promtool.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RawSeries } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import { createMemoryLogger } from '../log.js';
import { createMetricsExposition } from '../export/exporter.js';
import { EMPTY_CONSOLE_HEALTH } from '../export/consoleHealth.js';
import { parseExposition } from '../../testing/exporterHosts.js';
import { containerExportSeries, hostContainerExportSeries } from './exportContainers.js';

const WEB = 'c'.repeat(64);
const T = 1_765_000_000_000;
const STARTED = 1_764_990_000_000;
// 16 counters in /proc/net/dev order: rx bytes, packets, errs, drop, fifo, frame, compressed, multicast, then tx bytes, packets, errs, drop, …
const ETH0 = [1000, 10, 1, 2, 0, 0, 0, 0, 2000, 20, 3, 4, 0, 0, 0, 0];

function observation(overrides: Partial<HostObservation> = {}): HostObservation {
  return {
    t: T,
    series: [
      { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8_253_005_824, kind: 'gauge' },
      ...['0', '1', '2'].flatMap((cpu) => ['user', 'idle'].map((mode): RawSeries => ({ name: 'node_cpu_seconds_total', labels: { cpu, mode }, value: 1, kind: 'counter' }))),
    ],
    processes: [],
    facts: { cpus: 3 },
    problems: [],
    containers: {
      layout: { mode: 'v2', driver: 'systemd' },
      cgroups: [
        {
          id: WEB,
          runtime: 'docker',
          cgroupPath: `/system.slice/docker-${WEB}.scope`,
          driver: 'systemd',
          stats: { cpuUsageSeconds: 12.5, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000, memoryLimitBytes: 268_435_456 },
        },
      ],
      networkByPid: { '4242': [{ device: 'lo', values: ETH0.map((v) => v * 7) }, { device: 'eth0', values: ETH0 }] },
      engine: { engine: 'docker', via: 'socket', at: T - 1000, containers: [{ id: WEB, name: 'web', image: 'nginx:1.27', state: 'running', labels: {}, pid: 4242, startedAt: STARTED }] },
    },
    ...overrides,
  };
}

const find = (series: readonly RawSeries[], name: string, labels: Record<string, string> = {}) =>
  series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('container families for the Docker dashboards', () => {
  const labels = { container: 'web', name: 'web', image: 'nginx:1.27', id: `/system.slice/docker-${WEB}.scope` };

  it('names what cAdvisor names, with its labels (id = cgroup path, name, image) and the interface on network counters', () => {
    const series = hostContainerExportSeries(observation());
    expect(find(series, 'container_last_seen')).toEqual([{ name: 'container_last_seen', labels, value: T / 1000, kind: 'gauge' }]);
    expect(find(series, 'container_start_time_seconds')).toEqual([{ name: 'container_start_time_seconds', labels, value: STARTED / 1000, kind: 'gauge' }]);
    expect(find(series, 'machine_cpu_cores')).toEqual([{ name: 'machine_cpu_cores', labels: {}, value: 3, kind: 'gauge' }]);
    expect(find(series, 'machine_memory_bytes')).toEqual([{ name: 'machine_memory_bytes', labels: {}, value: 8_253_005_824, kind: 'gauge' }]);
    expect(find(series, 'container_spec_cpu_quota')[0]).toMatchObject({ labels, value: 50_000 });
    expect(find(series, 'container_spec_cpu_period')[0]).toMatchObject({ labels, value: 100_000 });
    expect(find(series, 'container_spec_memory_limit_bytes')[0]).toMatchObject({ labels, value: 268_435_456 });
    const net = (name: string) => find(series, name).map((s) => [s.labels.interface, s.value, s.kind]);
    // lo is not the container's traffic: cAdvisor leaves it out.
    expect(net('container_network_receive_bytes_total')).toEqual([['eth0', 1000, 'counter']]);
    expect(net('container_network_receive_packets_total')).toEqual([['eth0', 10, 'counter']]);
    expect(net('container_network_receive_errors_total')).toEqual([['eth0', 1, 'counter']]);
    expect(net('container_network_receive_packets_dropped_total')).toEqual([['eth0', 2, 'counter']]);
    expect(net('container_network_transmit_bytes_total')).toEqual([['eth0', 2000, 'counter']]);
    expect(net('container_network_transmit_packets_total')).toEqual([['eth0', 20, 'counter']]);
    expect(net('container_network_transmit_errors_total')).toEqual([['eth0', 3, 'counter']]);
    expect(net('container_network_transmit_packets_dropped_total')).toEqual([['eth0', 4, 'counter']]);
    expect(find(series, 'container_network_receive_bytes_total')[0]!.labels).toEqual({ ...labels, interface: 'eth0' });
    // What the remote-write path and the old callers read is unchanged: no per-sample time, no machine series.
    expect(containerExportSeries(observation().containers).some((s) => s.name === 'container_last_seen' || s.name.startsWith('machine_'))).toBe(false);
  });

  it('counts CPUs from node_cpu_seconds_total when the host did not say, and adds nothing for a host without containers', () => {
    expect(find(hostContainerExportSeries(observation({ facts: {} })), 'machine_cpu_cores')[0]?.value).toBe(3);
    const { containers: _none, ...withoutContainers } = observation();
    expect(hostContainerExportSeries(withoutContainers)).toEqual([]);
  });

  it('passes promtool check metrics with the exporter’s formatting', async () => {
    const obs = observation();
    const text = await createMetricsExposition({
      source: { hosts: () => [{ host: 'docker-1', up: true, lastSampleAt: Date.now(), series: [...obs.series, ...hostContainerExportSeries(obs)] }], health: () => EMPTY_CONSOLE_HEALTH },
      log: createMemoryLogger(),
      processMetrics: false,
    }).render();
    const parsed = parseExposition(text);
    expect(parsed.type.get('container_last_seen')).toBe('gauge');
    expect(parsed.help.get('machine_memory_bytes')).toBe('Amount of memory installed on the machine.');
    let output = '';
    try {
      output = execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      output = `${e.stdout}${e.stderr}`;
    }
    // node_exporter's own camelCase memory name is promtool's only remark.
    expect(output.trim().split('\n').filter((l) => l && !l.includes('node_memory_MemTotal_bytes'))).toEqual([]);
  });
});
