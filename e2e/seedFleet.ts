// Seeds a console's data directory with the history of N fake hosts, written
// with the product's own store (dist/), before the console starts: the
// overview then lists them as "not configured" (history-only) hosts, Top-K
// ranks them and their charts open. No test-only switch in the product.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './console.js';

interface SeedSample {
  name: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}

export const fleetHostName = (i: number) => `node-${String(i).padStart(3, '0')}`;

/** The seeded CPU share of host i: spread over 5–95 %, all different for i ≤ 300, not monotonic in i. */
export function seededCpu(i: number): number {
  return 0.05 + ((i * 97) % 301) / 301 * 0.9;
}
export const seededMemoryRatio = (i: number) => 0.2 + ((i * 53) % 101) / 101 * 0.7;

export interface SeedOptions {
  hosts: number;
  minutes: number;
  now: number;
  /** Hosts that get a CPU spike and a process snapshot "backup.sh" at `spikeAt`. */
  spikeHost?: number;
  spikeAt?: number;
}

// The built store and process history, typed here by what this script uses
// (the e2e project cannot include main/'s sources).
interface SeedStore {
  append(samples: readonly SeedSample[]): void;
  close(): void;
}
interface SeedProcessHistory {
  record(hostId: string, t: number, processes: { pid: number; comm: string; cpu: number; rssBytes: number; memoryRatio: number | null }[]): void;
  close(): void;
}

async function importDist<T>(rel: string): Promise<T> {
  return (await import(pathToFileURL(path.join(repoRoot, 'dist', 'main', rel)).href)) as T;
}

export async function seedFleet(dataDir: string, o: SeedOptions): Promise<void> {
  const { openSqliteStore } = await importDist<{ openSqliteStore(o: { file: string; now: () => number }): SeedStore }>('core/store/sqliteStore.js');
  const store = openSqliteStore({ file: path.join(dataDir, 'history.sqlite'), now: () => o.now });
  const GB = 1024 ** 3;
  const end = Math.floor(o.now / 60_000) * 60_000 - 60_000;
  const start = end - o.minutes * 60_000;
  try {
    for (let i = 1; i <= o.hosts; i++) {
      const host = fleetHostName(i);
      const samples: SeedSample[] = [];
      const memTotal = 16 * GB;
      for (let t = start; t <= end; t += 60_000) {
        // Smaller than the gap between two hosts' levels (0.9 / 301), so rankings are stable.
        const wobble = Math.sin((t / 60_000 + i) / 7) * 0.001;
        const spike = o.spikeHost === i && o.spikeAt !== undefined && Math.abs(t - o.spikeAt) < 60_000;
        const cpu = spike ? 0.99 : Math.max(0, seededCpu(i) + wobble);
        const mem = seededMemoryRatio(i);
        const push = (name: string, v: number, labels: Record<string, string> = {}) => samples.push({ name, labels: { host, ...labels }, t, v });
        push('host:cpu_usage:ratio', cpu);
        push('host:cpu_mode:ratio', cpu * 0.7, { mode: 'user' });
        push('host:cpu_mode:ratio', cpu * 0.3, { mode: 'system' });
        push('host:cpu_count:count', 4);
        push('host:memory_used:bytes', mem * memTotal);
        push('host:memory_used:ratio', mem);
        push('node_memory_MemTotal_bytes', memTotal);
        push('host:filesystem_used:ratio', 0.3 + (i % 60) / 100, { mountpoint: '/' });
        push('host:filesystem_fullest_used:ratio', 0.3 + (i % 60) / 100);
        push('node_load1', cpu * 4);
        push('node_load5', cpu * 4);
        push('node_load15', cpu * 4);
        push('host:network_receive_bytes:rate', 1000 * i);
        push('host:network_transmit_bytes:rate', 500 * i);
        if (o.spikeHost === i) {
          // The host screen's socket, retransmit and pressure charts (only on the host the screens open).
          push('node_netstat_Tcp_CurrEstab', Math.round(40 + wobble * 10_000));
          push('node_sockstat_TCP_tw', 12);
          push('node_sockstat_sockets_used', 180);
          push('node_filefd_allocated', 2400);
          push('host:tcp_retransmits:rate', spike ? 30 : 0.5);
          push('host:pressure_waiting:ratio', cpu * 0.1, { resource: 'cpu' });
          push('host:pressure_waiting:ratio', spike ? 0.4 : 0.01, { resource: 'io' });
          push('host:pressure_waiting:ratio', 0, { resource: 'memory' });
        }
      }
      store.append(samples);
    }
  } finally {
    store.close();
  }
  if (o.spikeHost !== undefined && o.spikeAt !== undefined) {
    const { openProcessHistory } = await importDist<{ openProcessHistory(o: { file: string }): SeedProcessHistory }>('core/processes/processHistory.js');
    const history = openProcessHistory({ file: path.join(dataDir, 'processes.sqlite') });
    history.record(fleetHostName(o.spikeHost), o.spikeAt, [
      { pid: 4242, comm: 'backup.sh', cpu: 3.6, rssBytes: 300 * 1024 ** 2, memoryRatio: 0.02 },
      { pid: 17, comm: 'sshd', cpu: 0.01, rssBytes: 8 * 1024 ** 2, memoryRatio: 0.001 },
    ]);
    history.close();
  }
}
