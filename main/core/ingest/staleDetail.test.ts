// A host that stops sending samples turns stale, and its "no sample for …"
// keeps counting while it stays stale (it used to freeze at the first value:
// "no sample for 4 s" ten minutes later). A real core; the local host's source
// sends one real parsed frame each time it starts and then nothing. And a host
// whose every sample has a problem is logged once a minute, not per sample.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../common/contract.js';
import { startTestCore } from '../../testing/testCore.js';
import type { HostSource } from '../model/hostSource.js';
import { parseAgentFrame } from '../parse/agentFrame.js';
import { noSampleFor } from './hostRegistry.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const frame = fs.readFileSync(new URL('../parse/fixtures/handmade-base.txt', import.meta.url), 'utf8');

const oneSampleThenSilence: HostSource = {
  start(events) {
    const parsed = parseAgentFrame(frame, Date.now());
    if (parsed.kind !== 'observation') throw new Error(`fixture did not parse: ${JSON.stringify(parsed)}`);
    events.status('online');
    events.observation(parsed.observation);
  },
  async stop() {},
};

describe('a stale host', () => {
  it('says for how long there has been no sample, and keeps saying it', async () => {
    const c = await startTestCore({ prefix: 'ovl-stale-', features: [], answers: () => false, localSource: oneSampleThenSilence }, cleanups);
    await c.call('settings/update', { pollIntervalMs: 1000 });
    const local = () => (c.core.handlers['hosts/list']() as Host[]).find((h) => h.id === 'local')!;
    await expect.poll(() => local().status, { timeout: 10_000 }).toBe('stale');
    const first = local().statusDetail;
    expect(first).toMatch(/^no sample for \d+ s$/);
    await expect.poll(() => Number(/(\d+) s$/.exec(local().statusDetail ?? '')?.[1]), { timeout: 10_000 }).toBeGreaterThanOrEqual(Number(/(\d+) s$/.exec(first!)![1]) + 3);
    expect(local().status).toBe('stale');
    // Only the change to stale was logged, not every new count.
    expect(c.log.lines.filter((l) => l.includes('host local: stale'))).toHaveLength(1);
  });

  it('counts in seconds, then minutes, then hours', () => {
    expect(noSampleFor(4_000)).toBe('no sample for 4 s');
    expect(noSampleFor(119_000)).toBe('no sample for 119 s');
    expect(noSampleFor(600_000)).toBe('no sample for 10 min');
    expect(noSampleFor(3 * 3_600_000 + 5)).toBe('no sample for 3 h');
  });
});

describe('a host whose every sample has a problem', () => {
  it('is logged once a minute, not once per sample', async () => {
    const hostile = frame.replace(/^MemTotal:\s+\d+ kB$/m, 'MemTotal:       97656250000000000000000000000 kB');
    const manySamples: HostSource = {
      start(events) {
        let n = 0;
        const timer = setInterval(() => {
          const parsed = parseAgentFrame(hostile, Date.now());
          if (parsed.kind === 'observation') events.observation(parsed.observation);
          if (++n >= 20) clearInterval(timer);
        }, 50);
        this.stop = async () => clearInterval(timer);
      },
      async stop() {},
    };
    const c = await startTestCore({ prefix: 'ovl-problemlog-', features: [], answers: () => false, localSource: manySamples }, cleanups);
    await new Promise((r) => setTimeout(r, 1500));
    const lines = c.log.lines.filter((l) => l.includes('unparsed part(s) in a sample'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('node_memory_MemTotal_bytes: 1e+32 is outside');
  });
});
