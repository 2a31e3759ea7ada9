// The issue-7 features inside a real core: observations reach the process
// history through the onObservation hook, status changes reach the journal,
// and Top-K answers over what was ingested.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../createCore.js';
import { defaultFeatures } from '../features.js';
import { createMemoryLogger } from '../log.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import type { HostObservation } from '../model/observation.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';

class Scripted implements HostSource {
  events?: SourceEvents;
  start(events: SourceEvents) {
    this.events = events;
    events.status('connecting');
  }
  async stop() {}
}

function obs(i: number, t: number, busyPid: number): HostObservation {
  return {
    t,
    monotonicSeconds: 1000 + i * 5,
    series: [
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: 100 + i * 2, kind: 'counter' },
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: 500 + i * 3, kind: 'counter' },
      { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8e9, kind: 'gauge' },
      { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 6e9, kind: 'gauge' },
    ],
    processes: [
      { pid: busyPid, comm: `job-${busyPid}`, cpuSeconds: 10 + i * 4, rssBytes: 1e8, startTime: 10 },
      { pid: 1, comm: 'init', cpuSeconds: 1, rssBytes: 1e7, startTime: 0 },
    ],
    facts: { cpus: 1 },
    problems: [],
  };
}

const cores: { core: Core; dir: string }[] = [];
afterEach(async () => {
  for (const { core, dir } of cores.splice(0)) {
    await core.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("the operator's screens in the core: Top-K, process history, status annotations, history-only hosts", () => {
  it('keep process snapshots, status transitions and rank the host', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-fleet-'));
    const source = new Scripted();
    const t0 = Date.now() - 120_000;
    let clock = t0;
    const core = createCore({
      dataDir: dir,
      shell: 'headless',
      secrets: createEncryptedFileSecretStore(dir),
      log: createMemoryLogger(),
      version: 'test',
      now: () => clock,
      createLocalSource: () => source,
      features: defaultFeatures(),
    });
    cores.push({ core, dir });
    await core.start();
    source.events!.observation(obs(0, t0, 4242));
    clock = t0 + 5000;
    source.events!.observation(obs(1, t0 + 5000, 4242));
    clock = t0 + 65_000;
    source.events!.observation(obs(13, t0 + 65_000, 777));
    source.events!.status('offline', 'connection reset');

    const at = await core.handlers['processes/at']({ hostId: 'local', t: t0 + 5000 });
    expect(at?.processes[0]).toMatchObject({ pid: 4242, comm: 'job-4242' });
    expect(at!.processes[0]!.cpu).toBeCloseTo(0.8);
    expect((await core.handlers['processes/at']({ hostId: 'local', t: t0 + 65_000 }))?.processes[0]?.pid).toBe(777);
    expect(await core.handlers['processes/at']({ hostId: 'nope', t: t0 })).toBeNull();

    const transitions = await core.handlers['hosts/statusHistory']({ hostId: 'local', from: 0, to: clock });
    expect(transitions.map((x) => [x.previous, x.status])).toEqual([
      ['connecting', 'online'],
      ['online', 'offline'],
    ]);
    expect(transitions[1]!.detail).toBe('connection reset');

    // Samples reach the store on the core's next flush (once a second).
    await new Promise((r) => setTimeout(r, 1200));
    const top = await core.handlers['topk/query']({ kind: 'host', metric: 'host:cpu_usage:ratio', aggregate: 'max', from: t0 - 60_000, to: t0 + 120_000, k: 5, order: 'desc', points: 30 });
    expect(top.rows.map((r) => r.entity)).toEqual(['local']);
    expect(top.rows[0]!.value).toBeCloseTo(0.4);
    // A watched host is never listed as history-only.
    expect(await core.handlers['hosts/historyOnly']()).toEqual([]);
  });
});
