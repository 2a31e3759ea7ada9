// Values no real host can report (a MemTotal of 1e32 bytes, a negative load,
// a temperature below absolute zero, a negative counter) are dropped: from a
// real agent frame with those values written in, each is named in the
// observation's problems and the rest of the sample is kept; and the store
// counts one that reaches it anyway with its invalid samples.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqliteStore.js';
import { parseAgentFrame } from './agentFrame.js';
import { valueBoundsOf, withinBounds } from './sanityBounds.js';

const real = fs.readFileSync(new URL('./fixtures/debian12-vm-dash-once.txt', import.meta.url), 'utf8');

function observe(text: string) {
  const r = parseAgentFrame(text, Date.UTC(2025, 0, 1));
  if (r.kind !== 'observation') throw new Error(`not an observation: ${JSON.stringify(r)}`);
  return r.observation;
}
const value = (obs: ReturnType<typeof observe>, name: string) => obs.series.find((s) => s.name === name)?.value;

describe('sanity bounds on agent values', () => {
  it('keeps every value of a real frame', () => {
    const obs = observe(real);
    expect(obs.problems.filter((p) => p.includes('dropped'))).toEqual([]);
    expect(value(obs, 'node_memory_MemTotal_bytes')).toBe(24684084 * 1024);
  });

  it('drops a MemTotal of 1e32 bytes, a negative load and counters, and names each; keeps the rest', () => {
    const hostile = real
      .replace(/^MemTotal:\s+24684084 kB$/m, 'MemTotal:       97656250000000000000000000000 kB')
      .replace(/^4\.09 2\.31 1\.07/m, '-4.09 2.31 1.07')
      .replace(/^ctxt (\d+)$/m, 'ctxt -$1');
    const obs = observe(hostile);
    expect(value(obs, 'node_memory_MemTotal_bytes')).toBeUndefined();
    expect(value(obs, 'node_load1')).toBeUndefined();
    expect(value(obs, 'node_load5')).toBe(2.31);
    expect(value(obs, 'node_memory_MemAvailable_bytes')).toBeGreaterThan(0);
    const dropped = obs.problems.filter((p) => p.endsWith('dropped'));
    expect(dropped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^node_memory_MemTotal_bytes: 1e\+32 is outside 0 to 4503599627370496 \(a 52-bit physical address space\); dropped$/),
        expect.stringMatching(/^node_load1: -4\.09 is outside 0 to 4194304 \(PID_MAX_LIMIT tasks\); dropped$/),
      ]),
    );
    if (/^ctxt /m.test(real)) expect(dropped.some((p) => p.startsWith('node_context_switches_total: -'))).toBe(true);
  });

  it('has bounds for the values the kernel limits, and none for what it does not', () => {
    expect(withinBounds('node_hwmon_temp_celsius', -300)).toBe(false);
    expect(withinBounds('node_hwmon_temp_celsius', 45)).toBe(true);
    expect(withinBounds('node_network_receive_bytes_total', -1)).toBe(false);
    expect(withinBounds('node_filesystem_size_bytes', 1e32)).toBe(false);
    expect(withinBounds('node_filesystem_size_bytes', 2 ** 60)).toBe(true);
    expect(valueBoundsOf('cloud_cpu_utilization_ratio')).toBeUndefined();
  });

  it('the store counts an impossible value with its invalid samples and keeps the rest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-bounds-'));
    const t = Date.UTC(2025, 0, 1);
    const store = openSqliteStore({ file: path.join(dir, 'h.sqlite'), now: () => t + 1000 });
    try {
      store.append([
        { name: 'node_memory_MemTotal_bytes', labels: { host: 'a' }, t, v: 1e32 },
        { name: 'node_memory_MemTotal_bytes', labels: { host: 'b' }, t, v: 8e9 },
        { name: 'node_load1', labels: { host: 'a' }, t, v: -1 },
      ]);
      expect(store.stats().dropped.invalid).toBe(2);
      expect(store.series({ name: 'node_memory_MemTotal_bytes' }).map((s) => [s.labels.host, s.lastT])).toEqual([['b', t]]);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
